"""Who may see and do what in the escalation engine: every rule of access of the app, in one table.

Each permission is a `rules` predicate asked with `user.has_perm(perm, obj)`. One rule decides what a
person sees of the cases, on every page and in every list: a case is seen by the people who may read
its subject, by the rule of the chain app it belongs to (a trigger, a deployment, an update:
`register_subject_readers`); a case whose subject no app names readers for (a test's) by staff whose
role reaches its service, or, provider-wide, its provider. Of a case they see, a check run once per
region (A4) and an escalation are seen only where they are placed within the person's reach (its
region, service or provider), and the recorded figures and words of services outside their reach are
cut (`values_seen`), as a trigger's page cuts them. Never through the provider administrator's role,
which keeps the organisation and the chains' settings, not the work (`providers.permissions.WORK_ROLES`).
Being told about an escalation shows that escalation (not its case) only while the person still holds
a staff role reaching its place: a notification never outlives the role it was sent for. Commissioners
and other providers' people see none of it.
"""

from collections.abc import Callable

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from providers.choices import Role
from providers.models import Service
from providers.permissions import (
    WORK_ROLES,
    built_once,
    compiled_once,
    holds,
    holds_now,
    provider_level_ids,
    register,
    staff_assignments,
    staff_at,
    visible_services,
)
from providers.who_acts import decided_by

from .models import ChainRun, Escalation, Notification, StepRun
from .values import ValuesSeen


def escalation_place(escalation: Escalation):
    """Where an escalation lives: its region for a step run once per region (A4, whose case's service
    may lie in another region), else its service, else its provider when it is provider-wide."""
    return escalation.region or escalation.service or escalation.provider


@rules.predicate
def was_told(user, escalation):
    """The person was notified of it (uses the prefetched notifications when the view loaded them)."""
    return escalation is not None and any(n.user_id == user.pk for n in escalation.notifications.all())


@rules.predicate
def holds_the_target_role(user, escalation):
    return escalation is not None and holds_now(user, [escalation.target_role], escalation_place(escalation))


def step_place(step_run: StepRun):
    """Where a step run is recorded: its region (a regional step such as A4 runs once per region),
    else the case's service, else the case's provider."""
    run = step_run.chain_run
    return step_run.region or run.service or run.provider


def who_records(step_run) -> tuple[list[str], object]:
    """The roles that record a step run and the place their holders must reach."""
    return [step_run.role], step_place(step_run)


@rules.predicate
def holds_the_step_role(user, step_run):
    return step_run is not None and holds_now(user, *who_records(step_run))


@rules.predicate
def sees_the_case(user, run):
    if run is None:
        return False
    # Asked on every page about a case: the SQL is kept for the roles held, run with this case.
    seen = compiled_once(
        user,
        "a case the person sees",
        lambda pk: visible_chain_runs(user).filter(pk=pk).values("pk"),
        pk=run.pk,
    )
    return seen.count() > 0


@rules.predicate
def sees_the_escalation(user, escalation):
    return escalation is not None and visible_escalations(user).filter(pk=escalation.pk).exists()


def _recorded_by_others(escalation) -> bool:
    """The escalation is about a step someone else records: raised to another role than the step's."""
    step_run = escalation.step_run if escalation is not None else None
    return step_run is not None and escalation.target_role != step_run.role


@rules.predicate
def records_the_step_behind(user, escalation):
    """The person records the step the escalation is about (holds its role where it is recorded), and
    the escalation was raised to someone else about it."""
    return _recorded_by_others(escalation) and holds_now(user, *who_records(escalation.step_run))


# Acknowledge, record the action, resolve: a person told who still works there, or a holder of the
# target role, unless they record the step it is about through another role (cover for their own
# manager): the person who was late, or whose figure breached, never closes the escalation about it.
# The Nominated Individual, accountable for everything, may act on any.
ACTS_ON_ESCALATION = (
    ((was_told & staff_at(escalation_place)) | holds_the_target_role) & ~records_the_step_behind
) | holds(Role.NOMINATED_INDIVIDUAL, at="provider")
ACTORS = (
    "Only the people told (still working there) or holders of the target role, unless they record the step "
    "it is about; or the Nominated Individual."
)

