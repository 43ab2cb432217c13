"""Recorded values as people read them, the same on every page and in every PDF (`rules.figure_text`):
a rate to three decimal places (more where two rates of the record would look equal), every number
without trailing zeros. A figure typed over the system's also says the system's figure and why
(`system_note`).
"""

import math
from decimal import Decimal

from .choices import MeasureKind
from .computations import SYSTEM_FIGURES, shown_figure, unit_for
from .measures import baseline_key
from .rules import figure_text
from .step_facts import none_asked_words


def value_rows(measures: list[dict], values: dict) -> list[dict]:
    """Recorded values as label / value rows, in the step's measure order, each figure by `figure_text`
    (a rate told apart from the record's other rates where they would look equal).
    A row whose figure was typed over the system's carries `system_note`: "the system's figure was
    44.4 %: <reason>"."""
    rates = _rates_of(measures, values)
    overridden = values.get(SYSTEM_FIGURES) or {}
    rows = []
    for measure in measures:
        for key, label in ((measure["name"], measure["label"]), (baseline_key(measure["name"]), None)):
            if key not in values:
                continue
            value = values[key]
            if isinstance(value, dict):
                shown = (
                    "; ".join(
                        f"{item}: {figure_text(number, measure, rates)}" for item, number in value.items()
                    )
                    or "none"
                )
            else:
                shown = figure_text(value, measure, rates)
            unit = unit_for(measure, value)
            if value == {} and none_asked_words(measure["name"]):
                # Nothing was asked (no item to ask): said so, with no unit, never "none %".
                shown, unit = none_asked_words(measure["name"]), ""
            row = {"label": label or f"Baseline for {measure['label'].lower()}", "value": shown, "unit": unit}
            if key in overridden:
                system, reason = overridden[key]["system"], overridden[key]["reason"]
                row["system_note"] = f"the system's figure was {shown_figure(measure, system)}: {reason}"
            rows.append(row)
    return rows


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
