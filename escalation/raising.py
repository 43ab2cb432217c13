"""Raising escalations: the one place Escalation rows, their notifications and events are written.

The engine raises what a tick claimed set-based (`raise_overdue_steps`, `raise_follow_ups_of`): each
kind of row is written with one `INSERT … SELECT` from the claimed rows (see `escalation/sql.py`), and
what takes Python — the words, the acknowledgement deadline from the provider's working calendar, who
holds the target role — is worked out once per distinct value and joined in, never once per row: a
row carries only ids and the number of its distinct value (`sql.Numbered`), and the words, deadlines and
people travel once each, in small tables joined to the rows.
`record_step` (breaches) and weak groups describe their few escalations as EscalationSpecs and call
`raise_escalations`. Every path ends in `telling.tell`, which queues the notifications and records the events.

The number of queries is the same for one row or ten thousand. An escalation that exists already (the
unique constraints) is skipped, never raised twice. Creation is recorded as an ESCALATION_RAISED event,
not a model history row: history is kept for what people change afterwards (acknowledge, resolve).
Call inside a transaction: mail goes out after it commits.
"""

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from providers.choices import Role
from providers.models import Provider, Service
from providers.templatetags.nhsuk import london

from .choices import EscalationKind, EventKind
from .models import ChainRun, EngineEvent, Escalation, StepRun
from .models.chains import IMMEDIATE_ACKNOWLEDGE, window_length
from .recipients import Resolved, RoleDirectory, Target, next_role, target
from .sql import Numbered, insert_select, listed, qn, rows_table, stored
from .telling import tell

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
    breach_number: int = 1  # the step's 2nd breach, 3rd…, once every earlier one was resolved

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
    newest_first = {pk: -run[4].timestamp() for pk, run in runs.items()}
    steps.sort(key=lambda step: (newest_first[step.chain_run], step.order, step.due_at, step.pk))
    service_regions = {run[2]: run[3] for run in runs.values()}
    targets = {
        step.pk: target(step.escalate_to, *runs[step.chain_run][1:4], region_id=step.region) for step in steps
    }
    once = _Once(now, set(targets.values()))
    wording, outcome = Numbered(), Numbered()
    rows = []
    for position, step in enumerate(steps):
        _, provider, service, _, _ = runs[step.chain_run]
        rows.append(
            (
                position,
                step.pk,
                step.chain_run,
                provider,
                service,
                step.region,
                wording((step.name, step.title, step.code, step.due_text, step.role, step.action)),
                once(london, step.due_at),
                outcome((targets[step.pk], step.response_working_hours)),
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
            "words": _field(Escalation, "id"),
            "due": _field(Escalation, "reason"),
            "outcome": _field(Escalation, "id"),
        },
        rows,
    )
    # The words of each distinct step wording travel once, around the row's own due time (`v.due`).
    words, words_params = rows_table(
        "w",
        {
            "number": _field(Escalation, "id"),
            "reason_before": _field(Escalation, "reason"),
            "reason_after": _field(Escalation, "reason"),
            "action": _field(Escalation, "action"),
            "message_before": _field(EngineEvent, "message"),
            "message_after": _field(EngineEvent, "message"),
        },
        [(number, *_overdue_words(*key)) for key, number in wording.numbers.items()],
    )
    outcomes, outcomes_params = rows_table(
        "o",
        {
            "number": _field(Escalation, "id"),
            "role_gap": _field(Escalation, "role_gap"),
            "acknowledge_by": _field(Escalation, "acknowledge_by"),
            "follow_up_due": _field(Escalation, "follow_up_due"),
        },
        [
            (
                number,
                once.resolved(where).role_gap,
                once(once.acknowledge_by, where.provider_id, window),
                next_role(where.role) is not None,
            )
            for (where, window), number in outcome.numbers.items()
        ],
    )
    insert_select(
        EngineEvent,
        {
            "kind": ("%s", [EventKind.STEP_OVERDUE]),
            "at": ("%s", [stored(EngineEvent, "at", now)]),
            "provider": "v.provider_id",
            "chain_run": "v.chain_run_id",
            "step_run": "v.step_run_id",
            "message": "w.message_before || v.due || w.message_after",
        },
        f"{table} JOIN {words} ON w.number = v.words",
        params + words_params,
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
            "role_gap": "o.role_gap",
            "reason": "w.reason_before || v.due || w.reason_after",
            "rule": "sr.threshold_rule",
            "action": "w.action",
            "response_working_hours": "sr.response_working_hours",
            "occurred_at": "sr.due_at",
            "raised_at": ("%s", [stored(Escalation, "raised_at", now)]),
            "acknowledge_by": "o.acknowledge_by",
            "follow_up_due": "o.follow_up_due",
        },
        # Each row reaches its step run by primary key: a plan that stays linear whatever is estimated.
        f"{table} JOIN {words} ON w.number = v.words JOIN {outcomes} ON o.number = v.outcome"
        f" JOIN {qn(StepRun._meta.db_table)} sr ON sr.id = v.step_run_id WHERE true",
        params + words_params + outcomes_params,
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


