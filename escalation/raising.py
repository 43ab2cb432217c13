"""Raising escalations: the one place Escalation rows, their notifications and events are written.

The engine raises what a tick claimed set-based (`raise_overdue_steps`, `raise_follow_ups_of`): each
kind of row is written with one `INSERT … SELECT` from the claimed rows (see `escalation/sql.py`), and
what takes Python — the words, the acknowledgement deadline from the provider's working calendar, who
holds the target role — is worked out once per distinct value and joined in, never once per row.
`record_step` (breaches) and weak groups describe their few escalations as EscalationSpecs and call
`raise_escalations`. Every path ends in `tell`, which queues the notifications and records the events.

The number of queries is the same for one row or ten thousand. An escalation that exists already (the
unique constraints) is skipped, never raised twice. Creation is recorded as an ESCALATION_RAISED event,
not a model history row: history is kept for what people change afterwards (acknowledge, resolve).
Call inside a transaction: mail goes out after it commits.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from providers.choices import Role
from providers.models import Provider
from providers.templatetags.nhsuk import london

from . import notifications
from .choices import EscalationKind, EventKind
from .models import ChainRun, EngineEvent, Escalation, Notification, StepRun, describe_window
from .recipients import RoleDirectory, Target, next_role
from .sql import insert_select, qn, rows_table

# "Immediately" means tell at once; the acknowledgement is then due within this real (not working) time.
IMMEDIATE_ACKNOWLEDGE = timedelta(hours=1)
# What a new escalation's events and notifications need, as INSERT … RETURNING gives it back.
RETURNED = ("id", "provider", "chain_run", "step_run", "kind", "level", "target_role", "service")


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


# --- the tick: overdue steps and follow-ups, set-based -------------------------------------------------


def raise_overdue_steps(token, now: datetime) -> list[int]:
    """For the step runs claimed with `token`: an overdue event each, and an escalation each to the
    step's target (unless it exists). Returns the new escalations' ids, in the order raised."""
    claimed = StepRun.objects.filter(claim_token=token).order_by()
    words = rows_table("w", _fields(StepRun, OVERDUE_KEY) | _text_fields(3), _overdue_words(claimed))
    # The steps of the newest case first, as a case's timeline lists them (StepRun's ordering).
    order = f"cr.started_at DESC, sr.{qn('order')}, sr.due_at, sr.id"
    source = (
        f"{qn(StepRun._meta.db_table)} sr JOIN {qn(ChainRun._meta.db_table)} cr ON cr.id = sr.chain_run_id"
        f" JOIN {words[0]} ON {_equal('w', 'sr', OVERDUE_KEY)}"
    )
    where = (" WHERE sr.claim_token = %s", [_param(StepRun, "claim_token", token)])
    insert_select(
        EngineEvent,
        {
            "kind": ("%s", [EventKind.STEP_OVERDUE]),
            "at": ("%s", [_param(EngineEvent, "at", now)]),
            "provider": "cr.provider_id",
            "chain_run": "sr.chain_run_id",
            "step_run": "sr.id",
            "message": "w.text3",
        },
        source + where[0],
        words[1] + where[1],
        order_by=order,
    )
    raising = _Raising(
        now,
        targets=claimed.values_list(
            "escalate_to", "chain_run__provider_id", "chain_run__service_id", "chain_run__service__region_id"
        ),
        windows=claimed.values_list("chain_run__provider_id", "response_working_hours"),
        to_role=lambda role: role,
    )
    joins, params = raising.joins(
        "cr.provider_id", "cr.service_id", "sr.escalate_to", "sr.response_working_hours"
    )
    created = insert_select(
        Escalation,
        {
            "step_run": "sr.id",
            "chain_run": "sr.chain_run_id",
            "provider": "cr.provider_id",
            "service": "cr.service_id",
            "kind": ("%s", [EscalationKind.OVERDUE]),
            "target_role": "sr.escalate_to",
            "role_gap": "g.role_gap",
            "reason": "w.text1",
            "rule": "sr.threshold_rule",
            "action": "w.text2",
            "response_working_hours": "sr.response_working_hours",
            "occurred_at": "sr.due_at",
            "raised_at": ("%s", [_param(Escalation, "raised_at", now)]),
            "acknowledge_by": "d.acknowledge_by",
            "follow_up_due": "g.follow_up_due",
        },
        source + joins + where[0],
        words[1] + params + where[1],
        order_by=order,
        skip_existing=True,
        returning=RETURNED,
    )
    return raising.tell(created)


OVERDUE_KEY = ("name", "title", "code", "due_text", "due_at", "role", "action")


def _overdue_words(claimed) -> list[tuple]:
    """Per distinct wording and deadline of the claimed steps: the reason, the action, the event's words."""
    rows = []
    for key in claimed.values_list(*OVERDUE_KEY).distinct():
        step = StepRun(**dict(zip(OVERDUE_KEY, key, strict=True)))
        due = london(step.due_at)
        role = Role(step.role).label
        reason = f"{step.label} was due {step.due_text} ({due}) and the {role} has not recorded it."
        action = f"Get {step.label} recorded without delay. If it breaches its threshold: {step.action}"
        message = f"{step.label} was due at {due} and was not recorded."
        rows.append((*key, reason, action, message))
    return rows


