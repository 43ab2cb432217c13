"""Engine events: the explicit rows that record each state change of a case (people's edits are in
the models' history)."""

from django.utils import timezone

from .models import ChainRun, EngineEvent


def write_event(
    kind, run: ChainRun, *, step_run=None, escalation=None, actor=None, at=None, message=""
) -> EngineEvent:
    """Record that `kind` happened to the case `run` (and its step run or escalation), by whom and when."""
    return EngineEvent.objects.create(
        kind=kind,
        at=at or timezone.now(),
        provider_id=run.provider_id,
        chain_run=run,
        step_run_id=step_run.pk if step_run else (escalation.step_run_id if escalation else None),
        escalation=escalation,
        actor=actor,
        message=message,
    )
