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

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from providers.choices import Role
from providers.models import Provider, Service
from providers.templatetags.nhsuk import london

from . import notifications
from .choices import EscalationKind, EventKind
from .models import ChainRun, EngineEvent, Escalation, Notification, StepRun, describe_window
from .recipients import Resolved, RoleDirectory, Target, next_role, target
from .sql import insert_select, listed, qn, rows_table

# "Immediately" means tell at once; the acknowledgement is then due within this real (not working) time.
IMMEDIATE_ACKNOWLEDGE = timedelta(hours=1)
# What a new escalation's events and notifications need, as INSERT … RETURNING gives it back.
RETURNED = ("id", "provider", "chain_run", "step_run", "kind", "level", "target_role", "service", "region")


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
    region_id: int | None = None  # a step run once per region: its target is looked for there
    rule: dict = field(default_factory=dict)
    deciding: dict = field(default_factory=dict)
    parent: Escalation | None = None
    group: str = ""  # the team, shift or location a weak-group escalation names

    @classmethod
    def of_rule(
        cls, step_run: StepRun, kind: str, evaluation, *, reason: str, occurred_at, service=None, group=""
    ):
        """A step's threshold rule judged and breached (for the whole case, a group or a service): the
        step's target (in the step run's region, for a step run once per region), action and response
        window, with the rule and the figures that decided it."""
        return cls(
            step_run=step_run,
            kind=kind,
            group=group,
            region_id=step_run.region_id,
            target_role=step_run.escalate_to,
            reason=reason,
            action=step_run.action,
            window=step_run.response_working_hours,
            occurred_at=occurred_at,
            service=service,
            rule=step_run.threshold_rule,
            deciding=evaluation.deciding,
        )


def acknowledge_deadline(calendar, now: datetime, window) -> datetime:
    """When an escalation raised now must be acknowledged: N working hours, or an hour for "immediately"."""
    if Decimal(window) == 0:
        return now + IMMEDIATE_ACKNOWLEDGE
    return calendar.add_working_hours(now, Decimal(window))


# --- the tick: overdue steps and follow-ups, set-based -------------------------------------------------

# What the engine's claims return of each row (`sql.claim`), for the two functions below.
ClaimedStep = namedtuple(
    "ClaimedStep",
    "pk chain_run region order escalate_to response_working_hours "
    "name title code due_text due_at role action",
)
ClaimedEscalation = namedtuple(
    "ClaimedEscalation",
    "pk provider service region target_role response_working_hours acknowledge_by raised_at",
)


