"""A team, shift or location weak now, in words: the one place the deployment page, the refusal to end
live monitoring and the evidence pack's account of live practice take them from (re-exported by
adoption.variation, where the comparison that finds them lives)."""

from escalation.choices import group_words
from escalation.measures import baseline_key
from escalation.rules import fmt, rule_measures, threshold_of


def weak_now_groups(sections: list[dict]) -> list[dict]:
    """Every group whose latest figures breach its step's rule, once per step and group (a rule on
    several measures shows the group in each of their sections), with what to say about it."""
    seen = set()
    groups = []
    for section in sections:
        for row in section["weak_now"]:
            key = (section["code"], row["dimension"], row["group"])
            if key not in seen:
                seen.add(key)
                group = {
                    "code": section["code"],
                    "measure": section["measure"],
                    "label": section["label"],
                    "threshold": section["threshold"],
                    "baseline": section.get("baseline"),
                    "rule": section.get("rule"),
                    "unit": section.get("unit", ""),
                    **row,
                }
                group["text"] = weak_group_text(group)
                groups.append(group)
    return groups


def weak_group_text(group: dict) -> str:
    """One weak group in a short line of its own (a list item), the step code after the words for the
    governance team, and its latest figure against what the group is judged by (`compared_with_words`):
    "The night shift: Care-record completion … (B1), latest 83 against a baseline of 80"; "Team Yew:
    Risk-note updates … (B2), latest 91, below the 93 % the check asks for". The page, the refusal to
    end live monitoring and the evidence pack all say it so."""
    name = group_words(f"{group['dimension']} {group['group']}")
    text = f"{name[:1].upper()}{name[1:]}: {group['label']} ({group['code']}), latest {fmt(group['latest'])}"
    if "rule" not in group:
        # A caller that does not pass the step's rule is told of the baseline, as it always was.
        compared = _baseline_words(group.get("baseline"))
    else:
        compared = compared_with_words(
            group["rule"], group["measure"], group.get("baseline"), group.get("unit"), group.get("latest")
        )
    return f"{text}{compared}"


# A group's latest figure beside the figure its step's rule compares it with, by the rule's comparison
# (the rule breaches on the comparison, so these say where the figure stands against the check).
THRESHOLD_WORDS = {
    "<": ", below the {amount} the check asks for",
    "<=": ", at or below {amount}, where the check asks for more",
    ">": ", above the {amount} the check allows",
    ">=": ", at or above {amount}, where the check asks for less",
}


def compared_with_words(
    rule: dict | None, measure: str, baseline=None, unit: str | None = "", latest=None
) -> str:
    """What a weak group's latest `measure` is judged by, in words to follow "latest 91": the
    deployment's baseline where the step's rule judges the measure's change from it (" against a
    baseline of 80"), else the fixed figure the rule compares it with (", below the 93 % the check asks
    for"); "" when the rule compares it with neither. A group above its baseline but below a fixed
    threshold is weak, and must not read as if it were judged against the baseline."""
    if not rule:
        return ""
    if baseline_key(measure) in rule_measures(rule):
        return _baseline_words(baseline) + _rise_words(rule, measure, baseline, latest)
    for op, words in THRESHOLD_WORDS.items():
        value = threshold_of(rule, measure, op)
        if value is not None:
            return words.format(amount=f"{fmt(value)} {_unit_of(value, unit or '')}".strip())
    return ""


def _unit_of(value, unit: str) -> str:
    """The unit as a number of 1 reads it: "1 concern", "2 concerns" (a unit such as "%" unchanged)."""
    return unit[:-1] if float(value) == 1 and unit.endswith("s") else unit


def _rise_words(rule: dict, measure: str, baseline, latest) -> str:
    """Why a figure above its baseline is still weak, where the rule asks for a rise of at least N
    points (B1: "change from baseline < 5"): ": up 2 points, where the check asks for a rise of at
    least 5". "" for any other rule, or without the figures."""
    if rule.get("change_from_baseline") != measure or rule.get("op") != "<" or None in (baseline, latest):
        return ""
    change = float(latest) - float(baseline)
    moved = f"up {fmt(change)}" if change > 0 else ("no change" if change == 0 else f"down {fmt(-change)}")
    points = "" if change == 0 else f" point{'' if abs(change) == 1 else 's'}"
    return f": {moved}{points}, where the check asks for a rise of at least {fmt(rule['value'])}"


def _baseline_words(baseline) -> str:
    """ " against a baseline of 80", or "" where the deployment keeps no baseline for the measure."""
    return "" if baseline is None else f" against a baseline of {fmt(baseline)}"
