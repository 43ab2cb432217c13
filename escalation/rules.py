"""Threshold rules: a small declarative structure, validated on save and evaluated by one pure function.

A rule is JSON, never code (nothing here calls ``eval``). Forms:

    {"all": [rule, ...]}                 breached when every part is breached
    {"any": [rule, ...]}                 breached when at least one part is breached
    {"measure": "x", "op": "<", "value": 100}           a measure against a number
    {"measure": "x", "op": ">", "measure_ref": "y"}     a measure against another measure
    {"sum": ["a", "b"], "op": ">", "value": 3}          the sum of measures
    {"any_item": "g", "op": ">", "measure_ref": "y"}    at least one item of a group measure (or "value")
    {"change_from_baseline": "x", "op": "<", "value": 5}
        the recorded value minus its baseline (recorded as "x__baseline"), in percentage points for
        a percentage: "improves by less than 5 points" is that rule with "op": "<" and "value": 5

Operators: < <= > >= == !=. A rule is "breached" when its condition is true: the threshold rules of
the chains are written as the condition that triggers the escalation.
"""

import copy
import math
import operator
from dataclasses import dataclass, field
from decimal import Decimal

from providers.numbers import format_rate

from .choices import MeasureKind
from .measures import PER_ITEM_ENDING, baseline_key, by_name

OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
OP_WORDS = {
    "<": "below",
    "<=": "at or below",
    ">": "above",
    ">=": "at or above",
    "==": "equal to",
    "!=": "not equal to",
}
SUBJECT_KEYS = ("measure", "sum", "any_item", "change_from_baseline")
MAX_DEPTH = 4


class RuleError(ValueError):
    """A threshold rule that cannot be used, with a message a person can act on."""


@dataclass(frozen=True)
class Evaluation:
    """The outcome of a rule: breached or not, the values that decided it, and why in words."""

    breached: bool
    deciding: dict = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The lines as one sentence: the first starts it, each later one reads on after "; "."""
        if not self.explanation:
            return ""
        first, *rest = self.explanation
        return "; ".join([first[:1].upper() + first[1:], *(mid_sentence(line) for line in rest)])


def _number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def fmt(value) -> str:
    """A number without a trailing .0: 3, 0.5, 92.75; a value that is not a number (NaN: nothing to
    measure, such as a median without care hours) reads "not available" and never compares true."""
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return "not available"
    if isinstance(value, float | Decimal) and value == int(value):
        return str(int(value))
    return str(value)


def figure_text(value, measure: dict | None = None, compared_with=()) -> str:
    """A step's figure as every page, PDF and result sentence writes it, without its unit and without
    trailing zeros: 1.5, 2, 66.7, 0.071. A rate is rounded as every page rounds one (`format_rate`:
    three decimal places, more where it would look equal to a value it is compared with) and then
    loses its trailing zeros, so a recorded 1.5 reads "1.5", not "1.500"; anything else by `fmt`."""
    if (measure or {}).get("kind") == MeasureKind.RATE and _number(value):
        text = format_rate(value, [number for number in compared_with if _number(number)])
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, Decimal) and _number(value) and value != int(value):
        return format(value.normalize(), "f")  # a figure the records keep as 14.50 reads 14.5
    return fmt(value)


def _shown(value, measure: dict | None, compared_with: list) -> str:
    """A value in a result sentence: `figure_text`, a percentage with its sign ("9 %")."""
    if (measure or {}).get("kind") == MeasureKind.PERCENTAGE and _number(value):
        return f"{figure_text(value, measure)} %"
    return figure_text(value, measure, compared_with)


# --- validation ---------------------------------------------------------------------------------


def validate_rule(rule, measures: list[dict], depth: int = 0) -> None:
    """Raise RuleError unless ``rule`` is well formed and names only the step's measures."""
    if depth > MAX_DEPTH:
        raise RuleError(f"A threshold rule may nest 'all'/'any' at most {MAX_DEPTH} deep.")
    if not isinstance(rule, dict) or not rule:
        raise RuleError(f"A threshold rule must be a JSON object, got {rule!r}.")
    for combiner in ("all", "any"):
        if combiner in rule:
            if set(rule) != {combiner}:
                raise RuleError(f"An '{combiner}' rule takes nothing but its list of parts.")
            parts = rule[combiner]
            if not isinstance(parts, list) or not parts:
                raise RuleError(f"'{combiner}' needs a non-empty list of rules.")
            for part in parts:
                validate_rule(part, measures, depth + 1)
            return
    _validate_comparison(rule, by_name(measures))


