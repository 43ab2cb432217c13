"""Run the escalation engine over the demo's story at the moments it would have acted.

The demo's story is recorded at the times it claims, days before the demo is loaded. Beat runs the
engine every minute, so a step that fell overdue on Friday was escalated on Friday, and an escalation
nobody acknowledged was followed up when its window closed. Running the engine once at load time would
raise them all "now", which the audit trail would then contradict.
"""

from datetime import datetime

from django.db.models import Min

from escalation.choices import EscalationState, StepRunState
from escalation.engine import tick
from escalation.models import Escalation, StepRun


def _next_moment(provider_ids, until: datetime) -> datetime | None:
    """The earliest moment, up to `until`, at which the engine has something to do for these
    providers: a step falling overdue, or an escalation's acknowledgement window closing."""
    step_due = StepRun.objects.filter(
        chain_run__provider_id__in=provider_ids, state=StepRunState.DUE, due_at__lte=until
    ).aggregate(at=Min("due_at"))["at"]
    follow_up_due = Escalation.objects.filter(
        provider_id__in=provider_ids,
        follow_up_due=True,
        state=EscalationState.RAISED,
        acknowledge_by__lte=until,
    ).aggregate(at=Min("acknowledge_by"))["at"]
    moments = [at for at in (step_due, follow_up_due) if at is not None]
    return min(moments) if moments else None


def replay_engine(provider_ids, until: datetime) -> int:
    """Run the engine at each moment it would have acted for the providers, in order, then at `until`
    (as beat's latest run). Each run handles at least the moment's own item, so this ends. Returns the
    number of runs."""
    runs = 0
    while (moment := _next_moment(provider_ids, until)) is not None:
        tick(moment)
        runs += 1
    tick(until)
    return runs + 1
