"""Dashboard panels of chain C, registered from the AppConfig for the roles that run its steps."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from escalation.choices import StepRunState
from escalation.models import StepRun
from providers import dashboards
from providers.choices import Role

from . import chain, permissions, release_checks
from .choices import LineState, UpdateStatus
from .models import IssueHold, ReportingUpdate

PANEL_ROWS = 5
ROLES = [
    Role.COMPLIANCE_MANAGER,
    Role.PROVIDER_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.PERFORMANCE_ANALYST,
    Role.RESIDENT_EXPERIENCE_LEAD,
]


def updates_context(request, role) -> dict:
    """Unreleased updates (with their lacking lines and hold). The role's checks before issue are in
    the panel of the person's own checks, of every chain (escalation.panels.own_checks_context)."""
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
    return {
        "updates": shown,
        "update_total": updates.count(),
        "held_total": updates.filter(status=UpdateStatus.HELD).count(),
        "now": timezone.now(),
    }


def awaiting_release(user):
    """The person's unreleased updates signed off for issue (C5 recorded) or held, newest first, each with
    `signed_off` and, when held, what holds it (`hold_reason`, `held_since`): one query, whatever their
    number, since the sign-off and the hold are read as subqueries of each row."""
    signed_off = StepRun.objects.filter(
        chain_run__content_type=ContentType.objects.get_for_model(ReportingUpdate),  # cached after once
        chain_run__object_id=OuterRef("pk"),
        chain_run__chain__code=chain.CHAIN_CODE,
        code=chain.SIGN_OFF_STEP,
        state=StepRunState.RECORDED,
    )
    hold = IssueHold.objects.filter(update=OuterRef("pk"), lifted_at__isnull=True)
    return (
        permissions.visible_updates(user)
        .exclude(status=UpdateStatus.RELEASED)
        .annotate(
            signed_off=Exists(signed_off),
            hold_reason=Subquery(hold.values("reason")[:1]),
            held_since=Subquery(hold.values("placed_at")[:1]),
        )
        .filter(Q(signed_off=True) | Q(status=UpdateStatus.HELD))
        .order_by("-created_at", "-pk")
    )


def release_context(request, role) -> dict:
    """The Nominated Individual's and the Provider Director's panel: updates signed off and waiting for
    release, and those held with what holds them; the newest few, and how many in all. A signed-off row
    is "ready to release"
    only when release would be allowed (`release_checks.release_problems`, the rule release enforces);
    otherwise it says the first thing still stopping it (`release_problem`). That is read for the few
    rows shown only (at most PANEL_ROWS), so the queries do not grow with the number waiting."""
    rows, total = dashboards.first_rows_and_total(lambda: awaiting_release(request.user), PANEL_ROWS)
    for update in rows:
        problems = [] if update.hold_reason else release_checks.release_problems(update)
        update.release_problem = problems[0] if problems else ""
    return {"updates": rows, "total": total, "more": max(total - len(rows), 0)}


def register_panels() -> None:
    dashboards.register(
        roles=ROLES, template="reporting_control/panels/updates.html", context=updates_context, order=20
    )
    # The Provider Director signs off and releases too: told, like the Nominated Individual, what still
    # stops a signed-off update (found: a line changed after the sign-off was said to the NI alone).
    dashboards.register(
        roles=[Role.NOMINATED_INDIVIDUAL, Role.PROVIDER_DIRECTOR],
        template="providers/panels/updates_awaiting_release.html",
        context=release_context,
        order=25,
    )
