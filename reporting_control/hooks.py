"""What the escalation engine calls back for chain C (see escalation/chain_hooks.py).

Registered in ReportingControlConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from django.core.exceptions import ValidationError

from . import chain
from .computations import line_count_problems
from .models import ReportingUpdate
from .movement import missing_movement
from .services import place_automatic_hold, tell_managers_of_services_behind

# A breach of either step holds the update: C4 places the hold, C5 keeps it (DOMAIN.md chain C).
HOLD_STEPS = ("C4", "C5")


def refuse_impossible_counts(record) -> None:
    """Refuse a record counting the update's lines impossibly: more lines than the update has, or, on
    the sign-off (C5), other than what the lines show (computations.line_count_problems); and C2's
    record leaving out the movement of a line presented as improved (movement.missing_movement).

    Registered before `act_on_breach`. The engine calls its hooks inside the recording's transaction,
    so refusing here keeps nothing of the record, and the step page shows each message on its field
    with what was typed. Checked here rather than on the page, so every way of recording is refused."""
    problems = line_count_problems(record.step_run, record.values, record.recorded_at)
    problems |= missing_movement(record.step_run, record.values)
    if problems:
        raise ValidationError(problems)


def act_on_breach(record) -> None:
    """A breached C4 or C5 record places (or keeps) the issue hold at once, whichever page recorded it
    (usually the engine's step page); a breached C2 record tells the registered managers of the named
    services behind. The engine calls this inside its recording transaction, so the record and what it
    causes are saved together or not at all, and before it raises the step's own breach escalation:
    C2's per-service escalations are then the step's breach escalations, and the engine raises its one
    service-less escalation (a role gap) only when no named service is behind."""
    code = record.step_run.code
    if not record.breached or code not in (*HOLD_STEPS, chain.FIGURES_STEP):
        return
    subject = record.step_run.chain_run.subject
    if not isinstance(subject, ReportingUpdate):
        return
    if code == chain.FIGURES_STEP:
        tell_managers_of_services_behind(subject, record)
    else:
        place_automatic_hold(subject, record)
