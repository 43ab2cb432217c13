"""Who may see and do what in the escalation engine: every rule of access of the app, in one table.

Each permission is a `rules` predicate asked with `user.has_perm(perm, obj)`. A case with a service is
seen by staff whose role (now) reaches that service; a provider-wide case by the provider's provider-
and region-level staff; never through the provider administrator's role, which keeps the organisation
and the chains' settings, not the work (`providers.permissions.WORK_ROLES`). Being told about an
escalation shows it, and lets the person act on it, only while they still hold a staff role reaching
the escalation's service (or, provider-wide, a provider-level role): a notification never outlives
the role it was sent for. Commissioners and other providers' people see none of it.
"""

import rules
from django.db.models import Q, QuerySet

from providers.choices import Role
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


# Acknowledge, record the action, resolve: a person told who still works there, a holder of the
# target role, or the Nominated Individual.
ACTS_ON_ESCALATION = (
    (was_told & staff_at(escalation_place))
    | holds_the_target_role
    | holds(Role.NOMINATED_INDIVIDUAL, at="provider")
)
ACTORS = "Only the people told (still working there), holders of the target role or the Nominated Individual."

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
    """All that ACTS_ON_ESCALATION reads of an escalation: who was told, its place, its target role
    and its provider."""
    told = frozenset(n.user_id for n in escalation.notifications.all())
    return (told, escalation_place(escalation), escalation.target_role, escalation.provider_id)


def who_acts_on(escalation) -> tuple[list[str], object, frozenset]:
    """Who alone can pass ACTS_ON_ESCALATION, reaching the escalation's place: the target role, the
    Nominated Individual (provider-wide, so reaching every place of the provider) and the people told."""
    told = frozenset(n.user_id for n in escalation.notifications.all())
    return [escalation.target_role, Role.NOMINATED_INDIVIDUAL], escalation_place(escalation), told


# Work lists try each colleague's role once per kind of row, not once per row, and only on those who
# alone could pass (providers.who_acts).
decided_by("escalation.record_step", _what_decides_a_step, only=who_records)
for _perm in ("acknowledge_escalation", "record_escalation_action", "resolve_escalation"):
    decided_by(f"escalation.{_perm}", _what_decides_an_escalation, only=who_acts_on)


# --- scoped querysets (the same scopes as the table) ------------------------------------------


def _work_assignments(user) -> list:
    """The person's roles that see the services' work (`WORK_ROLES`: not the provider administrator's)."""
    return [a for a in staff_assignments(user) if a.role in WORK_ROLES]


def placed_within_reach(user) -> Q:
    """Escalations whose place (`escalation_place`: the region of a step run once per region, else the
    service, else the provider) the person's roles that see the work reach now."""
    regions = {a.region_id for a in _work_assignments(user) if a.region_id and not a.service_id}
    broad = provider_level_ids(user, WORK_ROLES)
    return (
        Q(region_id__in=regions)
        | Q(region__isnull=False, provider_id__in=broad)
        | Q(region__isnull=True, service__in=visible_services(user))
        | Q(region__isnull=True, service__isnull=True, provider_id__in=broad)
    )


def _told_here(user) -> Q:
    """Escalations the person was told about and still works at (by the same rule as the table)."""
    told = Q(pk__in=Notification.objects.filter(user_id=user.pk).values("escalation_id"))
    return told & placed_within_reach(user)


def visible_chain_runs(user) -> QuerySet[ChainRun]:
    if not getattr(user, "is_authenticated", False):
        return ChainRun.objects.none()
    return built_once(user, "visible_chain_runs", lambda: _visible_chain_runs(user))


def _visible_chain_runs(user) -> QuerySet[ChainRun]:
    broad = {a.provider_id for a in _work_assignments(user) if not a.service_id}
    told = Escalation.objects.filter(_told_here(user)).values("chain_run_id")
    # A regional step (A4) brings its region's managers to a case that started in another region.
    regions = {a.region_id for a in _work_assignments(user) if a.region_id and not a.service_id}
    regional = StepRun.objects.filter(region_id__in=regions).values("chain_run_id")
    return ChainRun.objects.filter(
        Q(service__in=visible_services(user))
        | Q(service__isnull=True, provider_id__in=broad)
        | Q(pk__in=regional)
        | Q(pk__in=told)
    )


def visible_escalations(user) -> QuerySet[Escalation]:
    if not getattr(user, "is_authenticated", False):
        return Escalation.objects.none()
    return built_once(
        user,
        "visible_escalations",
        lambda: Escalation.objects.filter(
            Q(chain_run_id__in=visible_chain_runs(user).values("pk")) | _told_here(user)
        ),
    )


def visible_step_runs(user) -> QuerySet[StepRun]:
    return StepRun.objects.filter(chain_run_id__in=visible_chain_runs(user).values("pk"))
