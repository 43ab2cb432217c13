"""The "open escalations" panel every staff role's dashboard shows, and the work list it shares with
the inbox: the person's own escalations to act on apart from those others act on at their services."""

from providers import dashboards
from providers.permissions import STAFF_ROLES
from providers.who_acts import oversight_once, split_yours

from .choices import EscalationState
from .models import Notification
from .permissions import placed_within_reach, visible_escalations

PANEL_SIZE = 5


def with_what_acting_reads(escalations):
    """Escalations with everything the permission to act on them reads, loaded with them."""
    return escalations.select_related(
        "step_run__region", "chain_run__chain", "service", "region", "provider", "acknowledged_by"
    ).prefetch_related("notifications")


def told(user):
    """The person's notifications of escalations they may still open, newest first."""
    return (
        Notification.objects.filter(user=user, escalation__in=visible_escalations(user))
        .select_related("escalation__step_run__region", "escalation__chain_run__chain")
        .select_related("escalation__service", "escalation__region", "escalation__provider")
        .select_related("escalation__acknowledged_by")  # "Acted on by" names them
        .prefetch_related("escalation__notifications")
        .order_by("-escalation__raised_at", "-pk")
    )


def raised_to_others(user):
    """Open escalations placed at the person's services that they were not told about, newest first.

    Placed, not only seen: a case's staff see all of it, but the escalation of a step run once per
    region (A4) belongs to that region's list, not to the list of the service where the case began."""
    untold = (
        visible_escalations(user)
        .filter(placed_within_reach(user))
        .exclude(state=EscalationState.RESOLVED)
        .exclude(pk__in=Notification.objects.filter(user=user).values("escalation_id"))
    )
    return with_what_acting_reads(untold).order_by("-raised_at", "-pk")


def escalation_worklist(user, notifications, others) -> dict:
    """Split open escalations (those the person was told of, then `others` at their services) into the
    person's to act on and those others act on, naming who (the oversight roles once, under the list);
    resolved ones the person was told of apart."""
    told_of = []
    for notification in notifications:
        escalation = notification.escalation
        escalation.unread = not notification.read_at
        told_of.append(escalation)
    still_open = [e for e in told_of if e.state != EscalationState.RESOLVED] + list(others)
    yours, theirs = split_yours(user, still_open, "escalation.acknowledge_escalation")
    resolved = [e for e in told_of if e.state == EscalationState.RESOLVED]
    return {"yours": yours, "others": theirs, "oversight": oversight_once(theirs), "resolved": resolved}


def open_escalations_context(request, role) -> dict:
    """The person's open escalations to act on, and the newest raised to others at their services (a
    fixed number of queries), with how many of each are not listed.

    Those raised to others go to the person's list when they may act on them (the Nominated Individual
    on any), so the panel counts what it leaves out of each list, not the escalations told of."""
    user = request.user
    mine, open_total = dashboards.first_rows_and_total(
        lambda: told(user).exclude(escalation__state=EscalationState.RESOLVED),
        PANEL_SIZE,
        kept_for=(user, "open escalations told of"),
    )
    others, others_total = dashboards.first_rows_and_total(
        lambda: raised_to_others(user), PANEL_SIZE, kept_for=(user, "escalations raised to others")
    )
    return {
        "more_told": open_total - len(mine),
        "more_at_services": others_total - len(others),
        **escalation_worklist(user, mine, others),
    }


def register_panels() -> None:
    dashboards.register(
        roles=STAFF_ROLES,
        template="escalation/panels/open_escalations.html",
        context=open_escalations_context,
        order=5,
    )
