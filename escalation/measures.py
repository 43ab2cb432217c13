"""Measures: what each step records, and the one place recorded values are checked.

A step's measures are a JSON list; each measure is a dict:

    {"name": "pct_received_within_4h", "label": "Matched services receiving the notice within 4 hours",
     "kind": "percentage", "unit": "%"}

Optional keys: ``"group": true`` with ``"item_label"`` for a per-item measure recorded as
``{"item label": number}`` (e.g. an incident rate per matched service), and ``"items_required": true``
when such a measure must list at least one item (A4 judges each risk-level group: with none it would
pass with nothing judged; A1 with no matched service rightly has no rate); ``"baseline": true`` for a
measure recorded with its baseline under ``"<name>__baseline"``; ``"min"`` / ``"max"`` to widen a
kind's usual range (a movement from baseline can be negative; a count is at most MAX_COUNT, or the size
of the sample it counts in).

What the system computes: ``"computation"`` names a key of escalation/computations.py's registry (null:
a person enters it), ``"parameters"`` that computation's whole-number settings, which the label may
show as ``{name}`` ("within {window_hours} hours"); ``"baseline_computation"`` computes the baseline.
Loading the fixture puts such labels in words (`with_parameters`, keeping the written one under
``"label_template"``); a provider may tune the parameters (ProviderStepSetting) and its cases then
read "within 6 hours". A step's check method may show its measures' parameters the same way
(`text_in_words`).

How the form asks for it: an optional ``"question"`` in the words of the person recording it ("How many
times did you have to remind the same staff group ...?"), shown in place of the label, which stays
beneath it as what the guidance says (`asked_as`). It may show the parameters as the label does, put in
words the same way (the written one kept under ``"question_template"``).
"""

import copy
import math
import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from .choices import MeasureKind

BASELINE_SUFFIX = "__baseline"
MAX_GROUP_ITEMS = 500
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,59}")
_ALLOWED_KEYS = {
    "name",
    "label",
    "kind",
    "unit",
    "group",
    "item_label",
    "items_required",
    "baseline",
    "min",
    "max",
    "computation",
    "baseline_computation",
    "parameters",
    "label_template",
    "question",
    "question_template",
}
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
# A parameter before the unit it counts ("{days} days"): a value of one reads in the singular.
_COUNTED_UNIT_RE = re.compile(r"\{([a-z_]+)\}( (?:working |learning )?(?:day|hour|cycle|minute|week))s\b")
# The most of anything a step counts (services, notices, errors on a shift...): far beyond any real
# count, so a count above it is a slip of the keyboard (a 20-digit error count), refused rather than kept.
MAX_COUNT = 10_000
_DEFAULT_RANGE = {
    MeasureKind.COUNT: (0, MAX_COUNT),
    MeasureKind.PERCENTAGE: (0, 100),
    MeasureKind.RATE: (0, None),
    # Minutes typed on a form (a drill's average, a response time) are at most a day's: beyond that
    # they are a slip of the keyboard, as a 20-digit count is.
    MeasureKind.MINUTES: (0, 1440),
}


def baseline_key(name: str) -> str:
    """The key under which a measure's baseline is recorded."""
    return f"{name}{BASELINE_SUFFIX}"