def _validate_comparison(rule: dict, known: dict[str, dict]) -> None:
    subjects = [key for key in SUBJECT_KEYS if key in rule]
    if len(subjects) != 1:
        raise RuleError(
            "A comparison needs exactly one of 'measure', 'sum', 'any_item' or 'change_from_baseline' "
            f"(or use 'all' / 'any'); got keys {', '.join(sorted(rule))}."
        )
    subject = subjects[0]
    right = [key for key in ("value", "measure_ref") if key in rule]
    extra = sorted(set(rule) - {subject, "op", "value", "measure_ref"})
    if extra:
        raise RuleError(f"A comparison does not take {', '.join(extra)}.")
    op = rule.get("op")
    if op not in OPERATORS:
        raise RuleError(f"Unknown operator {op!r}; use one of {' '.join(OPERATORS)}.")
    if len(right) != 1:
        raise RuleError("A comparison needs exactly one of 'value' (a number) or 'measure_ref' (a measure).")
    if "value" in rule and not _number(rule["value"]):
        raise RuleError(f"The value compared with must be a number, got {rule['value']!r}.")
    if "measure_ref" in rule:
        _require_measure(rule["measure_ref"], known, scalar=True)
    if subject == "change_from_baseline" and "value" not in rule:
        raise RuleError("A change from baseline is compared with a number of percentage points ('value').")

    if subject == "sum":
        names = rule["sum"]
        if not isinstance(names, list) or len(names) < 2:
            raise RuleError("'sum' needs a list of at least two measure names.")
        for name in names:
            _require_measure(name, known, scalar=True)
    elif subject == "any_item":
        measure = _require_measure(rule["any_item"], known)
        if not measure.get("group"):
            raise RuleError(f"'{measure['name']}' is not a group measure, so 'any_item' cannot apply to it.")
    else:
        measure = _require_measure(rule[subject], known, scalar=True)
        if subject == "change_from_baseline" and not measure.get("baseline"):
            raise RuleError(f"'{measure['name']}' is not recorded with a baseline.")
    if "value" in rule:
        _check_range(rule["value"], subject, measure if subject != "sum" else None, rule["op"])


def _check_range(value, subject: str, measure: dict | None, op: str = "") -> None:
    """A threshold a measure can never reach would silently never (or always) breach: out of the
    measure's range, or at its edge where the comparison can never (or must always) hold: "fewer than
    0 %" never escalates, "0 or more" always does."""
    if subject == "change_from_baseline":
        low, high, what = -100, 100, "A change in percentage points"
    elif measure is not None and measure.get("kind") == "percentage":
        low, high, what = 0, 100, f"A threshold on {measure['label'].lower()}"
    else:
        low, high, what = 0, None, "A threshold on a count, rate or time"
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise RuleError(f"{what} must be {bounds}, not {fmt(value)}.")
    if (op == "<" and value <= low) or (op == ">" and high is not None and value >= high):
        raise RuleError(f"At {fmt(value)} the threshold can never be crossed: the step would never escalate.")
    if (op == ">=" and value <= low) or (op == "<=" and high is not None and value >= high):
        raise RuleError(f"At {fmt(value)} the threshold is always crossed: the step would always escalate.")


def _require_measure(name, known: dict[str, dict], scalar: bool = False) -> dict:
    if not isinstance(name, str) or name not in known:
        names = ", ".join(known) or "none"
        raise RuleError(f"Unknown measure {name!r}; this step's measures are: {names}.")
    if scalar and known[name].get("group"):
        raise RuleError(f"'{name}' is recorded per item: compare it with 'any_item'.")
    return known[name]


# --- evaluation ---------------------------------------------------------------------------------


