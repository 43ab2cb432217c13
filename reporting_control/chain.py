"""The one place this app talks to the escalation engine about chain C (an update's case)."""

from escalation import computations
from escalation import services as engine
from escalation.subjects import ChainCases

CHAIN_CODE = "C"
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
