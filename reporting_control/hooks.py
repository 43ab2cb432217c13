"""What the escalation engine calls back for chain C (see escalation/chain_hooks.py).

Registered in ReportingControlConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from django.core.exceptions import ValidationError

from . import chain
from .choices import LineKind
from .computations import line_count_problems
from .evidence import evidence_map
from .models import ReportingUpdate
from .movement import against_the_claim, missing_movement
from .services import assess_line_evidence, place_automatic_hold, tell_managers_of_services_behind

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
        for escalation in tell_managers_of_services_behind(subject, record):
            # Asked of the service's registered manager, who cannot open the update: what they can do.
            escalation.action = chain.service_behind_action(escalation.service)
            escalation.save(update_fields=["action"])
    else:
        place_automatic_hold(subject, record)


def flag_movement_against_the_claim(record) -> None:
    """C2's record says each line presented as improved whose movement from baseline goes against the
    claim (zero or below): "Line 2 is presented as improved, but its movement from baseline is -10 %".
    The figure is kept, it is a fact; the contradiction is added to the record's explanation, so the
    step page, its earlier records and whoever reads the record see it. C2's rule (the seed's threshold
    on services completing the action) is left as it is: weighing the contradiction is C4's."""
    if record.step_run.code != chain.FIGURES_STEP:
        return
    flags = against_the_claim(record.values)
    if not flags:
        return
    record.explanation = "; ".join([record.explanation, *flags]) if record.explanation else "; ".join(flags)
    record.save(update_fields=["explanation"])


def judge_improved_lines_again(record) -> None:
    """C2's record gives the movement the improved lines' evidence waits for: judge them again at once
    (found: a line said "not checked against the figures (C2) yet" beside the movement just recorded,
    until someone pressed "Check the evidence"). The system judges, as on adding a line; decided lines
    stay as decided."""
    update = record.step_run.chain_run.subject
    if record.step_run.code != chain.FIGURES_STEP or not isinstance(update, ReportingUpdate):
        return
    if update.released_at:
        return  # released as it stood: the update's page says when evidence changed since
    found = evidence_map(update)  # once for every line, not once a line
    for line in update.lines.filter(kind=LineKind.IMPROVEMENT).order_by("order"):
        assess_line_evidence(line, now=record.recorded_at, found=found)