def evaluate(rule: dict, values: dict, measures: list[dict] | None = None) -> Evaluation:
    """Evaluate a (validated) rule against recorded values. Pure: no database, no side effects.

    Returns whether the rule is breached, the values that decided it and one line of explanation per
    comparison. ``measures`` only supplies labels for the explanation.
    """
    for combiner, decide in (("all", all), ("any", any)):
        if combiner in rule:
            parts = [evaluate(part, values, measures) for part in rule[combiner]]
            breached = decide(p.breached for p in parts)
            # The parts that decided: all of them when 'all' holds or 'any' fails, else the odd ones out.
            if breached == (combiner == "all"):
                deciding_parts = parts
            else:
                deciding_parts = [p for p in parts if p.breached == breached]
            deciding = {}
            for part in deciding_parts:
                deciding.update(part.deciding)
            return Evaluation(breached, deciding, [line for p in parts for line in p.explanation])
    return _compare(rule, values, by_name(measures or []))


def _value(values: dict, name: str):
    if name not in values:
        raise RuleError(f"No value recorded for '{name}'.")
    return values[name]


def _right(rule: dict, values: dict, known: dict, left_numbers: list) -> tuple[float, str, dict]:
    """The right-hand side: a number, or another measure's recorded value (a rate told apart from the
    left-hand numbers it is compared with)."""
    if "measure_ref" in rule:
        name = rule["measure_ref"]
        number = _value(values, name)
        shown = _shown(number, known.get(name), left_numbers)
        return number, f"the {_noun(_measure(name, known))} ({shown})", {name: number}
    if "change_from_baseline" in rule:  # a change is compared in percentage points, as the rule says
        return rule["value"], _points(rule["value"]), {}
    subject = known.get(rule.get("any_item") or rule.get("measure"), {})
    if subject.get("kind") == MeasureKind.PERCENTAGE:  # a threshold as the rule's own number
        return rule["value"], f"{fmt(rule['value'])} %", {}
    # With the measure's unit ("15 minutes"), as the rule's own sentence writes it (`_amount`).
    return rule["value"], _amount(rule, subject), {}


def _left_numbers(rule: dict, values: dict) -> list:
    """The recorded numbers on the left of a comparison, which a rate on its right is told apart from."""
    if "any_item" in rule:
        return list(values.get(rule["any_item"], {}).values())
    if "measure" in rule:
        return [values.get(rule["measure"])]
    return []


def _compare(rule: dict, values: dict, known: dict) -> Evaluation:
    """One comparison judged, with its line in words: each label lower case mid-sentence (`_noun`);
    the line's first letter is made a capital only where it starts the result (`Evaluation.text`)."""
    test = OPERATORS[rule["op"]]
    words = OP_WORDS[rule["op"]]
    right, right_text, right_values = _right(rule, values, known, _left_numbers(rule, values))

    if "any_item" in rule:
        name = rule["any_item"]
        items = _value(values, name)
        hits = {item: number for item, number in items.items() if test(number, right)}
        breached = bool(hits)
        shown = hits if breached else items
        measure = known.get(name)
        found = (
            ", ".join(f"{item} ({_shown(n, measure, [right, *items.values()])})" for item, n in shown.items())
            or "no items recorded"
        )
        measure = _measure(name, known)
        # The label's "for each matched service" is said by the places named after it.
        what = _noun(measure, _PER_ITEM_ENDING.sub("", measure["label"]))
        if breached:
            line = f"the {what} is {words} {right_text} at {found}"
        else:
            item = measure.get("item_label") or "item"
            line = f"No {item}'s {what} is {words} {right_text} ({found})"
        return Evaluation(breached, {name: shown, **right_values}, [line])

    if "sum" in rule:
        names = rule["sum"]
        parts = {n: _value(values, n) for n in names}
        left = sum(parts.values())
        deciding = dict(parts)
        if all(_is_count(n, known) for n in names):
            counted = " plus ".join(_how_many(known[n], v) for n, v in parts.items())
            return _count_line(rule, f"{counted} come to {fmt(left)}", left, right, deciding, right_values)
        left_text = " + ".join(f"{_noun(_measure(n, known))} ({fmt(v)})" for n, v in parts.items())
        left_text = f"{left_text} = {fmt(left)}"
    elif "change_from_baseline" in rule:
        name = rule["change_from_baseline"]
        now, before = _value(values, name), _value(values, baseline_key(name))
        left = round(now - before, 6)
        left_text = (
            f"Change in {_noun(_measure(name, known))} from baseline ({fmt(before)} to {fmt(now)}: "
            f"{'+' if left >= 0 else ''}{_points(left)})"
        )
        deciding = {name: now, baseline_key(name): before}
    else:
        name = rule["measure"]
        left = _value(values, name)
        deciding = {name: left}
        if _is_count(name, known) and "measure_ref" not in rule:
            return _count_line(rule, _how_many(known[name], left), left, right, deciding, right_values)
        if known.get(name, {}).get("kind") == MeasureKind.PERCENTAGE and "measure_ref" not in rule:
            return _percentage_line(rule, _measure(name, known)["label"], left, right, deciding)
        left_text = f"the {_noun(_measure(name, known))} ({_shown(left, known.get(name), [right])})"

    breached = bool(test(left, right))
    line = f"{left_text} is {'' if breached else 'not '}{words} {right_text}"
    return Evaluation(breached, {**deciding, **right_values}, [line])