def _overdue_words(name, title, code, due_text, role, action) -> tuple[str, str, str, str, str]:
    """The words of an overdue step of this wording: the reason before and after its due time, the
    action, and the overdue event's message before and after its due time. A tick's thousand steps
    share a few wordings but not their due times, so the long words travel once per wording."""
    label = StepRun(name=name, title=title, code=code).label
    # The step's name is an instruction of its own ("Check every service …"): quoted, it reads as the
    # step's name inside the sentence, not as a second verb.
    return (
        f"{label} was due {due_text} (",
        f") and the {Role(role).label} has not recorded it.",
        f"Make sure “{name or title}” ({code}) is recorded without delay. If it breaches its threshold: "
        f"{action}",
        f"{label} was due at ",
        " and was not recorded.",
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
    outcome = Numbered()
    rows = [
        (
            position,
            parent.pk,
            outcome(
                (parent.target_role, targets[parent.pk], parent.response_working_hours, parent.acknowledge_by)
            ),
        )
        for position, parent in enumerate(parents)
    ]
    table, params = rows_table(
        "v",
        {
            "position": _field(Escalation, "id"),
            "parent_id": _field(Escalation, "parent"),
            "outcome": _field(Escalation, "id"),
        },
        rows,
    )
    outcomes, outcomes_params = rows_table(
        "o",
        {
            "number": _field(Escalation, "id"),
            "target_role": _field(Escalation, "target_role"),
            "role_gap": _field(Escalation, "role_gap"),
            "reason_end": _field(Escalation, "reason"),
            "acknowledge_by": _field(Escalation, "acknowledge_by"),
            "follow_up_due": _field(Escalation, "follow_up_due"),
        },
        [
            (
                number,
                next_role(role),
                once.resolved(where).role_gap,
                once(_follow_up_words, role, window, missed),
                once(once.acknowledge_by, where.provider_id, window),
                next_role(next_role(role)) is not None,
            )
            for (role, where, window, missed), number in outcome.numbers.items()
        ],
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
            "breach_number": "p.breach_number",
            "level": "p.level + 1",
            "parent": "p.id",
            "root": "COALESCE(p.root_id, p.id)",
            "target_role": "o.target_role",
            "role_gap": "o.role_gap",
            # What happened in time order: the parent's story (the original problem first), then this miss.
            "reason": "p.reason || o.reason_end",
            "rule": "p.rule",
            "deciding": "p.deciding",
            "action": "p.action",
            "response_working_hours": "p.response_working_hours",
            "occurred_at": "p.acknowledge_by",
            "raised_at": ("%s", [stored(Escalation, "raised_at", now)]),
            "acknowledge_by": "o.acknowledge_by",
            "follow_up_due": "o.follow_up_due",
        },
        f"{table} JOIN {outcomes} ON o.number = v.outcome"
        f" JOIN {qn(Escalation._meta.db_table)} p ON p.id = v.parent_id WHERE true",
        params + outcomes_params,
        order_by="v.position",
        skip_existing=True,
        returning=RETURNED,
    )
    return tell(created, _people(once, created, regions), now)


def _follow_up_words(role: str, window, missed: datetime) -> str:
    """The words a follow-up's reason ends with, after its parent's reason."""
    return (
        f" Not acknowledged by the {Role(role).label} within {window_length(window)} (by {london(missed)})."
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
        self.people = {}

    def __call__(self, function, *key):
        """`function(*key)`, worked out the first time this key is met."""
        if (function, key) not in self.known:
            self.known[(function, key)] = function(*key)
        return self.known[(function, key)]

    def acknowledge_by(self, provider_id: int, window) -> datetime:
        return acknowledge_deadline(self.providers[provider_id].calendar, self.now, window)

    def resolved(self, where: Target) -> Resolved:
        """The people told (asked once per target: a plain dictionary look-up once known)."""
        people = self.people.get(where)
        if people is None:
            people = self.people[where] = self.directory.resolve(where)
        return people


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
            breach_number=parent.breach_number if parent else spec.breach_number,
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


# --- small helpers ---------------------------------------------------------------------------------------


def _field(model, name: str):
    return model._meta.get_field(name)