def raise_overdue_steps(claimed: list[tuple], now: datetime) -> list[int]:
    """For the step runs just claimed (ClaimedStep fields of each): an overdue event each, and an
    escalation each to the step's target (unless it exists): at the case's service, or in the step
    run's own region for a step run once per region. Returns the new escalations' ids, in the order
    raised."""
    steps = [ClaimedStep(*row) for row in claimed]
    runs = {
        run[0]: run
        for run in ChainRun.objects.filter(pk__in=listed(ChainRun, {step.chain_run for step in steps}))
        .order_by()
        .values_list("pk", "provider_id", "service_id", "service__region_id", "started_at")
    }
    # The steps of the newest case first, as StepRun's ordering lists them (ids break ties).
    steps.sort(key=lambda step: (-runs[step.chain_run][4].timestamp(), step.order, step.due_at, step.pk))
    service_regions = {run[2]: run[3] for run in runs.values()}
    targets = {
        step.pk: target(step.escalate_to, *runs[step.chain_run][1:4], region_id=step.region) for step in steps
    }
    once = _Once(now, set(targets.values()))
    rows = []
    for position, step in enumerate(steps):
        _, provider, service, _, _ = runs[step.chain_run]
        reason, action, message = once(
            _overdue_words,
            step.name,
            step.title,
            step.code,
            step.due_text,
            step.due_at,
            step.role,
            step.action,
        )
        rows.append(
            (
                position,
                step.pk,
                step.chain_run,
                provider,
                service,
                step.region,
                message,
                reason,
                action,
                once.resolved(targets[step.pk]).role_gap,
                once(once.acknowledge_by, provider, step.response_working_hours),
                next_role(step.escalate_to) is not None,
            )
        )
    table, params = rows_table(
        "v",
        {
            "position": _field(Escalation, "id"),
            "step_run_id": _field(Escalation, "step_run"),
            "chain_run_id": _field(Escalation, "chain_run"),
            "provider_id": _field(Escalation, "provider"),
            "service_id": _field(Escalation, "service"),
            "region_id": _field(Escalation, "region"),
            "message": _field(EngineEvent, "message"),
            "reason": _field(Escalation, "reason"),
            "action": _field(Escalation, "action"),
            "role_gap": _field(Escalation, "role_gap"),
            "acknowledge_by": _field(Escalation, "acknowledge_by"),
            "follow_up_due": _field(Escalation, "follow_up_due"),
        },
        rows,
    )
    insert_select(
        EngineEvent,
        {
            "kind": ("%s", [EventKind.STEP_OVERDUE]),
            "at": ("%s", [_param(EngineEvent, "at", now)]),
            "provider": "v.provider_id",
            "chain_run": "v.chain_run_id",
            "step_run": "v.step_run_id",
            "message": "v.message",
        },
        table,
        params,
        order_by="v.position",
    )
    created = insert_select(
        Escalation,
        {
            "step_run": "v.step_run_id",
            "chain_run": "v.chain_run_id",
            "provider": "v.provider_id",
            "service": "v.service_id",
            "region": "v.region_id",
            "kind": ("%s", [EscalationKind.OVERDUE]),
            "target_role": "sr.escalate_to",
            "role_gap": "v.role_gap",
            "reason": "v.reason",
            "rule": "sr.threshold_rule",
            "action": "v.action",
            "response_working_hours": "sr.response_working_hours",
            "occurred_at": "sr.due_at",
            "raised_at": ("%s", [_param(Escalation, "raised_at", now)]),
            "acknowledge_by": "v.acknowledge_by",
            "follow_up_due": "v.follow_up_due",
        },
        # Each row reaches its step run by primary key: a plan that stays linear whatever is estimated.
        f"{table} JOIN {qn(StepRun._meta.db_table)} sr ON sr.id = v.step_run_id WHERE true",
        params,
        order_by="v.position",
        skip_existing=True,
        returning=RETURNED,
    )
    return tell(created, _people(once, created, service_regions), now)


def _people(once: "_Once", created: list[tuple], service_regions: dict) -> dict:
    """Each new escalation's people (RETURNED rows), by id, resolved as its row was raised."""
    return {
        row[0]: once.resolved(target(row[6], row[1], row[7], service_regions.get(row[7]), row[8]))
        for row in created
    }


def _overdue_words(name, title, code, due_text, due_at, role, action) -> tuple[str, str, str]:
    """The reason, the action and the overdue event's words for a step of this wording and deadline."""
    step = StepRun(name=name, title=title, code=code)
    due = london(due_at)
    return (
        f"{step.label} was due {due_text} ({due}) and the {Role(role).label} has not recorded it.",
        f"Get {step.label} recorded without delay. If it breaches its threshold: {action}",
        f"{step.label} was due at {due} and was not recorded.",
    )


