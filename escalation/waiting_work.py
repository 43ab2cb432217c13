"""What waits on one role assignment's role where it is held, which removing that role from its only
holder would leave to nobody (`providers.waiting_work`): the steps still to record, and the open
escalations addressed to the role there."""

from django.db.models import Q

from providers.dashboards import first_rows_and_total
from providers.waiting_work import Waiting

from .choices import ChainRunStatus, EscalationState, StepRunState
from .models import Escalation, StepRun

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


def escalations_waiting_on(assignment, size: int) -> tuple[list[Waiting], int]:
    """The first `size` open escalations (neither resolved nor settled: `OPEN`) addressed to the assignment's
    role where it reaches, oldest first, and how many in all, in one query: "Check complaints and
    safeguarding alerts (C3): step overdue for RU-0002 — raised …"."""
    rows, total = first_rows_and_total(
        lambda: (
            Escalation.objects.filter(
                reached_by(assignment, service="service"),
                provider_id=assignment.provider_id,
                target_role=assignment.role,
                state__in=OPEN,
            )
            .select_related("step_run", "chain_run")
            .order_by("raised_at", "pk")
        ),
        size,
    )
    return [_escalation_waiting(row) for row in rows], total


def _escalation_waiting(escalation: Escalation) -> Waiting:
    """One open escalation as the removal page names it: its step, what happened, its case, when."""
    what = f"{escalation.step_run.label}: {escalation.get_kind_display().lower()}"
    if escalation.group:
        what = f"{what} ({escalation.group})"
    return Waiting(f"{what} for {escalation.chain_run.subject_label}", escalation.raised_at, "raised")
