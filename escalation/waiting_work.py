"""What waits on one role assignment's role where it is held, which removing that role from its only
holder would leave to nobody (`providers.waiting_work`): the steps still to record, the open
escalations addressed to the role there, and the open escalations to other roles there that its holder
was told of and nobody else could then answer."""

from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from providers.choices import Role
from providers.dashboards import first_rows_and_total
from providers.models import RoleAssignment
from providers.waiting_work import Waiting

from .choices import ChainRunStatus, EscalationState, StepRunState
from .models import Escalation, Notification, StepRun

# Where a step run's case is held; an escalation names its service itself.
STEP_SERVICE = "chain_run__service"
# An escalation still to answer: a settled one (its step recorded, or another level resolved) is
# resolved too.
OPEN = (EscalationState.RAISED, EscalationState.ACKNOWLEDGED)


def reached_by(assignment, service: str = STEP_SERVICE) -> Q:
    """The step runs (or, with `service="service"`, escalations) whose place (`permissions.step_place`,
    `permissions.escalation_place`: its region, else its service, else its provider) a role held at
    the assignment's scope reaches (`providers.permissions.covers`); the caller keeps to the
    assignment's provider, all of which a provider-level role reaches."""
    if assignment.service_id:
        return Q(region__isnull=True, **{f"{service}_id": assignment.service_id})
    if assignment.region_id:
        return Q(region_id=assignment.region_id) | Q(
            region__isnull=True, **{f"{service}__region_id": assignment.region_id}
        )
    return Q()


def steps_waiting_on(assignment, size: int) -> tuple[list[Waiting], int]:
    """The first `size` open cases' steps of the assignment's role still to record where it reaches,
    earliest due first, and how many in all, in one query."""
    rows, total = first_rows_and_total(
        lambda: (
            StepRun.objects.filter(
                reached_by(assignment),
                chain_run__provider_id=assignment.provider_id,
                chain_run__status=ChainRunStatus.OPEN,
                role=assignment.role,
                state__in=(StepRunState.DUE, StepRunState.OVERDUE),
            )
            .select_related("chain_run")
            .order_by("due_at", "pk")
        ),
        size,
    )
    return [Waiting(f"{row.label} for {row.chain_run.subject_label}", row.due_at) for row in rows], total


def _reaching_the_place(place_region, place_service, provider) -> Q:
    """The role assignments (staff roles, active people) whose scope reaches an escalation's place,
    given as references to its annotated `place_region` and `place_service` (`_with_place`): the
    provider's provider-level roles, a regional role of the place's region, a service role of the
    place's service, as `providers.permissions.covers` says."""
    return (
        Q(provider_id=provider, user__is_active=True)
        & ~Q(role=Role.COMMISSIONER)
        & (
            Q(service__isnull=True, region__isnull=True)
            | Q(service__isnull=True, region_id=place_region)
            | Q(service_id=place_service)
        )
    )


def _with_place(escalations):
    """Escalations with the region and service of their place (`permissions.escalation_place`): its
    region when it has one (a step once per region), else its service's; its service only when it has
    no region."""
    return escalations.annotate(
        place_region=Coalesce("region_id", "service__region_id"),
        place_service=Case(When(region__isnull=True, then=F("service_id"))),
    )


def told_and_left_to_nobody(assignment) -> Q:
    """The escalations addressed to another role that the assignment's holder was told of, which
    nobody could answer once the role is removed (`permissions.ACTS_ON_ESCALATION`, the Nominated
    Individual's oversight aside, as for the role's own escalations): the holder keeps no other staff
    role reaching its place, nobody holds its target role there, and nobody else told of it works there
    now. For a queryset from `_with_place`."""
    me = assignment.user_id
    reaching = RoleAssignment.objects.filter(
        _reaching_the_place(OuterRef("place_region"), OuterRef("place_service"), OuterRef("provider_id"))
    ).exclude(pk=assignment.pk)
    still_working_there = RoleAssignment.objects.filter(
        _reaching_the_place(
            OuterRef(OuterRef("place_region")),
            OuterRef(OuterRef("place_service")),
            OuterRef(OuterRef("provider_id")),
        ),
        user_id=OuterRef("user_id"),
    )
    others_told = Notification.objects.filter(escalation_id=OuterRef("pk")).exclude(user_id=me)
    return (
        ~Q(target_role=assignment.role)
        & Exists(Notification.objects.filter(escalation_id=OuterRef("pk"), user_id=me))
        & ~Exists(reaching.filter(user_id=me))
        & ~Exists(reaching.filter(role=OuterRef("target_role")))
        & ~Exists(others_told.filter(Exists(still_working_there)))
    )


def escalations_waiting_on(assignment, size: int) -> tuple[list[Waiting], int]:
    """The first `size` open escalations (neither resolved nor settled: `OPEN`) where the assignment's
    role reaches that removing it would leave to nobody, oldest first, and how many in all, in one
    query: those addressed to the role, and those to other roles its holder was told of that nobody
    else could answer (`told_and_left_to_nobody`). "Check complaints and safeguarding alerts (C3):
    step overdue for RU-0002 at Elm House — raised …"."""
    rows, total = first_rows_and_total(
        lambda: (
            _with_place(Escalation.objects.all())
            .filter(
                reached_by(assignment, service="service"),
                provider_id=assignment.provider_id,
                state__in=OPEN,
            )
            .filter(Q(target_role=assignment.role) | told_and_left_to_nobody(assignment))
            .select_related("step_run", "chain_run", "service")
            .order_by("raised_at", "pk")
        ),
        size,
    )
    return [_escalation_waiting(row, assignment.role) for row in rows], total


def _escalation_waiting(escalation: Escalation, role: str) -> Waiting:
    """One open escalation as the removal page names it: its step, what happened, its case, its service,
    the role it is addressed to when not the one removed, when it was raised, and its page."""
    what = f"{escalation.step_run.label}: {escalation.get_kind_display().lower()}"
    if escalation.group:
        what = f"{what} ({escalation.group})"
    subject = escalation.chain_run.subject_label
    what = f"{what} for {subject}"
    # A case about learning at a service names it already ("LT-0002 at Rowan Court"): said once.
    if escalation.service_id and not subject.endswith(f" at {escalation.service}"):
        what = f"{what} at {escalation.service}"
    if escalation.target_role != role:
        what = f"{what}, addressed to the {escalation.get_target_role_display()}"
    return Waiting(
        what, escalation.raised_at, "raised", link=reverse("escalation:detail", args=[escalation.pk])
    )