# permission: (predicate, who may, in one line). Objects: a Provider for pages not about one object.
PERMISSIONS = {
    "escalation.view_chain_run": (
        sees_the_case,
        "Staff reaching the case's service (provider-wide cases: provider and region staff), or told of it.",
    ),
    "escalation.view_escalation": (
        sees_the_escalation,
        "Whoever sees its case, or a person told of it who still works there.",
    ),
    "escalation.record_step": (
        holds_the_step_role,
        "Only a holder of the step's role reaching the case's service, region (A4) or provider.",
    ),
    "escalation.acknowledge_escalation": (ACTS_ON_ESCALATION, ACTORS),
    "escalation.record_escalation_action": (ACTS_ON_ESCALATION, ACTORS),
    "escalation.resolve_escalation": (ACTS_ON_ESCALATION, ACTORS),
    "escalation.tune_step": (
        holds(Role.PROVIDER_ADMINISTRATOR),
        "Only the provider's administrator tunes its steps.",
    ),
}
# What each permission lets a person do, as a refusal names who can.
ACTIONS = {
    "escalation.view_chain_run": "open this case",
    "escalation.view_escalation": "open this escalation",
    "escalation.record_step": "record this check",
    "escalation.acknowledge_escalation": "acknowledge this escalation",
    "escalation.record_escalation_action": "record the action taken on this escalation",
    "escalation.resolve_escalation": "resolve this escalation",
    "escalation.tune_step": "change the thresholds and response windows of the chains",
}
register(PERMISSIONS, ACTIONS)


def _what_decides_a_step(step_run) -> tuple:
    """All that holds_the_step_role reads of a step run: its role and its place."""
    return (step_run.role, step_place(step_run))


def _what_decides_an_escalation(escalation) -> tuple:
    """All that ACTS_ON_ESCALATION reads of an escalation: who was told, its place, its target role,
    its provider, and who records the step it is about."""
    told = frozenset(n.user_id for n in escalation.notifications.all())
    step_run = escalation.step_run
    recorders = (step_run.role, step_place(step_run)) if step_run is not None else None
    return (told, escalation_place(escalation), escalation.target_role, escalation.provider_id, recorders)


def who_acts_on(escalation) -> tuple[list[str], object, frozenset]:
    """Who alone can pass ACTS_ON_ESCALATION, reaching the escalation's place: the target role, the
    Nominated Individual (provider-wide, so reaching every place of the provider) and the people told."""
    told = frozenset(n.user_id for n in escalation.notifications.all())
    return [escalation.target_role, Role.NOMINATED_INDIVIDUAL], escalation_place(escalation), told


# Work lists try each colleague's role once per kind of row, not once per row, and only on those who
# alone could pass (providers.who_acts).
decided_by("escalation.record_step", _what_decides_a_step, only=who_records)


def who_records_the_step_behind(escalation) -> tuple[list[str], object, list[str]]:
    """Who records the step the escalation is about, raised to someone else: never named as able to act
    on it but as the Nominated Individual (`records_the_step_behind`)."""
    if not _recorded_by_others(escalation):
        return [], escalation.provider, []
    step_run = escalation.step_run
    return [step_run.role], step_place(step_run), [Role.NOMINATED_INDIVIDUAL]


for _perm in ("acknowledge_escalation", "record_escalation_action", "resolve_escalation"):
    decided_by(
        f"escalation.{_perm}",
        _what_decides_an_escalation,
        only=who_acts_on,
        unless=who_records_the_step_behind,
    )


# --- scoped querysets (the same scopes as the table) ------------------------------------------

# Each chain app's subjects and who reads them: the model, and the subjects a person may read (the
# queryset its own view permission scopes its lists with). Filled by the chain apps' permissions
# modules: the engine imports no chain app.
_SUBJECT_READERS: dict[type[Model], Callable[[object], QuerySet]] = {}


def register_subject_readers(model: type[Model], readable: Callable[[object], QuerySet]) -> None:
    """A chain app names who reads its subjects (`readable(user)`: the subjects of `model` the person
    may read, through a role that sees the services' work): a case about one, its checks and its
    escalations are then seen by those people alone."""
    _SUBJECT_READERS[model] = readable


def _work_assignments(user) -> list:
    """The person's roles that see the services' work (`WORK_ROLES`: not the provider administrator's)."""
    return [a for a in staff_assignments(user) if a.role in WORK_ROLES]


def _regions_held(user) -> set[int]:
    """Regions where the person holds a regional role that sees the work."""
    return {a.region_id for a in _work_assignments(user) if a.region_id and not a.service_id}


