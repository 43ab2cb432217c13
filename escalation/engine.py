"""The engine is a scan: `tick(now)` finds what is overdue or unacknowledged and raises it, once.

Each kind of work is claimed with one conditional UPDATE on the row's own columns that returns the
rows it changed (`sql.claim`): a concurrent tick blocks on those rows until this one commits, then sees
them claimed and skips them (PostgreSQL re-checks the WHERE clause of a waiting UPDATE). The claimed
rows are then raised set-based (`raising.py`): the number of queries, and nearly all the time, is the
database's, the same for one due row or ten thousand. The unique constraints on Escalation are the last
word: whatever runs twice, an escalation exists once.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from providers.templatetags.nhsuk import london

from .choices import EscalationState, StepRunState
from .models import EngineHeartbeat, Escalation, StepRun
from .raising import ClaimedEscalation, ClaimedStep, raise_follow_ups_of, raise_overdue_steps
from .sql import claim

HEARTBEAT = "tick"


@dataclass
class TickReport:
    """What one tick raised: the new escalations' ids, and the escalations themselves when asked for."""

    now: datetime
    overdue_ids: list = field(default_factory=list)
    follow_up_ids: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        """How many escalations the tick raised (without loading them)."""
        return len(self.overdue_ids) + len(self.follow_up_ids)

    @cached_property
    def overdue(self) -> list[Escalation]:
        return _escalations(self.overdue_ids)

    @cached_property
    def follow_ups(self) -> list[Escalation]:
        return _escalations(self.follow_up_ids)

    @property
    def raised(self) -> list[Escalation]:
        return self.overdue + self.follow_ups

    def lines(self) -> list[str]:
        return [
            f"{e.get_kind_display()}: {e.step_run.code} ({e.chain_run.subject_label}) → "
            f"{e.get_target_role_display()}{' [role gap]' if e.role_gap else ''}, "
            f"acknowledge by {london(e.acknowledge_by)}"
            for e in self.raised
        ]


def _escalations(ids: list[int]) -> list[Escalation]:
    """The escalations, in the order they were raised, with what a report line shows."""
    if not ids:
        return []
    return list(
        Escalation.objects.filter(pk__in=ids)
        .select_related("step_run", "chain_run", "provider", "service")
        .order_by("pk")
    )


def tick(now: datetime | None = None) -> TickReport:
    """Raise overdue escalations and follow-ups due at `now`, then record the heartbeat."""
    started_at = timezone.now()
    now = now or started_at
    started = time.monotonic()
    report = TickReport(now=now)
    with transaction.atomic():
        report.overdue_ids = raise_overdue(now)
    with transaction.atomic():
        report.follow_up_ids = raise_follow_ups(now)
    report.seconds = time.monotonic() - started
    record_heartbeat(started_at, report)
    return report


def raise_overdue(now: datetime) -> list[int]:
    """Step runs past their deadline and not recorded: mark them overdue and tell the step's target.
    Returns the new escalations' ids."""
    claimed = claim(
        StepRun.objects.filter(state=StepRunState.DUE, due_at__lte=now),
        returning=ClaimedStep._fields,
        state=StepRunState.OVERDUE,
        overdue_at=now,
    )
    return raise_overdue_steps(claimed, now) if claimed else []


def raise_follow_ups(now: datetime) -> list[int]:
    """Escalations nobody acknowledged within their window: raise a follow-up one level up.
    Returns the new follow-ups' ids."""
    claimed = claim(
        Escalation.objects.filter(follow_up_due=True, state=EscalationState.RAISED, acknowledge_by__lte=now),
        returning=ClaimedEscalation._fields,
        follow_up_due=False,
    )
    return raise_follow_ups_of(claimed, now) if claimed else []


def record_heartbeat(started_at: datetime, report: TickReport) -> None:
    """Write when the engine last really ran (wall-clock time, even when `now` was given)."""
    values = {
        "last_started_at": started_at,
        "last_finished_at": timezone.now(),
        "last_duration_ms": int(report.seconds * 1000),
        "last_raised": report.count,
    }
    if not EngineHeartbeat.objects.filter(name=HEARTBEAT).update(runs=F("runs") + 1, **values):
        EngineHeartbeat.objects.get_or_create(name=HEARTBEAT, defaults={"runs": 1, **values})
