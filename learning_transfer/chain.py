"""The one place this app talks to the escalation engine about chain A (a trigger's case)."""

from django.utils import timezone

from escalation import prefill
from escalation import services as engine
from escalation.subjects import ChainCases

CHAIN_CODE = "A"


def start(trigger, by):
    """Start chain A on the trigger (idempotent in the engine); deadlines count from confirmation."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=trigger.provider,
        subject=trigger,
        anchor_at=trigger.confirmed_at,
        service=trigger.source_service,
        started_by=by,
    )


CASES = ChainCases(CHAIN_CODE)
run_for, step_run, record, close = CASES.run_for, CASES.step_run, CASES.record, CASES.close


def prefill_values(step_run_obj) -> dict:
    """What this app can compute for a chain A step run, for the engine's step form (None left out)."""
    from .models import LearningTrigger
    from .services.measures import step_values

    subject = step_run_obj.chain_run.subject
    if not isinstance(subject, LearningTrigger):
        return {}
    values = step_values(subject, step_run_obj.code, timezone.now())
    return {key: value for key, value in values.items() if value is not None}


def register_prefill() -> None:
    """Offer `prefill_values` to the engine's step form for chain A."""
    prefill.register(CHAIN_CODE, prefill_values)


def escalation_counts(provider, now, triggers=None) -> dict:
    """Open escalations of the provider's chain A cases, and those not acknowledged in time; only
    the cases of `triggers` when given (a filtered page counts what it shows)."""
    return engine.escalation_counts(provider, CHAIN_CODE, now, subjects=triggers)


def judge_a5(provider, values: dict) -> dict:
    """A5's rule, as this provider runs it, on the executive summary's live figures."""
    return engine.judge_step(provider, CHAIN_CODE, "A5", values)