def placed_within_reach(user) -> Q:
    """Escalations whose place (`escalation_place`: the region of a step run once per region, else the
    service, else the provider) the person's roles that see the work reach now."""
    broad = provider_level_ids(user, WORK_ROLES)
    return (
        Q(region_id__in=_regions_held(user))
        | Q(region__isnull=False, provider_id__in=broad)
        | Q(region__isnull=True, service__in=visible_services(user))
        | Q(region__isnull=True, service__isnull=True, provider_id__in=broad)
    )


def _step_within_reach(user) -> Q:
    """Step runs the person's roles reach: every one of no region, and a check run once per region (A4,
    which names that region's lateness and who holds it) in a region they reach."""
    broad = provider_level_ids(user, WORK_ROLES)
    return Q(region__isnull=True) | Q(region_id__in=_regions_held(user)) | Q(chain_run__provider_id__in=broad)


def _told_here(user) -> Q:
    """Escalations the person was told about and still works at (by the same rule as the table)."""
    told = Q(pk__in=Notification.objects.filter(user_id=user.pk).values("escalation_id"))
    return told & placed_within_reach(user)


def visible_chain_runs(user) -> QuerySet[ChainRun]:
    """The cases the person sees: those whose subject they may read (`_reads_the_subject`)."""
    if not getattr(user, "is_authenticated", False):
        return ChainRun.objects.none()
    return built_once(user, "visible_chain_runs", lambda: ChainRun.objects.filter(_reads_the_subject(user)))


def _reads_the_subject(user) -> Q:
    """Cases whose subject the person may read, by its app's rule; a subject no app names readers for
    (a test's) by the case's place: its service, a region of one of its checks (A4), or, provider-wide,
    its provider, reached by a role that sees the work."""
    declared = {
        ContentType.objects.get_for_model(model).pk: readable  # cached for the process
        for model, readable in _SUBJECT_READERS.items()
    }
    read = Q(pk__in=[])
    for content_type_id, readable in declared.items():
        read |= Q(content_type_id=content_type_id, object_id__in=readable(user).values("pk"))
    regional = StepRun.objects.filter(region_id__in=_regions_held(user)).values("chain_run_id")
    placed = (
        Q(service__in=visible_services(user))
        | Q(service__isnull=True, provider_id__in=provider_level_ids(user, WORK_ROLES))
        | Q(pk__in=regional)
    )
    return read | (~Q(content_type_id__in=list(declared)) & placed)


def visible_escalations(user) -> QuerySet[Escalation]:
    """Escalations placed within the person's reach, of a case they see or told to them (C2 tells the
    registered manager of a service behind, who reads that escalation, not the update's case)."""
    if not getattr(user, "is_authenticated", False):
        return Escalation.objects.none()
    return built_once(
        user,
        "visible_escalations",
        lambda: Escalation.objects.filter(
            Q(chain_run_id__in=visible_chain_runs(user).values("pk")) | _told_here(user),
            placed_within_reach(user),
        ),
    )


def visible_step_runs(user) -> QuerySet[StepRun]:
    """The checks of the cases the person sees, a regional one (A4) only in a region they reach."""
    return StepRun.objects.filter(
        _step_within_reach(user), chain_run_id__in=visible_chain_runs(user).values("pk")
    )


def events_seen(user) -> Q:
    """A case's events the person sees: those of no check or escalation, or of one they see."""
    return (Q(step_run__isnull=True) | Q(step_run__in=visible_step_runs(user))) & (
        Q(escalation__isnull=True) | Q(escalation__in=visible_escalations(user))
    )


def values_seen(user, run: ChainRun) -> ValuesSeen:
    """What the person sees of the case's recorded figures and words: every service's for a role that
    sees the work across the case's provider; otherwise the provider's services outside their reach
    are cut (one query), as the trigger's page cuts its matched services."""
    if run.provider_id in provider_level_ids(user, WORK_ROLES):
        return ValuesSeen()
    hidden = Service.objects.filter(provider_id=run.provider_id).exclude(pk__in=visible_services(user))
    regional = any(
        a.provider_id == run.provider_id for a in _work_assignments(user) if a.region_id and not a.service_id
    )
    return ValuesSeen(frozenset(hidden.values_list("name", flat=True)), regional)
