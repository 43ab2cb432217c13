"""Dashboard panels of chain C, registered from the AppConfig for the roles that run its steps."""

from django.db.models import Count, Q
from django.utils import timezone

from escalation.choices import StepRunState
from escalation.models import StepRun
from providers import dashboards
from providers.choices import Role
from providers.permissions import provider_level_ids

from . import permissions
from .choices import LineState, UpdateStatus

PANEL_ROWS = 5
ROLES = [
    Role.COMPLIANCE_MANAGER,
    Role.PROVIDER_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.PERFORMANCE_ANALYST,
    Role.RESIDENT_EXPERIENCE_LEAD,
]


def updates_context(request, role) -> dict:
    """Unreleased updates (with their lacking lines and hold), and this role's chain C steps still due."""
    updates = (
        permissions.visible_updates(request.user)
        .exclude(status=UpdateStatus.RELEASED)
        .annotate(
            line_count=Count("lines"),
            lacking=Count("lines", filter=Q(lines__state=LineState.LACKING)),
        )
        .order_by("issue_at")
    )
    shown = list(updates[:PANEL_ROWS])
    for update in shown:
        update.status_text = update.status_words(update.line_count, update.lacking)
    due = (
        StepRun.objects.filter(
            chain_run__chain__code="C",
            chain_run__provider_id__in=provider_level_ids(request.user),
            role=role,
            state=StepRunState.DUE,
        )
        .select_related("chain_run")
        .order_by("due_at")
    )
    return {
        "updates": shown,
        "update_total": updates.count(),
        "held_total": updates.filter(status=UpdateStatus.HELD).count(),
        "due_steps": list(due[:PANEL_ROWS]),
        "now": timezone.now(),
    }


def register_panels() -> None:
    dashboards.register(
        roles=ROLES, template="reporting_control/panels/updates.html", context=updates_context, order=20
    )
