"""Recorded values as people read them, the same on every page and in every PDF: a rate to three
significant figures (more where two rates of the record would look equal), any other number without a
trailing ".0"."""

import math
from decimal import Decimal

from providers.numbers import format_rate

from .choices import MeasureKind
from .measures import baseline_key
from .rules import fmt


def value_rows(measures: list[dict], values: dict) -> list[dict]:
    """Recorded values as label / value rows, in the step's measure order. Rates are written as every
    page writes them: three significant figures, more where two rates of the record would look equal."""
    rates = _rates_of(measures, values)
    rows = []
    for measure in measures:
        is_rate = measure.get("kind") == MeasureKind.RATE
        for key, label in ((measure["name"], measure["label"]), (baseline_key(measure["name"]), None)):
            if key not in values:
                continue
            value = values[key]
            if isinstance(value, dict):
                shown = (
                    "; ".join(f"{item}: {_number(number, is_rate, rates)}" for item, number in value.items())
                    or "none"
                )
            else:
                shown = _number(value, is_rate, rates)
            unit = _unit(measure, value)
            rows.append(
                {"label": label or f"Baseline for {measure['label'].lower()}", "value": shown, "unit": unit}
            )
    return rows


def _unit(measure: dict, value) -> str:
    """The measure's unit, in the singular for a count of one ("1 section"): the fixture's count units
    are all plain plurals ("sections", "action lines"), so the singular drops the final "s"."""
    unit = measure.get("unit", "")
    counted = measure.get("kind") in (MeasureKind.COUNT, MeasureKind.MINUTES)
    if counted and not isinstance(value, dict | bool) and value == 1 and unit.endswith("s"):
        return unit[:-1]
    return unit


def _rates_of(measures: list[dict], values: dict) -> list[float]:
    """Every rate recorded in values (single or per item), which each rate is told apart from."""
    rates = []
    for measure in measures:
        if measure.get("kind") != MeasureKind.RATE:
            continue
        for key in (measure["name"], baseline_key(measure["name"])):
            value = values.get(key)
            numbers = value.values() if isinstance(value, dict) else [value]
            rates += [float(n) for n in numbers if isinstance(n, int | float | Decimal) and math.isfinite(n)]
    return rates


def _number(value, is_rate: bool, rates: list[float]) -> str:
    if is_rate and isinstance(value, int | float | Decimal) and math.isfinite(value):
        return format_rate(value, rates)
    return fmt(value)