def _is_count(name: str, known: dict) -> bool:
    """A measure this step defines as a count: its result reads as that many things."""
    return known.get(name, {}).get("kind") == "count"


def _how_many(measure: dict, number) -> str:
    """A count as that many things: "3 services with a matching risk profile", "1 service ..."."""
    return f"{fmt(number)} {_counted_noun(measure, number)}"


def _count_line(rule: dict, left_text: str, left, right, deciding: dict, right_values: dict) -> Evaluation:
    """A count's result as a sentence: "3 services with a matching risk profile, which is more than 2"
    (or "not more than 2"); decided by the same comparison as any other."""
    breached = bool(OPERATORS[rule["op"]](left, right))
    line = f"{left_text}, which is {'' if breached else 'not '}{COUNT_WORDS[rule['op']]} {fmt(right)}"
    return Evaluation(breached, {**deciding, **right_values}, [line])


def _percentage_line(rule: dict, label: str, left, right, deciding: dict) -> Evaluation:
    """A percentage's result as a sentence: "Notices received within 4 hours: 75 % — below the 100 %
    required" (within it: "at or above the 100 % required"); a threshold that is a most is "allowed".
    Decided by the same comparison as any other."""
    op = rule["op"]
    breached = bool(OPERATORS[op](left, right))
    words = AMOUNT_WORDS[op if breached else NEGATED[op]]
    limit = {"<": "required", "<=": "required", ">": "allowed", ">=": "allowed"}.get(op)
    threshold = f"the {fmt(right)} % {limit}" if limit else f"{fmt(right)} %"
    return Evaluation(breached, deciding, [f"{label}: {fmt(left)} % — {words} {threshold}"])


# --- words and tuning ---------------------------------------------------------------------------

# Counts read "more than 2 services ...", amounts "... is below 93 %", a change "improves by less than 5".
COUNT_WORDS = {
    ">": "more than",
    ">=": "at least",
    "<": "fewer than",
    "<=": "at most",
    "==": "exactly",
    "!=": "other than",
}
AMOUNT_WORDS = {
    ">": "above",
    ">=": "at or above",
    "<": "below",
    "<=": "at or below",
    "==": "exactly",
    "!=": "other than",
}
CHANGE_WORDS = {**COUNT_WORDS, "<": "less than"}
# What holds when a comparison does not: a percentage within its threshold says where it stands.
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
# A group measure's label ends with whom it is recorded for ("..., for each matched service"); the
# rule names the item itself ("at least one matched service's ..."), so that ending is dropped.
_PER_ITEM_ENDING = PER_ITEM_ENDING


def describe_rule(rule: dict, measures: list[dict] | None = None) -> str:
    """The rule in a care manager's words with units: the one function every rule text comes from.

    For chain A's first step: "more than 2 services with a matching risk profile and at least one
    matched service's incident rate per 100 care hours in the previous 7 days is above the provider
    median incident rate per 100 care hours". Pages put "Escalate to <role> when" in front of it.
    """
    known = by_name(measures or [])
    for combiner, joiner in (("all", " and "), ("any", " or ")):
        if combiner in rule:
            return joiner.join(describe_rule(part, measures) for part in rule[combiner])
    return _comparison_words(rule, known)


