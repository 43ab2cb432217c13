"""C2's movement from baseline, asked only for the update's lines presented as improved.

The measure (fixtures/chains.json, C2) is a per-line figure a person counts from the approved
baselines. A line that claims no improvement has no movement to give, so the step's form leaves the
measure out when no line claims one, and asks for the improved lines alone when some do
(escalation.step_facts.items_asked); the step's page says which lines, or why nothing is asked.
"""

import re

from escalation.step_facts import StepFacts

from .chain import FIGURES_STEP
from .choices import WITHHELD_STATES, LineKind
from .models import ReportingUpdate

MOVEMENT = "movement_from_baseline_pct"
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
    return StepFacts(
        "Lines presented as improved",
        [(item_name(line), line.claim) for line in lines]
        + [("Movement from baseline", f"Asked for these lines only: {', '.join(map(item_name, lines))}.")],
    )


def missing_movement(step_run, values: dict) -> dict[str, str]:
    """{measure name: message} when C2's record leaves out the movement of a line presented as improved:
    a claim of improvement is not checked without its figure. Lines named as "Line 2", "line 2" or "2"."""
    update = _update_of(step_run)
    if update is None or step_run.code != FIGURES_STEP or not isinstance(values.get(MOVEMENT), dict):
        return {}
    given = set()
    for item in values[MOVEMENT]:
        found = _LINE_ITEM_RE.fullmatch(str(item).strip())
        if found:
            given.add(int(found.group(1)))
    missing = [line for line in improved_lines(update) if line.order not in given]
    if not missing:
        return {}
    words = ", ".join(item_name(line) for line in missing)
    verb, whose = ("is", "its") if len(missing) == 1 else ("are", "their")
    return {
        MOVEMENT: f"{words} {verb} presented as improved: enter {whose} movement from baseline, "
        f"one 'Line number = figure' a line (for example, {item_name(missing[0])} = -12)."
    }
