"""A provider's tuning of one step as its change page shows it, in the page's own words.

The page asks each value once: a parameter the step's check names ("A {sample_size}-notice sample")
is one value however many measures count with it (`shared_parameters`), saved to each of them. The
chain list marks a step tuned only while its values differ from the defaults (`differs_from_default`),
and the page's History says what each change changed, field by field (`setting_changes`).
"""

from decimal import Decimal

from .choices import MeasureKind
from .computations import tunable_parameters
from .measures import baseline_key, by_name, with_parameters
from .rules import fmt, thresholds


def threshold_unit(item: dict, measures: list[dict]) -> tuple[bool, str]:
    """Whether a threshold (an item of rules.thresholds) counts things, so takes a whole number, and
    its unit as its field's label says it: "number of services", "%", "percentage points". Read from
    the kinds and units of the measures it compares, as measures.py defines them."""
    names = item.get("measures", [])
    compared = [measure for name, measure in by_name(measures).items() if name in names]
    if any(baseline_key(measure["name"]) in names for measure in compared):
        return False, "percentage points"  # a change from a baseline
    if compared and all(measure.get("kind") == MeasureKind.COUNT for measure in compared):
        units = dict.fromkeys(measure.get("unit") or "items" for measure in compared)
        return True, f"number of {' and '.join(units)}"
    units = {measure.get("unit") for measure in compared}
    return False, units.pop() if len(units) == 1 and None not in units else ""


def threshold_labels(rule: dict, measures: list[dict]) -> list[str]:
    """Each threshold's label, numbered where two would read the same ("Threshold 1 (%)")."""
    labels = []
    for item in thresholds(rule, measures):
        unit = threshold_unit(item, measures)[1]
        labels.append(f"Threshold ({unit})" if unit else "Threshold")
    if len(set(labels)) < len(labels):
        labels = [label.replace("Threshold", f"Threshold {n}", 1) for n, label in enumerate(labels, 1)]
    return labels


def shared_parameters(measures: list[dict], check_method: str = "") -> list[dict]:
    """The measures' parameters (computations.tunable_parameters) as the page asks them: one item for
    a parameter the check names, with "measures" and "measure_labels" listing every measure that
    counts with it (the check and they must agree: measures.check_step_text) and "in_check" true; one
    item per measure otherwise. Each item is keyed by its first measure."""
    items: list[dict] = []
    shared: dict[str, dict] = {}
    for item in tunable_parameters(measures):
        in_check = f"{{{item['name']}}}" in (check_method or "")
        first = shared.get(item["name"]) if in_check else None
        if first is not None:
            first["measures"].append(item["measure"])
            first["measure_labels"].append(item["measure_label"])
            continue
        item = {**item, "measures": [item["measure"]], "measure_labels": [item["measure_label"]]}
        item["in_check"] = in_check
        if in_check:
            shared[item["name"]] = item
        items.append(item)
    return items


def parameter_label(item: dict) -> str:
    """A parameter's label with its unit: "Sample size (notices)"."""
    return f"{item['label']} ({item['unit']})"


def shown_values(rule: dict, window, measures: list[dict], check_method: str = "") -> dict[str, str]:
    """A step's values as its change page labels them: {"Threshold (%)": "90", "Response window
    (working hours)": "2", "Sample size (notices)": "12", ...}."""
    values = [fmt(item["value"]) for item in thresholds(rule, measures)]
    shown = dict(zip(threshold_labels(rule, measures), values, strict=True))
    shown["Response window (working hours)"] = fmt(Decimal(window).normalize())
    for item in shared_parameters(measures, check_method):
        shown[parameter_label(item)] = fmt(item["value"])
    return shown


def setting_changes(step, before, after) -> list[str]:
    """What one change to a provider's setting for `step` changed, "label: old → new", from two of its
    historical rows (`before` None for the first: the step's defaults)."""
    old, new = (_shown_setting(step, row) for row in (before, after))
    return [
        f"{label}: {old.get(label, 'not set')} → {value}"
        for label, value in new.items()
        if old.get(label) != value
    ]


def _shown_setting(step, row) -> dict[str, str]:
    """The values a historical setting row (or None: none yet) gave the step, as the page shows them."""
    rule = row.threshold_rule if row is not None and row.threshold_rule is not None else step.threshold_rule
    window = row.response_working_hours if row is not None else None
    window = Decimal(window) if window is not None else step.response_working_hours
    measures = with_parameters(step.measures, row.measure_parameters if row is not None else None)
    return shown_values(rule, window, measures, step.check_method)


def differs_from_default(setting) -> bool:
    """Whether a provider's setting gives its step other values than the defaults: one set back to
    them exactly is not a tuned step."""
    step = setting.step
    return (
        setting.effective_rule != step.threshold_rule
        or setting.effective_window != step.response_working_hours
        or setting.effective_measures != with_parameters(step.measures)
    )