def raise_follow_ups_of(token, now: datetime) -> list[int]:
    """For the escalations claimed with `token` (nobody acknowledged them in time): a follow-up each,
    one rung up the ladder, unless it exists or the ladder ends. Returns the new ones' ids."""
    claimed = Escalation.objects.filter(follow_up_token=token).order_by()
    key = ("target_role", "response_working_hours", "acknowledge_by")
    words = rows_table("w", _fields(Escalation, key) | _text_fields(1), _follow_up_words(claimed, key))
    raising = _Raising(
        now,
        targets=claimed.values_list("target_role", "provider_id", "service_id", "service__region_id"),
        windows=claimed.values_list("provider_id", "response_working_hours"),
        to_role=next_role,
    )
    joins, params = raising.joins(
        "p.provider_id", "p.service_id", "p.target_role", "p.response_working_hours"
    )
    created = insert_select(
        Escalation,
        {
            "step_run": "p.step_run_id",
            "chain_run": "p.chain_run_id",
            "provider": "p.provider_id",
            "service": "p.service_id",
            "kind": ("%s", [EscalationKind.FOLLOW_UP]),
            "group": f"p.{qn('group')}",
            "level": "p.level + 1",
            "parent": "p.id",
            "root": "COALESCE(p.root_id, p.id)",
            "target_role": "g.target_role",
            "role_gap": "g.role_gap",
            "reason": "w.text1 || p.reason",
            "rule": "p.rule",
            "deciding": "p.deciding",
            "action": "p.action",
            "response_working_hours": "p.response_working_hours",
            "occurred_at": "p.acknowledge_by",
            "raised_at": ("%s", [_param(Escalation, "raised_at", now)]),
            "acknowledge_by": "d.acknowledge_by",
            "follow_up_due": "g.follow_up_due",
        },
        f"{qn(Escalation._meta.db_table)} p JOIN {words[0]} ON {_equal('w', 'p', key)}{joins}"
        " WHERE p.follow_up_token = %s",
        words[1] + params + [_param(Escalation, "follow_up_token", token)],
        # The most recently raised first, as the escalation lists show them (Escalation's ordering).
        order_by="p.raised_at DESC, p.id DESC",
        skip_existing=True,
        returning=RETURNED,
    )
    return raising.tell(created)


def _follow_up_words(claimed, key) -> list[tuple]:
    """Per distinct role, window and deadline missed: the words a follow-up's reason starts with."""
    rows = []
    for role, window, acknowledge_by in claimed.values_list(*key).distinct():
        text = (
            f"Not acknowledged by the {Role(role).label} within {describe_window(window)} "
            f"(by {london(acknowledge_by)}). "
        )
        rows.append((role, window, acknowledge_by, text))
    return rows


class _Raising:
    """One tick's escalations of one kind: whom each target role reaches and when it must be answered,
    worked out once per distinct (role, provider, service) and (provider, window), then told."""

    def __init__(self, now, *, targets, windows, to_role):
        self.now = now
        targets = list(targets.distinct())
        self.regions = {service: region for _, _, service, region in targets}
        wanted = {to_role(role) for role, *_ in targets} - {None}
        self.directory = RoleDirectory({provider for _, provider, _, _ in targets}, wanted)
        self.targets = [
            (
                role,
                provider,
                service or 0,
                self.resolved(to_role(role), provider, service).role_gap,
                to_role(role),
                next_role(to_role(role)) is not None,
            )
            for role, provider, service, _ in targets
            if to_role(role) is not None
        ]
        windows = list(windows.distinct())
        providers = Provider.objects.in_bulk({provider for provider, _ in windows})
        self.deadlines = [
            (provider, window, acknowledge_deadline(providers[provider].calendar, now, window))
            for provider, window in windows
        ]

    def resolved(self, role, provider_id, service_id):
        return self.directory.resolve(Target(role, provider_id, service_id, self.regions.get(service_id)))

    def joins(self, provider, service, role, window) -> tuple[str, list]:
        """JOINs giving each row `g` (its target: role, role_gap, follow_up_due) and `d` (acknowledge_by);
        a row whose role has no target (the top of the ladder) joins nothing and is not raised."""
        service_field = Escalation._meta.get_field("service")
        targets, target_params = rows_table(
            "g",
            {
                "role": Escalation._meta.get_field("target_role"),
                "provider_id": Escalation._meta.get_field("provider"),
                "service_key": service_field,
                "role_gap": Escalation._meta.get_field("role_gap"),
                "target_role": Escalation._meta.get_field("target_role"),
                "follow_up_due": Escalation._meta.get_field("follow_up_due"),
            },
            self.targets,
        )
        deadlines, deadline_params = rows_table(
            "d",
            {
                "provider_id": Escalation._meta.get_field("provider"),
                "window": Escalation._meta.get_field("response_working_hours"),
                "acknowledge_by": Escalation._meta.get_field("acknowledge_by"),
            },
            self.deadlines,
        )
        sql = (
            f" JOIN {targets} ON g.{qn('role')} = {role} AND g.provider_id = {provider}"
            f" AND g.service_key = COALESCE({service}, 0)"
            f" JOIN {deadlines} ON d.provider_id = {provider} AND d.{qn('window')} = {window}"
        )
        return sql, target_params + deadline_params

    def tell(self, created: list[tuple]) -> list[int]:
        people = {row[0]: self.resolved(row[6], row[1], row[7]) for row in created}
        return tell(created, people, self.now)


