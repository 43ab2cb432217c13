"""The "open escalations" panel every staff role's dashboard shows."""

from providers import dashboards
from providers.permissions import STAFF_ROLES

from .choices import EscalationState
from .models import Notification
from .permissions import visible_escalations

PANEL_SIZE = 5


def open_escalations_context(request, role) -> dict:
    """The person's open escalations they may still open, newest first (a fixed number of queries)."""
    rows = (
        Notification.objects.filter(user=request.user, escalation__in=visible_escalations(request.user))
        .exclude(escalation__state=EscalationState.RESOLVED)
        .select_related("escalation__step_run", "escalation__chain_run__chain")
        .order_by("-escalation__raised_at", "-pk")
    )
    return {"open_total": rows.count(), "open_items": list(rows[:PANEL_SIZE])}


def register_panels() -> None:
    dashboards.register(
        roles=STAFF_ROLES,
        template="escalation/panels/open_escalations.html",
        context=open_escalations_context,
        order=5,
    )
