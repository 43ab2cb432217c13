"""Choices of the escalation engine: chains, measure kinds and the states of runs and escalations."""

from django.db import models


class ChainCode(models.TextChoices):
    A = "A", "Chain A – learning transfer"
    B = "B", "Chain B – adoption in live practice"
    C = "C", "Chain C – reporting control"


class MeasureKind(models.TextChoices):
    """What a measure counts; each kind has its own range check (see measures.py)."""

    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    RATE = "rate", "Rate"
    MINUTES = "minutes", "Minutes"


class TargetScope(models.TextChoices):
    """Where a step's escalation target is looked for."""

    RUN = "run", "The case's service, its region, then the provider"
    AFFECTED_SERVICE = "affected_service", "The service the recorder names as affected"


class ChainRunStatus(models.TextChoices):
    OPEN = "open", "Open — steps still to record"
    CLOSED = "closed", "Closed — nothing more to record"


class StepRunState(models.TextChoices):
    """A step run starts due; it becomes overdue (engine), recorded or breached (a person), or closed.

    Each label says what happened and what to do next; a breached step shows its own words instead
    when it has them (StepRun.state_label).
    """

    DUE = "due", "Due — record it by the deadline"
    OVERDUE = "overdue", "Overdue — record it now"
    RECORDED = "recorded", "Recorded — no action needed"
    BREACHED = "breached", "Threshold reached — escalated for action"
    CLOSED = "closed", "Closed — no longer needed"


# Shown, never stored: a recorded step with an escalation from it still open (found: "no action needed"
# above the list of its escalations still asking to be acknowledged).
RECORDED_ESCALATIONS_OPEN = "Recorded — escalations from it are still open"

# Shown, never stored: a check of a step run each shift or day still due whose turn has not come (the
# one before it has not fallen due yet), with when it opens (StepRun.display_state and state_words).
NOT_OPEN = "not_open"
NOT_OPEN_WORDS = "Not open yet — opens {opens}"


class EscalationKind(models.TextChoices):
    BREACH = "breach", "Threshold reached"
    OVERDUE = "overdue", "Step overdue"
    FOLLOW_UP = "follow_up", "Not acknowledged in time"
    WEAK_GROUP = "weak_group", "Weak group hidden by the average"


class EscalationState(models.TextChoices):
    """Each label says what happened and what happens next."""

    RAISED = "raised", "Raised — to be acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged — action to be recorded"
    RESOLVED = "resolved", "Resolved — action recorded"


class EventKind(models.TextChoices):
    """Engine and case state changes, written as explicit rows (people's edits are in model history)."""

    CHAIN_STARTED = "chain_started", "Case started"
    CHAIN_CLOSED = "chain_closed", "Case closed"
    STEP_RECORDED = "step_recorded", "Step recorded"
    STEP_OVERDUE = "step_overdue", "Step overdue"
    ESCALATION_RAISED = "escalation_raised", "Escalation raised"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation acknowledged"
    ACTION_RECORDED = "action_recorded", "Action recorded"
    ESCALATION_RESOLVED = "escalation_resolved", "Escalation resolved"
    NOBODY_TO_TELL = "nobody_to_tell", "Nobody holds the role or the Nominated Individual role"


def group_words(name: str) -> str:
    """A weak group's name ("shift night", "team Yew", as `Escalation.group` keeps it) as a sentence says
    it: "the night shift", "team Yew"; a name that already says what it is ("team Night team") is not
    said twice ("the Night team"). The stored name is left as it is: it is what makes each group's
    escalation unique for its step."""
    dimension, _, group = name.partition(" ")
    if dimension == "shift":
        return f"the {group}" if group.lower().endswith("shift") else f"the {group} shift"
    if dimension == "team" and group.lower().endswith("team"):
        return f"the {group}"
    return name