def _comparison_words(rule: dict, known: dict, value_text: str | None = None) -> str:
    """One comparison in words; ``value_text`` stands in for its threshold (the tuning form's "N")."""
    op = rule["op"]
    right = f"the {_noun(_measure(rule['measure_ref'], known))}" if "measure_ref" in rule else None
    if "sum" in rule:
        parts = " plus ".join(_noun(_measure(name, known)) for name in rule["sum"])
        return f"{parts} come to {COUNT_WORDS[op]} {right or value_text or fmt(rule['value'])}"
    if "any_item" in rule:
        measure = _measure(rule["any_item"], known)
        item = measure.get("item_label") or "item"
        what = _noun(measure, _PER_ITEM_ENDING.sub("", measure["label"]))
        right = right or _amount(rule, measure, value_text)
        return f"at least one {item}'s {what} is {AMOUNT_WORDS[op]} {right}"
    if "change_from_baseline" in rule:
        measure = _measure(rule["change_from_baseline"], known)
        points = value_text or fmt(rule["value"])
        return f"{_noun(measure)} improves on its baseline by {CHANGE_WORDS[op]} {points} percentage points"
    measure = _measure(rule["measure"], known)
    if right:
        return f"{_noun(measure)} {'are' if _plural(measure) else 'is'} {AMOUNT_WORDS[op]} {right}"
    amount = _amount(rule, measure, value_text)
    if measure.get("kind") == "count":
        number = None if value_text else rule["value"]
        return f"{COUNT_WORDS[op]} {amount} {_counted_noun(measure, number)}"
    if measure.get("kind") == "percentage" and _plural(measure):
        return f"{COUNT_WORDS[op]} {amount} of {_noun(measure)}"
    return f"{_noun(measure)} {'are' if _plural(measure) else 'is'} {AMOUNT_WORDS[op]} {amount}"


def _measure(name: str, known: dict) -> dict:
    """The measure's definition; a name the step does not define still reads as words."""
    return known.get(name) or {"name": name, "label": name.replace("_", " "), "kind": "count"}


def mid_sentence(words: str) -> str:
    """Words that do not start the sentence: first letter lower case, unless they start with an
    acronym (MAR) or a name's capitals ("A1")."""
    if len(words) > 1 and (words[1].isupper() or words[1].isdigit()):
        return words
    return words[:1].lower() + words[1:]


def _noun(measure: dict, label: str | None = None) -> str:
    """The label to use mid-sentence (`mid_sentence`)."""
    return mid_sentence(label or measure["label"])


def _counted_noun(measure: dict, number) -> str:
    """The count's label mid-sentence, its head noun singular after the number 1 ("more than 1
    high-risk matched service still lacking ..."). The head noun is the first plural word of the first
    four ("Distribution or ownership defects ...")."""
    words = _noun(measure).split(" ")
    if number != 1:
        return " ".join(words)
    for index, word in enumerate(words[:4]):
        if word.endswith("s") and not word.endswith("ss"):
            words[index] = word[:-1]
            break
    return " ".join(words)


def _plural(measure: dict) -> bool:
    """Whether the label names things ("Matched services ...", "Risk-note updates ...") rather than one
    quantity ("Care-record completion ...", "Average minutes ..."): it decides "is"/"are" and whether a
    percentage reads "fewer than 93 % of ...". Labels are short noun phrases, so the head noun is one of
    the first two words."""
    words = measure["label"].split()[:2]
    if not words or words[0].lower() in ("average", "movement"):
        return False
    return any(word.endswith("s") and not word.endswith("ss") for word in words)


def _amount(rule: dict, measure: dict, value_text: str | None = None) -> str:
    """The threshold with the measure's unit: "100 %", "15 minutes", "0.5 incidents per 100 care hours";
    a count's unit is already the noun of its label, so it stands alone."""
    value = value_text or fmt(rule["value"])
    unit = measure.get("unit") or ""
    if measure.get("kind") == "count" or not unit:
        return value
    return f"{value} {unit}"


def _points(number) -> str:
    """A change in percentage points as a result sentence writes it: "1 point", "-0.5 points"."""
    return f"{fmt(number)} point{'' if abs(number) == 1 else 's'}"


def _comparisons(rule: dict) -> list[dict]:
    """Every comparison in the rule, depth first (the order the tuning form numbers them)."""
    for combiner in ("all", "any"):
        if combiner in rule:
            return [c for part in rule[combiner] for c in _comparisons(part)]
    return [rule]


