"""The engine is a scan: `tick(now)` finds what is overdue or unacknowledged and raises it, once.

Each kind of work is claimed with one conditional UPDATE on the row's own columns, marking the rows
with a fresh token: a concurrent tick blocks on those rows until this one commits, then sees them
claimed and skips them (PostgreSQL re-checks the WHERE clause of a waiting UPDATE). The unique
constraints on Escalation are the last word: whatever runs twice, an escalation exists once.
The number of queries is the same for one due row or ten thousand (bulk reads and writes).
"""

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from providers.choices import Role
from providers.templatetags.nhsuk import london

from .choices import EscalationKind, EscalationState, EventKind, StepRunState
from .models import EngineEvent, EngineHeartbeat, Escalation, StepRun
from .raising import EscalationSpec, raise_escalations
from .recipients import next_role

HEARTBEAT = "tick"


@dataclass
class TickReport:
    """What one tick raised."""

    now: datetime
    overdue: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def raised(self) -> list:
        return self.overdue + self.follow_ups

    def lines(self) -> list[str]:
        return [
            f"{e.get_kind_display()}: {e.step_run.code} ({e.chain_run.subject_label}) → "
            f"{e.get_target_role_display()}{' [role gap]' if e.role_gap else ''}, "
            f"acknowledge by {london(e.acknowledge_by)}"
            for e in self.raised
        ]


def tick(now: datetime | None = None) -> TickReport:
    """Raise overdue escalations and follow-ups due at `now`, then record the heartbeat."""
    started_at = timezone.now()
    now = now or started_at
    started = time.monotonic()
    report = TickReport(now=now)
    with transaction.atomic():
        report.overdue = raise_overdue(now)
    with transaction.atomic():
        report.follow_ups = raise_follow_ups(now)
    report.seconds = time.monotonic() - started
    record_heartbeat(started_at, report)
    return report


def raise_overdue(now: datetime) -> list[Escalation]:
    """Step runs past their deadline and not recorded: mark them overdue and tell the step's target."""
    token = uuid.uuid4()
    claimed = StepRun.objects.filter(state=StepRunState.DUE, due_at__lte=now).update(
        state=StepRunState.OVERDUE, overdue_at=now, claim_token=token
    )
    if not claimed:
        return []
    step_runs = list(
        StepRun.objects.filter(claim_token=token).select_related(
            "chain_run__provider", "chain_run__service", "chain_run__chain"
        )
    )
    EngineEvent.objects.bulk_create(
        [
            EngineEvent(
                kind=EventKind.STEP_OVERDUE,
                at=now,
                provider_id=step.chain_run.provider_id,
                chain_run_id=step.chain_run_id,
                step_run=step,
                message=f"{step.label} was due at {london(step.due_at)} and was not recorded.",
            )
            for step in step_runs
        ]
    )
    raised = raise_escalations([_overdue_spec(step) for step in step_runs], now)
    StepRun.objects.filter(claim_token=token).update(claim_token=None)  # keeps the claim index small
    return raised


def _overdue_spec(step: StepRun) -> EscalationSpec:
    role = Role(step.role).label
    return EscalationSpec(
        step_run=step,
        kind=EscalationKind.OVERDUE,
        target_role=step.escalate_to,
        reason=(
            f"{step.label} was due {step.due_text} ({london(step.due_at)}) "
            f"and the {role} has not recorded it."
        ),
        action=f"Get {step.label} recorded without delay. If it breaches its threshold: {step.action}",
        window=step.response_working_hours,
        occurred_at=step.due_at,
        service=step.chain_run.service,
        rule=step.threshold_rule,
    )


def raise_follow_ups(now: datetime) -> list[Escalation]:
    """Escalations nobody acknowledged within their window: raise a follow-up one level up."""
    token = uuid.uuid4()
    claimed = Escalation.objects.filter(
        follow_up_due=True, state=EscalationState.RAISED, acknowledge_by__lte=now
    ).update(follow_up_due=False, follow_up_token=token)
    if not claimed:
        return []
    parents = list(
        Escalation.objects.filter(follow_up_token=token).select_related(
            "step_run", "chain_run__provider", "chain_run__chain", "service"
        )
    )
    specs = [_follow_up_spec(parent) for parent in parents]
    raised = raise_escalations([spec for spec in specs if spec is not None], now)
    Escalation.objects.filter(follow_up_token=token).update(follow_up_token=None)
    return raised


def _follow_up_spec(parent: Escalation) -> EscalationSpec | None:
    role = next_role(parent.target_role)
    if role is None:
        return None
    # The step run reached through the parent shares its case, so the case's provider is loaded once.
    parent.step_run.chain_run = parent.chain_run
    return EscalationSpec(
        step_run=parent.step_run,
        kind=EscalationKind.FOLLOW_UP,
        target_role=role,
        reason=(
            f"Not acknowledged by the {parent.get_target_role_display()} within {parent.window_text} "
            f"(by {london(parent.acknowledge_by)}). {parent.reason}"
        ),
        action=parent.action,
        window=parent.response_working_hours,
        occurred_at=parent.acknowledge_by,
        service=parent.service,
        rule=parent.rule,
        deciding=parent.deciding,
        parent=parent,
        group=parent.group,
    )


def record_heartbeat(started_at: datetime, report: TickReport) -> None:
    """Write when the engine last really ran (wall-clock time, even when `now` was given)."""
    values = {
        "last_started_at": started_at,
        "last_finished_at": timezone.now(),
        "last_duration_ms": int(report.seconds * 1000),
        "last_raised": len(report.raised),
    }
    if not EngineHeartbeat.objects.filter(name=HEARTBEAT).update(runs=F("runs") + 1, **values):
        EngineHeartbeat.objects.get_or_create(name=HEARTBEAT, defaults={"runs": 1, **values})