# --- breaches and weak groups: a few escalations described one by one ----------------------------------


def raise_escalations(specs: list[EscalationSpec], now: datetime) -> list[Escalation]:
    """Create the escalations that do not exist yet, with a notification per person; return the new ones.

    A spec whose escalation already exists (the unique constraints) is skipped, never raised twice.
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
    tell(
        [
            (e.pk, e.provider_id, e.chain_run_id, e.step_run_id, e.kind, e.level, e.target_role)
            for e in created
        ],
        {e.pk: people[id(e)] for e in created},
        now,
    )
    return created


def _insert(escalations: list[Escalation]) -> list[Escalation]:
    """Insert in bulk; if one already exists, fall back to row by row, each in its own savepoint."""
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


# --- telling: notifications and events of new escalations ----------------------------------------------


def tell(created: list[tuple], people: dict, now: datetime) -> list[int]:
    """Queue a notification for each person told and record an event for each new escalation.

    `created` holds (id, provider_id, chain_run_id, step_run_id, kind, level, target_role, …) of each new
    escalation,
    `people` its Resolved by id. Two inserts however many; returns the ids in the order raised.
    """
    created = sorted(created, key=lambda row: row[0])
    if not created:
        return []
    outbox = [
        (row[0], position, person.pk, person.email or "")
        for row in created
        for position, person in enumerate(people[row[0]].people)
    ]
    if outbox:
        table, params = rows_table(
            "n",
            {
                "escalation_id": Notification._meta.get_field("escalation"),
                "position": Escalation._meta.get_field("level"),
                "user_id": Notification._meta.get_field("user"),
                "email": Notification._meta.get_field("email"),
            },
            outbox,
        )
        insert_select(
            Notification,
            {
                "escalation": "n.escalation_id",
                "user": "n.user_id",
                "email": "n.email",
                "created_at": ("%s", [_param(Notification, "created_at", now)]),
            },
            table,
            params,
            order_by="n.escalation_id, n.position",
        )
    words = {}  # one message per distinct outcome, not per row
    events = []
    for pk, provider, chain_run, step_run, kind, level, role, *_ in created:
        resolved = people[pk]
        key = (id(resolved), kind, level, role)
        if key not in words:
            words[key] = _event_words(resolved, role, kind, level)
        events.append((pk, provider, chain_run, step_run, *words[key]))
    event = EngineEvent._meta.get_field
    table, params = rows_table(
        "e",
        {
            "escalation_id": event("escalation"),
            "provider_id": event("provider"),
            "chain_run_id": event("chain_run"),
            "step_run_id": event("step_run"),
            "kind": event("kind"),
            "message": event("message"),
            "data": event("data"),
        },
        events,
    )
    insert_select(
        EngineEvent,
        {
            "kind": "e.kind",
            "at": ("%s", [_param(EngineEvent, "at", now)]),
            "provider": "e.provider_id",
            "chain_run": "e.chain_run_id",
            "step_run": "e.step_run_id",
            "escalation": "e.escalation_id",
            "message": "e.message",
            "data": "e.data",
        },
        table,
        params,
        order_by="e.escalation_id",
    )
    notifications.send_soon()
    return [row[0] for row in created]


def _event_words(resolved, target_role: str, kind: str, level: int) -> tuple[str, str, dict]:
    """(event kind, message, data) of an escalation raised to these people."""
    names = ", ".join(str(p) for p in resolved.people) or "nobody"
    role = Role(target_role).label
    if not resolved.people:
        message = f"Nobody holds {role} or Nominated Individual: nobody could be told."
        event_kind = EventKind.NOBODY_TO_TELL
    elif resolved.role_gap:
        message = f"Nobody holds {role}: told the Nominated Individual ({names})."
        event_kind = EventKind.ESCALATION_RAISED
    else:
        message = f"Raised to {role}: {names}."
        event_kind = EventKind.ESCALATION_RAISED
    if kind == EscalationKind.FOLLOW_UP:
        message = f"Follow-up (level {level}). {message}"
    return event_kind, message, {"recipients": [p.pk for p in resolved.people], "role_gap": resolved.role_gap}


# --- small helpers ---------------------------------------------------------------------------------------


def _fields(model, names) -> dict:
    return {name: model._meta.get_field(name) for name in names}


def _text_fields(count: int) -> dict:
    text = EngineEvent._meta.get_field("message")
    return {f"text{n}": text for n in range(1, count + 1)}


def _equal(left: str, right: str, names) -> str:
    return " AND ".join(f"{left}.{qn(name)} = {right}.{qn(name)}" for name in names)


def _param(model, name: str, value):
    """A value as the column stores it (SQLite keeps datetimes as text in one exact form)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)
