"""Raising escalations: the one place Escalation rows, their notifications and events are written.

Both the engine (overdue steps, follow-ups) and `record_step` (breaches) describe what to raise as
EscalationSpecs and call `raise_escalations`, which works in a fixed number of queries however many
specs it gets: one to find the people, one insert each for escalations, notifications and events.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from providers.choices import Role

from . import notifications
from .choices import EscalationKind, EventKind
from .models import EngineEvent, Escalation, Notification, StepRun
from .recipients import RoleDirectory, Target, next_role

# "Immediately" means tell at once; the acknowledgement is then due within this real (not working) time.
IMMEDIATE_ACKNOWLEDGE = timedelta(hours=1)


@dataclass
class EscalationSpec:
    """What to raise, before recipients and windows are worked out."""

    step_run: StepRun
    kind: str
    target_role: str
    reason: str
    action: str
    window: Decimal
    occurred_at: datetime
    service: object = None
    rule: dict = field(default_factory=dict)
    deciding: dict = field(default_factory=dict)
    parent: Escalation | None = None
    group: str = ""  # the team, shift or location a weak-group escalation names


def acknowledge_deadline(calendar, now: datetime, window) -> datetime:
    """When an escalation raised now must be acknowledged: N working hours, or an hour for "immediately"."""
    if Decimal(window) == 0:
        return now + IMMEDIATE_ACKNOWLEDGE
    return calendar.add_working_hours(now, Decimal(window))


def raise_escalations(specs: list[EscalationSpec], now: datetime) -> list[Escalation]:
    """Create the escalations that do not exist yet, with a notification per person; return the new ones.

    A spec whose escalation already exists (the unique constraints) is skipped, never raised twice.
    Call inside a transaction: mail goes out after it commits.
    """
    if not specs:
        return []
    providers = {spec.step_run.chain_run.provider_id for spec in specs}
    directory = RoleDirectory(providers, {spec.target_role for spec in specs})
    calendars = {}  # one working calendar per provider, not per row
    built = []
    for spec in specs:
        run = spec.step_run.chain_run
        service = spec.service
        resolved = directory.resolve(
            Target(
                spec.target_role,
                run.provider_id,
                service.pk if service else None,
                service.region_id if service else None,
            )
        )
        parent = spec.parent
        escalation = Escalation(
            step_run=spec.step_run,
            chain_run=run,
            provider_id=run.provider_id,
            service=service,
            kind=spec.kind,
            group=spec.group,
            level=parent.level + 1 if parent else 1,
            parent=parent,
            root_id=(parent.root_id or parent.pk) if parent else None,
            target_role=spec.target_role,
            role_gap=resolved.role_gap,
            reason=spec.reason,
            rule=spec.rule,
            deciding=spec.deciding,
            action=spec.action,
            response_working_hours=spec.window,
            occurred_at=spec.occurred_at,
            raised_at=now,
            acknowledge_by=acknowledge_deadline(
                calendars.setdefault(run.provider_id, run.provider.calendar), now, spec.window
            ),
            follow_up_due=next_role(spec.target_role) is not None,
        )
        built.append((escalation, resolved))
    created = _insert([escalation for escalation, _ in built])
    people = {id(escalation): resolved for escalation, resolved in built}
    Notification.objects.bulk_create(
        [
            Notification(escalation=e, user=person, email=person.email or "", created_at=now)
            for e in created
            for person in people[id(e)].people
        ]
    )
    EngineEvent.objects.bulk_create([_event(e, people[id(e)], now) for e in created])
    if created:
        notifications.send_soon()
    return created


def _insert(escalations: list[Escalation]) -> list[Escalation]:
    """Insert in bulk; if one already exists, fall back to row by row, each in its own savepoint.

    Creation is recorded as an ESCALATION_RAISED event, not a history row: model history is kept
    for what people change afterwards (acknowledge, action, resolve).
    """
    try:
        with transaction.atomic():
            return Escalation.objects.bulk_create(escalations)
    except IntegrityError:
        pass
    created = []
    for escalation in escalations:
        escalation.pk = None
        try:
            with transaction.atomic():
                created += Escalation.objects.bulk_create([escalation])
        except IntegrityError:
            continue  # raised already, by another tick or an earlier record
    return created


def _event(escalation: Escalation, resolved, now) -> EngineEvent:
    names = ", ".join(str(p) for p in resolved.people) or "nobody"
    role = Role(escalation.target_role).label
    if not resolved.people:
        message = f"Nobody holds {role} or Nominated Individual: nobody could be told."
        kind = EventKind.NOBODY_TO_TELL
    elif resolved.role_gap:
        message = f"Nobody holds {role}: told the Nominated Individual ({names})."
        kind = EventKind.ESCALATION_RAISED
    else:
        message = f"Raised to {role}: {names}."
        kind = EventKind.ESCALATION_RAISED
    if escalation.kind == EscalationKind.FOLLOW_UP:
        message = f"Follow-up (level {escalation.level}). {message}"
    return EngineEvent(
        kind=kind,
        at=now,
        provider_id=escalation.provider_id,
        chain_run_id=escalation.chain_run_id,
        step_run_id=escalation.step_run_id,
        escalation=escalation,
        message=message,
        data={"recipients": [p.pk for p in resolved.people], "role_gap": resolved.role_gap},
    )
