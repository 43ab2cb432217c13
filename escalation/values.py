"""Recorded values as people read them, the same on every page and in every PDF (`rules.figure_text`):
a rate to three decimal places (more where two rates of the record would look equal), every number
without trailing zeros. A figure typed over the system's also says the system's figure and why
(`system_note`). What a person sees of them (`ValuesSeen`): a service's figure and words naming a
service only where their role reaches it.
"""

import math
import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RecordSeen:
    """A step record as a person sees it (`ValuesSeen.record`): its value rows and its words, each
    withheld where it names a service they do not see."""

    rows: list[dict]
    explanation: str
    check_done: str
    notes: str
    correction_reason: str


@dataclass(frozen=True)
class ValuesSeen:
    """What a person sees of a case's recorded figures and words (`permissions.values_seen`): the
    figure of a service named in `hidden` (the provider's services outside their reach) is cut from
    every per-item value, and words naming one are not shown, as a trigger's page cuts them; how many
    services were cut is said (`note`). `regional`: their role reaches a region, which the words say."""

    hidden: frozenset[str] = frozenset()
    regional: bool = False

    def narrowed(self, values: dict) -> dict:
        """The values without the per-item figures of hidden services (and without the system's
        figures for them, where a figure was typed over the system's)."""
        if not self.hidden:
            return values
        kept = {}
        for key, value in values.items():
            if key == SYSTEM_FIGURES and isinstance(value, dict):
                value = {name: self._override(typed) for name, typed in value.items()}
            elif isinstance(value, dict):
                value = {item: number for item, number in value.items() if item not in self.hidden}
            kept[key] = value
        return kept

    def _override(self, typed: dict) -> dict:
        """A figure typed over the system's: the system's per-item figures and the reason, as seen."""
        system = typed.get("system")
        if isinstance(system, dict):
            system = {item: number for item, number in system.items() if item not in self.hidden}
        return {**typed, "system": system, "reason": self.text(str(typed.get("reason", "")))}

    def cut(self, *values: dict, name: str | None = None) -> set[str]:
        """The hidden services whose figures these values hold (of measure `name`, or of any)."""
        return {
            item
            for each in values
            for key, value in each.items()
            if isinstance(value, dict) and key != SYSTEM_FIGURES and name in (None, key)
            for item in value
            if item in self.hidden
        }

    def rows(self, measures: list[dict], values: dict) -> list[dict]:
        """`value_rows` of the values the person sees."""
        return value_rows(measures, self.narrowed(values))

    def text(self, words: str) -> str:
        """The words, or in their place why they are not shown when they name a hidden service."""
        words = words or ""
        if not any(re.search(rf"\b{re.escape(name)}\b", words) for name in self.hidden):
            return words
        where = "outside your region" if self.regional else "other than yours"
        return f"Not shown here: it names services {where}."

    def record(self, record, measures: list[dict]) -> RecordSeen:
        """A step record as the person sees it."""
        return RecordSeen(
            rows=self.rows(measures, record.values),
            explanation=self.text(record.explanation),
            check_done=self.text(record.check_done),
            notes=self.text(record.notes),
            correction_reason=self.text(record.correction_reason),
        )

    def note(self, measures: list[dict], *values: dict) -> str:
        """How many services' figures are cut from these values, in the words of the trigger's page
        ("2 other matched services outside your region are not shown"); "" when none is."""
        count = len(self.cut(*values))
        if not count:
            return ""
        labels = (m.get("item_label") for m in measures if self.cut(*values, name=m["name"]))
        noun = next(labels, None) or "service"
        many, verb = f"{count} other {noun}{'s' if count > 1 else ''}", "are" if count > 1 else "is"
        if self.regional:
            return f"You see the {noun}s in your region: {many} outside your region {verb} not shown."
        return f"You see your own service's figures: {many} {verb} not shown."
