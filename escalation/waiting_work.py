"""The steps still to record that wait on one role assignment's role where it is held: what removing
that role from its only holder would leave nobody to record (`providers.waiting_work`)."""

from django.db.models import Q

from providers.dashboards import first_rows_and_total
from providers.waiting_work import Waiting

from .choices import ChainRunStatus, StepRunState
from .models import StepRun


def reached_by(assignment) -> Q:
    """The step runs whose place (`permissions.step_place`: its region, else its case's service, else
    its case's provider) a role held at the assignment's scope reaches (`providers.permissions.covers`)."""
    if assignment.service_id:
        return Q(region__isnull=True, chain_run__service_id=assignment.service_id)
    if assignment.region_id:
        return Q(region_id=assignment.region_id) | Q(
            region__isnull=True, chain_run__service__region_id=assignment.region_id
        )
    return Q(chain_run__provider_id=assignment.provider_id)


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
