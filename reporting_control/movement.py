"""C2's movement from baseline, asked only for the update's lines presented as improved.

The measure (fixtures/chains.json, C2) is a per-line figure a person counts from the approved
baselines. A line that claims no improvement has no movement to give, so the step's form leaves the
measure out when no line claims one, and asks for the improved lines alone when some do
(escalation.step_facts.items_asked); the step's page says which lines, or why nothing is asked.
"""

import re

from django.db.models import Q

from escalation.models import StepRecord
from escalation.rules import figure_text
from escalation.step_facts import StepFacts
from providers.models import Service
from providers.templatetags.nhsuk import on_at

from .chain import FIGURES_STEP
from .choices import WITHHELD_STATES, LineKind
from .models import ReportingUpdate

MOVEMENT = "movement_from_baseline_pct"
# What a C2 record that asked no movement (it keeps {}) reads on every page and in the evidence pack.
NONE_ASKED = "Not asked: no line claims an improvement"
# The sign of a movement (found: a 12 % fall in falls typed as -12 read as against the claim, and a rise
# typed as 12 as support).
BETTER_IS_ABOVE_ZERO = (
    "Better than the baseline is above 0: falls down 12 % on the baseline is 12. Worse than the baseline "
    "is below 0, and reads as going against the claim."
)
# How a person names a line: "Line 2", "line 2" or "2".
_LINE_ITEM_RE = re.compile(r"(?:line\s*)?(\d+)", re.IGNORECASE)


def improved_lines(update: ReportingUpdate) -> list:
    """The lines presented as improved that the update still says (a frozen or deferred line is left
    out of it), in order: one query."""
    return list(
        update.lines.filter(kind=LineKind.IMPROVEMENT).exclude(state__in=WITHHELD_STATES).order_by("order")
    )


def item_name(line) -> str:
    """A line as the movement names it: "Line 2"."""
    return f"Line {line.order}"


def _update_of(step_run) -> ReportingUpdate | None:
    subject = step_run.chain_run.subject
    return subject if isinstance(subject, ReportingUpdate) else None


def items_asked(step_run) -> list[str] | None:
    """The lines C2 asks the movement of ("Line 2"), or None for a case not about an update."""
    update = _update_of(step_run)
    return None if update is None else [item_name(line) for line in improved_lines(update)]


def movement_facts(step_run) -> StepFacts | None:
    """Shown on C2's page: the lines presented as improved, or why no movement is asked."""
    update = _update_of(step_run)
    if update is None:
        return None
    lines = improved_lines(update)
    if not lines:
        return StepFacts(
            "Lines presented as improved",
            [
                (
                    "Movement from baseline",
                    "Not asked: no line of this update claims an improvement, so there is no movement "
                    "from baseline to enter.",
                )
            ],
        )
    current = step_run.records.filter(is_current=True).first()
    flags = against_the_claim(current.values if current else {})
    return StepFacts(
        "Lines presented as improved",
        [(item_name(line), line.claim) for line in lines]
        + [("Movement from baseline", f"Asked for these lines only: {', '.join(map(item_name, lines))}.")]
        + [("Which way is better", BETTER_IS_ABOVE_ZERO)]
        + [("Against the claim", flag) for flag in flags],
    )


def _line_number(item) -> int | None:
    """The line a recorded item names ("Line 2", "line 2" or "2"), or None."""
    found = _LINE_ITEM_RE.fullmatch(str(item).strip())
    return int(found.group(1)) if found else None


def recorded_movements(values) -> dict[int, float]:
    """{line number: movement from baseline} as a C2 record gives them, in the record's order."""
    movement = values.get(MOVEMENT) if isinstance(values, dict) else None
    if not isinstance(movement, dict):
        return {}
    return {
        _line_number(item): number
        for item, number in movement.items()
        if _line_number(item) is not None and isinstance(number, int | float)
    }


def _movements_against(values) -> list[tuple[int, float]]:
    """(line number, movement) for each recorded movement at zero or below, in the record's order."""
    return [(line, number) for line, number in recorded_movements(values).items() if number <= 0]


def latest_figures_check(run) -> StepRecord | None:
    """The latest check of the figures (C2) recorded on the update's chain C case `run` (None: not
    started, or none recorded), whichever day's check it was, with who recorded it. One query."""
    if run is None:
        return None
    return (
        StepRecord.objects.filter(step_run__chain_run=run, step_run__code=FIGURES_STEP, is_current=True)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def against_the_claim(values: dict) -> list[str]:
    """Each recorded movement going against its line's claim of improvement (zero or below): "Line 2 is
    presented as improved, but its movement from baseline is -10 %". Kept as recorded, since it is what
    the figures show, but said wherever the record is read: C2's own rule judges only the services
    completing the action (the seed's threshold), so the contradiction is for C4 and the sign-off to weigh."""
    return [
        f"Line {line} is presented as improved, but its movement from baseline is {figure_text(number)} %"
        for line, number in _movements_against(values)
    ]


def lines_against_the_claim(run) -> dict[int, str]:
    """{line order: what the latest check of the figures (C2) says against the line's claim}, for the
    update's page: "its movement from baseline is -10 % in the figures checked by Priya Shah on Mon 7
    Dec 2026 at 12:12". `run` is the update's chain C case (None: not started). Only the latest record
    counts, so a movement entered again for the claim takes the flag away. One query."""
    latest = latest_figures_check(run)
    if latest is None:
        return {}
    checked = f"in the figures checked by {latest.recorded_by} {on_at(latest.recorded_at)}"
    return {
        line: f"its movement from baseline is {figure_text(number)} % {checked}."
        for line, number in _movements_against(latest.values)
    }


def affected_services(step_run):
    """The services C2's escalation may name: those the update covers or its lines name, so the
    analyst cannot send it to the manager of a service the update is not about. None (the provider's
    services) for a case not about an update."""
    update = _update_of(step_run)
    if update is None:
        return None
    about = Q(reporting_updates=update) | Q(reporting_lines__update=update)
    return Service.objects.filter(about).distinct().order_by("name")


def missing_movement(step_run, values: dict) -> dict[str, str]:
    """{measure name: message} when C2's record leaves out the movement of a line presented as improved:
    a claim of improvement is not checked without its figure. Lines named as "Line 2", "line 2" or "2"."""
    update = _update_of(step_run)
    if update is None or step_run.code != FIGURES_STEP or not isinstance(values.get(MOVEMENT), dict):
        return {}
    lines = improved_lines(update)
    given = {_line_number(item) for item in values[MOVEMENT]}
    missing = [line for line in lines if line.order not in given]
    # A line not claiming an improvement has no movement to give; said only where some line is asked
    # (with none, the form records nothing and asks nothing).
    asked = {line.order for line in lines}
    not_asked = [str(item).strip() for item in values[MOVEMENT] if lines and _line_number(item) not in asked]
    problems = []
    if missing:
        words = ", ".join(item_name(line) for line in missing)
        verb, whose = ("is", "its") if len(missing) == 1 else ("are", "their")
        problems.append(
            f"{words} {verb} presented as improved: enter {whose} movement from baseline, "
            f"one 'Line number = figure' a row (for example, {item_name(missing[0])} = 12)."
        )
    only = ", ".join(map(item_name, lines))
    for item in not_asked:
        named = item if _line_number(item) is None else f"Line {_line_number(item)}"
        problems.append(f"{named} does not claim an improvement: movement is asked only for {only}.")
    return {MOVEMENT: " ".join(problems)} if problems else {}