def thresholds(rule: dict, measures: list[dict] | None = None) -> list[dict]:
    """The rule's numeric thresholds a provider may tune: [{"index", "text", "value", "measures"}, ...],
    "measures" naming what each compares (the tuning form asks a count for a whole number)."""
    numbered = [c for c in _comparisons(rule) if "value" in c]
    return [
        {
            "index": i,
            "text": _threshold_text(c, measures),
            "value": c["value"],
            "measures": sorted(rule_measures(c)),
        }
        for i, c in enumerate(numbered)
    ]


def threshold_of(rule: dict, measure: str, op: str = ">"):
    """The number the rule compares `measure` with by `op` ("more than N": 2 in A1's seed rule
    {"measure": "matched_services", "op": ">", "value": 2}), as a provider may have tuned it; the first
    such comparison, depth first. None when the rule has none (the measure compared with another
    measure or by another operator, or not at all): the caller decides what that means for it.

    For a page that says what the rule waits for without judging it; `evaluate` judges it."""
    numbered = (c for c in _comparisons(rule) if "value" in c and c["op"] == op)
    return next((c["value"] for c in numbered if c.get("measure") == measure), None)


def _threshold_text(comparison: dict, measures) -> str:
    """The comparison with "N" for the number a provider may change, e.g. "more than N services with a
    matching risk profile"."""
    return _comparison_words(comparison, by_name(measures or []), value_text="N")


def with_thresholds(rule: dict, new_values: list) -> dict:
    """A copy of the rule with its numeric thresholds replaced, in the order thresholds() lists them."""
    tuned = copy.deepcopy(rule)
    numbered = [c for c in _comparisons(tuned) if "value" in c]
    if len(new_values) != len(numbered):
        raise RuleError(f"This rule has {len(numbered)} threshold(s); {len(new_values)} given.")
    for comparison, value in zip(numbered, new_values, strict=True):
        if not _number(value):
            raise RuleError(f"A threshold must be a number, got {value!r}.")
        comparison["value"] = value
    return tuned


# --- per group ----------------------------------------------------------------------------------
# Seed 004 compares the same rule by team, shift and location. A group's figures may cover only some
# of a step's measures, so a comparison without its values is "not judged": it never counts as breached.
# An "all" rule is then breached only when every part is judged and breached (a group breaching one half
# of an AND is not weak); an "any" rule is breached when any judged part is.


def rule_measures(rule: dict) -> set[str]:
    """The names of the recorded values a rule reads (baselines included)."""
    for combiner in ("all", "any"):
        if combiner in rule:
            return {name for part in rule[combiner] for name in rule_measures(part)}
    names = set(rule["sum"]) if "sum" in rule else set()
    for key in ("measure", "any_item", "measure_ref"):
        if key in rule:
            names.add(rule[key])
    if "change_from_baseline" in rule:
        names |= {rule["change_from_baseline"], baseline_key(rule["change_from_baseline"])}
    return names


def _judged_part(rule: dict, values: dict) -> dict | None:
    """The part of the rule the values can judge, or None when nothing that decides it is recorded."""
    for combiner in ("all", "any"):
        if combiner in rule:
            parts = [_judged_part(part, values) for part in rule[combiner]]
            if combiner == "all" and None in parts:
                return None  # an AND with an unknown part cannot be shown breached
            known = [part for part in parts if part is not None]
            return {combiner: known} if known else None
    return rule if rule_measures(rule) <= set(values) else None


def evaluate_partial(rule: dict, values: dict, measures: list[dict] | None = None) -> Evaluation:
    """Like evaluate(), but a comparison whose values are not recorded is not judged (never breached)."""
    judged = _judged_part(rule, values)
    if judged is None:
        missing = sorted(rule_measures(rule) - set(values))
        return Evaluation(False, {}, [f"Not judged: no value recorded for {', '.join(missing)}"])
    return evaluate(judged, values, measures)


def evaluate_groups(rule: dict, values_by_group: dict, measures: list[dict] | None = None) -> dict:
    """Evaluate one rule for each group on that group's own values: {group: Evaluation}.

    Pure, like evaluate(). ``values_by_group`` maps any hashable group key (e.g. ("team", "Oak")) to
    the group's values; "all"/"any" keep their meaning, and unrecorded comparisons are not judged.
    """
    return {group: evaluate_partial(rule, values, measures) for group, values in values_by_group.items()}