def by_name(measures: list[dict]) -> dict[str, dict]:
    return {m["name"]: m for m in measures}


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def validate_measure_definitions(measures) -> None:
    """Raise ValueError with a clear message unless ``measures`` is a well-formed list of measures."""
    if not isinstance(measures, list) or not measures:
        raise ValueError("Measures must be a non-empty list.")
    seen = set()
    for position, measure in enumerate(measures, start=1):
        if not isinstance(measure, dict):
            raise ValueError(f"Measure {position} must be an object with a name, label and kind.")
        name = measure.get("name")
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or BASELINE_SUFFIX in name:
            raise ValueError(
                f"Measure {position}: the name must be lower_case_with_underscores, got {name!r}."
            )
        if name in seen:
            raise ValueError(f"Measure '{name}' appears twice.")
        seen.add(name)
        extra = sorted(set(measure) - _ALLOWED_KEYS)
        if extra:
            raise ValueError(f"Measure '{name}' has unknown keys: {', '.join(extra)}.")
        if not isinstance(measure.get("label"), str) or not measure["label"].strip():
            raise ValueError(f"Measure '{name}' needs a label.")
        if "question" in measure and (
            not isinstance(measure["question"], str) or not measure["question"].strip()
        ):
            raise ValueError(f"Measure '{name}' needs a question in words, or no \"question\" at all.")
        if measure.get("kind") not in MeasureKind.values:
            raise ValueError(
                f"Measure '{name}': kind must be one of {', '.join(MeasureKind.values)}, "
                f"got {measure.get('kind')!r}."
            )
        for bound in ("min", "max"):
            if bound in measure and measure[bound] is not None and not _is_number(measure[bound]):
                raise ValueError(f"Measure '{name}': {bound} must be a number.")
        if measure.get("group") and measure.get("baseline"):
            raise ValueError(f"Measure '{name}': a group measure cannot also have a baseline.")
        if "items_required" in measure and (
            not isinstance(measure["items_required"], bool) or not measure.get("group")
        ):
            raise ValueError(f"Measure '{name}': items_required is true or false, on a group measure only.")
        _validate_computed(measure)


def _validate_computed(measure: dict) -> None:
    """The computation keys are names or null; parameters whole numbers; every {name} written in the label
    names a parameter (so no label is ever shown with a brace in it)."""
    name = measure["name"]
    for key in ("computation", "baseline_computation"):
        if measure.get(key) is not None and not isinstance(measure[key], str):
            raise ValueError(f"Measure '{name}': {key} must be a computation's key or null.")
    if measure.get("baseline_computation") and not measure.get("baseline"):
        raise ValueError(f"Measure '{name}': a baseline computation needs \"baseline\": true.")
    parameters = measure.get("parameters", {})
    if not isinstance(parameters, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in parameters.values()
    ):
        raise ValueError(f"Measure '{name}': parameters must map names to whole numbers.")
    if parameters and not measure.get("computation"):
        raise ValueError(f"Measure '{name}': only a computed measure has parameters.")
    for text in ("label", "question"):
        template = measure.get(f"{text}_template", measure.get(text, ""))
        unknown = sorted(set(_PLACEHOLDER_RE.findall(template)) - set(parameters))
        if unknown:
            raise ValueError(
                f"Measure '{name}': the {text} shows {{{unknown[0]}}}, which is not one of its parameters."
            )


def with_parameters(measures: list[dict], tuned: dict | None = None) -> list[dict]:
    """The measures with a provider's tuned parameters ({measure name: {parameter: value}}) applied and
    each label in words ("within {window_hours} hours" -> "within 6 hours"), the label as written kept
    under "label_template" so it can be put in words again; a question the same way, under
    "question_template". What the templates and cases hold."""
    result = copy.deepcopy(measures)
    for measure in result:
        parameters = measure.get("parameters")
        if not parameters:
            continue
        parameters.update((tuned or {}).get(measure["name"], {}))
        for text in ("label", "question"):
            if text in measure:
                measure.setdefault(f"{text}_template", measure[text])
                measure[text] = label_in_words(measure[f"{text}_template"], parameters)
    return result


def label_in_words(label: str, parameters: dict) -> str:
    """The label with each {parameter} replaced by its value ("within 1 working day", not "days")."""

    def singular_when_one(match):
        if str(parameters.get(match.group(1))) == "1":
            return "1" + match.group(2)
        return match.group(0)

    label = _COUNTED_UNIT_RE.sub(singular_when_one, label)
    return _PLACEHOLDER_RE.sub(lambda m: str(parameters.get(m.group(1), m.group(0))), label)


