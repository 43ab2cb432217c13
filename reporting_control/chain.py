"""The one place this app talks to the escalation engine about chain C (an update's case)."""

from django.db.models.signals import post_save

from escalation import computations
from escalation import services as engine
from escalation.models import StepRecord
from escalation.subjects import ChainCases

CHAIN_CODE = "C"
# A breach of either step holds the update: C4 places the hold, C5 keeps it (DOMAIN.md chain C).
HOLD_STEPS = ("C4", "C5")
SIGN_OFF_STEP = "C5"


def start(update, by):
    """Start chain C on the update: its steps count back from the issue date-time."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=update.provider,
        subject=update,
        anchor_at=update.issue_at,
        until=update.issue_at,
        started_by=by,
    )


CASES = ChainCases(CHAIN_CODE)
run_for, step_run, record, close = CASES.run_for, CASES.step_run, CASES.record, CASES.close


def record_sign_off(update, *, by, notes: str = "", now=None):
    """The Provider Director records C5 with the figures the system computes (residual defects and
    deferred sections as they stand now); the engine checks the role and judges the threshold."""
    values = computations.compute(step_run(update, SIGN_OFF_STEP), now).values
    return record(update, SIGN_OFF_STEP, by=by, values=values, notes=notes, now=now)


def on_step_recorded(sender, instance: StepRecord, created: bool, raw: bool = False, **kwargs) -> None:
    """A breached C4 or C5 record places (or keeps) the issue hold at once, whichever page recorded it.

    A signal (not a call from our own views) because they are usually recorded on the engine's step page;
    it runs inside the engine's transaction, so the record and the hold are saved together or not at all.
    """
    if raw or not created or not instance.breached or instance.step_run.code not in HOLD_STEPS:
        return
    from .models import ReportingUpdate
    from .services import place_automatic_hold

    subject = instance.step_run.chain_run.subject
    if isinstance(subject, ReportingUpdate):
        place_automatic_hold(subject, instance)


def connect_issue_hold() -> None:
    post_save.connect(on_step_recorded, sender=StepRecord, dispatch_uid="reporting_control_c4_hold")