def raise_follow_ups_of(claimed: list[tuple], now: datetime) -> list[int]:
    """For the escalations just claimed (ClaimedEscalation fields of each; nobody acknowledged them in
    time): a follow-up each, one rung up the ladder, looked for where its parent was (the parent's
    service, or its region for a step run once per region), unless it exists or the ladder ends.
    Returns the new ones' ids."""
    parents = [ClaimedEscalation(*row) for row in claimed]
    parents = [parent for parent in parents if next_role(parent.target_role) is not None]
    if not parents:
        return []
    services = {parent.service for parent in parents} - {None}
    regions = dict(
        Service.objects.filter(pk__in=listed(Service, services)).order_by().values_list("pk", "region_id")
    )
    # The most recently raised first, as Escalation's ordering lists them.
    parents.sort(key=lambda parent: (parent.raised_at, parent.pk), reverse=True)
    targets = {
        p.pk: target(next_role(p.target_role), p.provider, p.service, regions.get(p.service), p.region)
        for p in parents
    }
    once = _Once(now, set(targets.values()))
    rows = []
    for position, parent in enumerate(parents):
        role = next_role(parent.target_role)
        window = parent.response_working_hours
        rows.append(
            (
                position,
                parent.pk,
                role,
                once.resolved(targets[parent.pk]).role_gap,
                once(_follow_up_words, parent.target_role, window, parent.acknowledge_by),
                once(once.acknowledge_by, parent.provider, window),
                next_role(role) is not None,
            )
        )
    table, params = rows_table(
        "v",
        {
            "position": _field(Escalation, "id"),
            "parent_id": _field(Escalation, "parent"),
            "target_role": _field(Escalation, "target_role"),
            "role_gap": _field(Escalation, "role_gap"),
            "reason_start": _field(Escalation, "reason"),
            "acknowledge_by": _field(Escalation, "acknowledge_by"),
            "follow_up_due": _field(Escalation, "follow_up_due"),
        },
        rows,
    )
    created = insert_select(
        Escalation,
        {
            "step_run": "p.step_run_id",
            "chain_run": "p.chain_run_id",
            "provider": "p.provider_id",
            "service": "p.service_id",
            "region": "p.region_id",
            "kind": ("%s", [EscalationKind.FOLLOW_UP]),
            "group": f"p.{qn('group')}",
            "level": "p.level + 1",
            "parent": "p.id",
            "root": "COALESCE(p.root_id, p.id)",
            "target_role": "v.target_role",
            "role_gap": "v.role_gap",
            "reason": "v.reason_start || p.reason",
            "rule": "p.rule",
            "deciding": "p.deciding",
            "action": "p.action",
            "response_working_hours": "p.response_working_hours",
            "occurred_at": "p.acknowledge_by",
            "raised_at": ("%s", [_param(Escalation, "raised_at", now)]),
            "acknowledge_by": "v.acknowledge_by",
            "follow_up_due": "v.follow_up_due",
        },
        f"{table} JOIN {qn(Escalation._meta.db_table)} p ON p.id = v.parent_id WHERE true",
        params,
        order_by="v.position",
        skip_existing=True,
        returning=RETURNED,
    )
    return tell(created, _people(once, created, regions), now)


def _follow_up_words(role: str, window, missed: datetime) -> str:
    """The words a follow-up's reason starts with, before its parent's reason."""
    return (
        f"Not acknowledged by the {Role(role).label} within {describe_window(window)} (by {london(missed)}). "
    )


class _Once:
    """For one tick's rows: words, deadlines and people worked out once per distinct value, not per row.

    `targets` are the distinct Targets the rows escalate to: their holders and the providers' working
    calendars are loaded with one query each.
    """

    def __init__(self, now: datetime, targets: set[Target]):
        self.now = now
        providers = {t.provider_id for t in targets}
        self.directory = RoleDirectory(providers, {t.role for t in targets})
        self.providers = Provider.objects.in_bulk(providers)
        self.known = {}

    def __call__(self, function, *key):
        """`function(*key)`, worked out the first time this key is met."""
        if (function, key) not in self.known:
            self.known[(function, key)] = function(*key)
        return self.known[(function, key)]

    def acknowledge_by(self, provider_id: int, window) -> datetime:
        return acknowledge_deadline(self.providers[provider_id].calendar, self.now, window)

    def resolved(self, where: Target) -> Resolved:
        """The people told."""
        return self.directory.resolve(where)


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
            target(
                spec.target_role,
                run.provider_id,
                service.pk if service else None,
                service.region_id if service else None,
                spec.region_id,
            )
        )
        parent = spec.parent
        escalation = Escalation(
            step_run=spec.step_run,
            chain_run=run,
            provider_id=run.provider_id,
            service=service,
            region_id=spec.region_id,
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
                "position": _field(Escalation, "id"),
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


def _field(model, name: str):
    return model._meta.get_field(name)


def _param(model, name: str, value):
    """A value as the column stores it (SQLite keeps datetimes as text in one exact form)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)