def asked_as(measure: dict) -> tuple[str, str]:
    """How a step's form asks for the measure: (what the field is labelled, the hint line beneath it).

    A measure with a question is asked by it, and the hint keeps the seed's label, the regulator's
    guidance word for word: ("How many times did you have to remind the same staff group ...?",
    "In the guidance: Repeat prompt episodes issued to the same staff group ...."). Without one (chain A
    and C's measures, or a case opened before its step had questions) the label is asked, with no hint.
    Both already read in words: `with_parameters` put them so when the step was loaded or tuned.
    """
    question = (measure.get("question") or "").strip()
    if not question:
        return measure["label"], ""
    return question, f"In the guidance: {measure['label'].rstrip('.')}."


def error_words(measure: dict) -> tuple[str, str]:
    """How a figure's errors name the measure: (at a sentence's start, after "Enter"). A measure asked
    by a question is named by it (found: "How many times were residents affected …?" was told "Enter
    resident-impact concerns linked to failed learning adoption.", the guidance's words, in small print
    under the question); one asked by its label, by that label (`asked_as`)."""
    question = (measure.get("question") or "").strip()
    if question:
        return f"The answer to “{question}”", f"an answer to “{question}”"
    return measure["label"], measure["label"].lower()


def step_parameters(measures: list[dict]) -> dict[str, set]:
    """Every parameter of a step's measures with the values the measures give it ({name: {values}})."""
    found: dict[str, set] = {}
    for measure in measures:
        for name, value in (measure.get("parameters") or {}).items():
            found.setdefault(name, set()).add(value)
    return found


def check_step_text(text: str, measures: list[dict], what: str = "The step's text") -> None:
    """A step's own text (its check method) may show a parameter of its measures as {name}, as a label
    does ("A {sample_size}-notice sample"). ValueError unless each one names a parameter the measures
    give one value: A2 samples its notices once, so its two measures must sample the same number."""
    given = step_parameters(measures)
    for name in dict.fromkeys(_PLACEHOLDER_RE.findall(text or "")):
        values = given.get(name)
        if not values:
            raise ValueError(f"{what} shows {{{name}}}, which is not a parameter of the step's measures.")
        if len(values) > 1:
            shown = " and ".join(str(v) for v in sorted(values))
            raise ValueError(
                f"{what} shows {{{name}}}, which the step's measures give as {shown}: give them one value."
            )


def text_in_words(text: str, measures: list[dict]) -> str:
    """A step's text with each {parameter} replaced by the value its measures give it (checked to be
    one by `check_step_text`), so "A {sample_size}-notice sample" reads "A 10-notice sample" once tuned."""
    given = {name: min(values) for name, values in step_parameters(measures).items()}
    return label_in_words(text or "", given)


def value_range(measure: dict) -> tuple:
    """The (lowest, highest) value allowed for the measure; None means no limit. A count of a sample
    (a measure with a sample_size parameter: "of a 12-notice sample") is at most the sample."""
    kind = MeasureKind(measure["kind"])
    low, high = _DEFAULT_RANGE[kind]
    if kind == MeasureKind.COUNT:
        high = (measure.get("parameters") or {}).get("sample_size", high)
    return measure.get("min", low), measure.get("max", high)


def clean_number(measure: dict, raw, what: str) -> int | float:
    """One number checked against the measure's kind and range; ValueError carries the message."""
    kind = MeasureKind(measure["kind"])
    if isinstance(raw, str):
        raw = _typed_number(raw, kind, what)
    if not _is_number(raw):
        raise ValueError(f"{what} must be a number, got {raw!r}.")
    low, high = value_range(measure)
    if kind == MeasureKind.COUNT:
        if raw != int(raw) or raw < 0:
            raise ValueError(f"{what} must be a whole number, 0 or more, not {raw}.")
        if high is not None and raw > high:
            raise ValueError(f"{what} must be a whole number from 0 to {high:,}, not {raw}.")
        return int(raw)
    if kind == MeasureKind.PERCENTAGE and (low is not None and raw < low or high is not None and raw > high):
        raise ValueError(f"{what} must be a percentage from {low} to {high}, not {raw}.")
    if low is not None and raw < low:
        raise ValueError(f"{what} cannot be below {low}: {raw} was entered.")
    if high is not None and raw > high:
        raise ValueError(f"{what} cannot be above {high:,}: {raw} was entered.")
    return float(raw)


