"""Live practice at matched services, as chain A's pages read it beside verified implementation
(learning_transfer.live_practice): for each deployment, its overdue checks and open problems, counted
in SQL, three queries however many services."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from escalation.choices import ChainRunStatus, EscalationKind, EscalationState, StepRunState
from escalation.models import Escalation, StepRun
from learning_transfer.live_practice import Practice

from . import chain
from .models import Deployment, DeploymentStatus

# The problems a page names: what the checks found. Follow-ups (nobody acknowledged in time) and a
# check overdue are counted apart, as "overdue".
PROBLEM_KINDS = [EscalationKind.BREACH, EscalationKind.WEAK_GROUP]


def at_matches(matches, now, off_track_only: bool = False) -> dict[int, Practice]:
    """{matched service id: Practice} for the deployments of `matches` (a queryset or ids); with
    `off_track_only`, only those with a check overdue or a problem open."""
    deployments = Deployment.objects.filter(matched_service__in=matches)
    cases = {
        "chain_run__chain__code": chain.CHAIN_CODE,
        "chain_run__content_type": ContentType.objects.get_for_model(Deployment),
        "chain_run__object_id__in": deployments.values("pk"),
    }
    overdue = (Q(state=StepRunState.OVERDUE) | Q(due_at__lte=now)) & Q(
        state__in=[StepRunState.DUE, StepRunState.OVERDUE]
    )
    overdue_by_deployment = dict(
        StepRun.objects.filter(overdue, chain_run__status=ChainRunStatus.OPEN, **cases)
        .values_list("chain_run__object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    problems_by_deployment = dict(
        Escalation.objects.filter(parent__isnull=True, kind__in=PROBLEM_KINDS, **cases)
        .exclude(state=EscalationState.RESOLVED)
        .values_list("chain_run__object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if off_track_only:
        deployments = deployments.filter(pk__in={*overdue_by_deployment, *problems_by_deployment})
    return {
        row["matched_service_id"]: Practice(
            deployment_id=row["pk"],
            live_since=row["deployed_at"],
            closed=row["status"] == DeploymentStatus.CLOSED,
            overdue=overdue_by_deployment.get(row["pk"], 0),
            problems=problems_by_deployment.get(row["pk"], 0),
        )
        for row in deployments.values("pk", "matched_service_id", "deployed_at", "status")
    }
