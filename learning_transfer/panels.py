"""Dashboard panels of chain A, one per role it serves; registered from the AppConfig."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from providers import dashboards
from providers.choices import Role
from providers.permissions import compiled_once, providers_where

from . import permissions
from .choices import TriggerStatus
from .models import ImplementationLead, LearningNotice
from .services.review import review_candidates
from .services.summary import headline

PANEL_ROWS = 5


def quality_director_context(request, role) -> dict:
    """Incidents awaiting a review decision and triggers whose learning is not yet issued."""
    user = request.user
    candidates, total = review_candidates(user, now=timezone.now(), limit=PANEL_ROWS)
    waiting, waiting_total = dashboards.first_rows_and_total(
        lambda: (
            permissions.visible_triggers(user)
            .filter(status=TriggerStatus.LOGGED)
            .select_related("source_service")
            .order_by("-confirmed_at")
        ),
        PANEL_ROWS,
        kept_for=(user, "triggers waiting for issue"),
    )
    return {
        "candidates": candidates,
        "candidate_total": total,
        "waiting": waiting,
        "waiting_total": waiting_total,
    }


def nominated_individual_context(request, role) -> dict:
    """The summary's headline figures for the last 12 months."""
    providers = providers_where(request.user, "learning_transfer.read_summary")
    if not providers:
        return {"summary": None}
    return {"summary": headline(providers[0], timezone.now())}


def registered_manager_context(request, role) -> dict:
    """Learning notices for the manager's services still to acknowledge, and open implementation lines."""
    user = request.user
    notices, notice_total = dashboards.first_rows_and_total(
        lambda: (
            permissions.visible_notices(user)
            .filter(superseded_at__isnull=True, acknowledged_at__isnull=True)
            .select_related("matched_service__service", "matched_service__trigger")
            .order_by("issued_at")
        ),
        PANEL_ROWS,
        kept_for=(user, "notices to acknowledge"),
    )
    lines, line_total = dashboards.first_rows_and_total(
        lambda: (
            permissions.visible_lines(user)
            .filter(completed_at__isnull=True)
            .select_related("service", "owner")
            .order_by("due_at")
        ),
        PANEL_ROWS,
        kept_for=(user, "open implementation lines"),
    )
    return {
        "notices": notices,
        "more_notices": notice_total - len(notices),
        "lines": lines,
        "line_total": line_total,
        "now": timezone.now(),
    }


def governance_officer_context(request, role) -> dict:
    """Warning signs in distribution: notices unacknowledged, without owner, or without a due date."""
    current = LearningNotice.objects.filter(
        matched_service__trigger__in=permissions.visible_triggers(request.user).filter(
            status=TriggerStatus.ISSUED
        ),
        matched_service__included=True,
        superseded_at__isnull=True,
    )
    return {
        "unacknowledged": current.filter(acknowledged_at__isnull=True).count(),
        "without_owner": current.filter(owner__isnull=True).count(),
        "without_due": current.filter(due_at__isnull=True).count(),
    }


def exposure_context(request, role) -> dict:
    """Matched services of issued learning without a confirmed lead or a completed briefing: the three
    counts in one pass over the matches, and the matches without a lead waiting longest (matched
    first), read in the matches' own order so the database stops at the fifth. A large provider with
    175,000 such matches took 0.66 s: each count read them all again, and the first rows were sorted by
    service name with the total counted over every row."""
    matches = permissions.visible_matches(request.user).filter(
        included=True, trigger__status=TriggerStatus.ISSUED
    )
    no_lead = ~Exists(ImplementationLead.objects.filter(matched_service=OuterRef("pk")))
    counts = matches.aggregate(
        without_lead_total=Count("pk", filter=no_lead),
        briefing_incomplete=Count("pk", filter=Q(briefing_completed_at__isnull=True)),
        unverified=Count("pk", filter=Q(implementation_confirmed_at__isnull=True)),
    )
    without_lead = compiled_once(
        request.user,
        "matches without a lead, waiting longest",
        lambda: matches.filter(no_lead).select_related("service", "trigger").order_by("pk")[:PANEL_ROWS],
    ).rows()
    return {"without_lead": without_lead, **counts}


# (roles, panel template, context function): chain A's panels on the dashboards of the roles it serves.
PANELS = [
    ([Role.QUALITY_DIRECTOR], "quality_director", quality_director_context),
    ([Role.NOMINATED_INDIVIDUAL, Role.PROVIDER_DIRECTOR], "summary", nominated_individual_context),
    ([Role.REGISTERED_MANAGER], "registered_manager", registered_manager_context),
    ([Role.GOVERNANCE_OFFICER], "governance_officer", governance_officer_context),
    ([Role.OPERATIONS_DIRECTOR, Role.DEPUTY_REGIONAL_MANAGER], "exposure", exposure_context),
]


def register_panels() -> None:
    """Add chain A's panels to the dashboards of the roles it serves."""
    for roles, name, context in PANELS:
        dashboards.register(
            roles=roles, template=f"learning_transfer/panels/{name}.html", context=context, order=10
        )