# A number as people write it: 12, 4.5, -3, 1,200.5. Not "1e3", "NaN" or "Infinity", which Decimal
# reads but nobody means on a care-home form.
_TYPED_NUMBER_RE = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[-+]?\.\d+")


def _typed_number(text: str, kind: MeasureKind, what: str) -> Decimal:
    """A number typed into a form, answered in the words typed when it is not one. A percentage may
    carry its sign ("90%")."""
    typed = text.strip()
    if kind == MeasureKind.PERCENTAGE and typed.endswith("%"):
        typed = typed[:-1].rstrip()
    if not _TYPED_NUMBER_RE.fullmatch(typed):
        # A count is a whole number: its example says so ("4.5 lines" would only confuse).
        example = "like 12" if kind == MeasureKind.COUNT else "like 12 or 4.5"
        raise ValueError(f"{what} must be a number, {example}, not {text.strip()!r}.")
    return Decimal(typed.replace(",", ""))


# A group measure's label ends with whom it is recorded for ("..., for each matched service group (...)").
PER_ITEM_ENDING = re.compile(r",?\s+for each\b.*$", re.IGNORECASE)


def items_needed(measure: dict) -> str:
    """What to say when a measure that must list its items lists none: "Enter the expected reduction
    in comparable risk exposure for each risk-level group ..."."""
    what = PER_ITEM_ENDING.sub("", measure["label"])
    what = what[:1].lower() + what[1:]
    item = measure.get("item_label") or "item"
    return (
        f"Enter the {what} for each {item}, one 'name = number' a line: this step cannot be judged with none."
    )


def _clean_group(measure: dict, raw) -> dict:
    """A per-item measure: a mapping of item label to number."""
    if not isinstance(raw, dict):
        raise ValueError(f"{measure['label']} must be recorded per {measure.get('item_label', 'item')}.")
    if not raw and measure.get("items_required"):
        raise ValueError(items_needed(measure))
    if len(raw) > MAX_GROUP_ITEMS:
        raise ValueError(f"{measure['label']}: at most {MAX_GROUP_ITEMS} items.")
    cleaned, problems = {}, []
    for item, number in raw.items():
        label = str(item).strip()
        if not label:
            problems.append(f"{measure['label']}: every item needs a name.")
        elif label in cleaned:
            problems.append(f"{measure['label']}: '{label}' appears twice.")
        else:
            try:
                cleaned[label] = clean_number(measure, number, f"{measure['label']} for {label}")
            except ValueError as exc:  # every bad item named at once, not the first alone
                problems.append(str(exc))
    if problems:
        raise ValueError(" ".join(problems))
    return cleaned


def clean_values(measures: list[dict], values, step_code: str = "this step") -> dict:
    """Check recorded values against a step's measures and return them normalised.

    Raises ValidationError keyed by measure name (or baseline key) with one clear message each:
    an unknown name, a missing value, a value of the wrong kind or out of range.
    """
    if not isinstance(values, dict):
        raise ValidationError(f"The values for {step_code} must be a mapping of measure name to value.")
    known = by_name(measures)
    errors: dict[str, str] = {}
    cleaned: dict = {}
    expected = {name for name in known}
    expected |= {baseline_key(m["name"]) for m in measures if m.get("baseline")}
    for key in values:
        if key not in expected:
            names = ", ".join(sorted(expected))
            errors[key] = f"There is no measure called '{key}' in {step_code}. Its measures are: {names}."
    for measure in measures:
        named, missing = error_words(measure)
        keys = [(measure["name"], named, missing)]
        if measure.get("baseline"):
            baseline = f"Baseline for {measure['label'].lower()}"
            keys.append((baseline_key(measure["name"]), baseline, baseline.lower()))
        for key, what, missing in keys:
            raw = values.get(key)
            if raw is None or raw == "":
                errors[key] = f"Enter {missing}."
                continue
            try:
                if measure.get("group"):
                    cleaned[key] = _clean_group(measure, raw)
                else:
                    cleaned[key] = clean_number(measure, raw, what)
            except ValueError as exc:
                errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned
