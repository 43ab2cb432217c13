"""Dashboard panels of chain A, one per role it serves; registered from the AppConfig."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from escalation.choices import ChainRunStatus, StepRunState
from escalation.panels import LOOK_AHEAD, due_steps
from escalation.permissions import visible_step_runs
from providers import dashboards
from providers.choices import Role
from providers.permissions import compiled_once, providers_where, staff_assignments, visible_services

from . import chain, permissions
from .choices import TriggerStatus
from .models import ImplementationLead, ImplementationLine, LearningNotice
from .services import late_notices
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
            # A notice of a service left out of its learning asks nothing any more.
            .filter(superseded_at__isnull=True, acknowledged_at__isnull=True, matched_service__included=True)
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
    in_place, in_place_total = dashboards.first_rows_and_total(
        lambda: _to_put_in_place(user, role), PANEL_ROWS, kept_for=(user, "learning to put in place")
    )
    now = timezone.now()
    late_notices.mark_late(notices, now)  # a notice past its receipt window or due date says so
    return {
        "notices": notices,
        "more_notices": notice_total - len(notices),
        "in_place": [(match, _still_to_do(match)) for match in in_place],
        "more_in_place": in_place_total - len(in_place),
        "lines": lines,
        "line_total": line_total,
        "now": now,
    }


def _to_put_in_place(user, role):
    """The learning acknowledged at the manager's services and not verified there yet, oldest first,
    with what setting it up still lacks: a lead who can still sign in, the lines, the notice's due date.
    A notice still to acknowledge is listed above it instead."""
    notices = LearningNotice.objects.filter(matched_service=OuterRef("pk"), superseded_at__isnull=True)
    return (
        permissions.visible_matches(user)
        .filter(
            service__in=visible_services(user, roles=[role]),
            included=True,
            trigger__status=TriggerStatus.ISSUED,
            implementation_confirmed_at__isnull=True,
        )
        .filter(Exists(notices.filter(acknowledged_at__isnull=False)))
        .annotate(
            has_lead=Exists(ImplementationLead.leading(OuterRef("pk"))),
            has_lines=Exists(ImplementationLine.objects.filter(matched_service=OuterRef("pk"))),
            due_at=notices.values("due_at")[:1],
        )
        .select_related("service", "trigger")
        .order_by("pk")
    )


def _still_to_do(match) -> list[str]:
    """What the manager still has to do before the learning can be verified at the service, in order."""
    to_do = [
        "confirm an implementation lead" if not match.has_lead else "",
        "complete the mandatory briefing" if match.briefing_completed_at is None else "",
        "add the implementation lines" if not match.has_lines else "",
    ]
    return [words for words in to_do if words]


def source_failures_context(request, role) -> dict:
    """Serious failures logged at the manager's own services (where the learning came from), newest
    first, those the person may open (their trigger pages)."""
    user = request.user
    triggers, total = dashboards.first_rows_and_total(
        lambda: (
            permissions.visible_triggers(user)
            .filter(source_service__in=visible_services(user, roles=[role]))
            .select_related("source_service")
            .order_by("-confirmed_at", "-pk")
        ),
        PANEL_ROWS,
        kept_for=(user, f"serious failures at the services of {role}"),
    )
    return {"triggers": triggers, "more": total - len(triggers)}


def own_steps_context(request, role) -> dict:
    """Chain A steps still to record in the regions where the person holds this role (a deputy's A4),
    overdue or due within the next day, as the service roles' panel lists their checks."""
    user = request.user
    now = timezone.now()
    regions = [a.region_id for a in staff_assignments(user) if a.role == role and a.region_id]
    open_runs = (
        visible_step_runs(user)
        .filter(
            chain_run__chain__code=chain.CHAIN_CODE,
            chain_run__status=ChainRunStatus.OPEN,
            region_id__in=regions,
            state__in=[StepRunState.DUE, StepRunState.OVERDUE],
            due_at__lte=now + LOOK_AHEAD,
        )
        .select_related("chain_run__provider", "chain_run__service", "region")
        .order_by("due_at", "code", "pk")
    )
    return {
        **due_steps(user, open_runs, now, PANEL_ROWS),
        "heading": "Due and overdue checks in your region",
        "place": "in your region",
        "nothing_due": "No checks due in the next day.",
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
    ([Role.REGISTERED_MANAGER], "source_failures", source_failures_context),
    ([Role.GOVERNANCE_OFFICER], "governance_officer", governance_officer_context),
    ([Role.OPERATIONS_DIRECTOR, Role.DEPUTY_REGIONAL_MANAGER], "exposure", exposure_context),
]


def register_panels() -> None:
    """Add chain A's panels to the dashboards of the roles it serves, and the deputy's own steps (the
    panel the service roles' checks use) first on theirs."""
    for roles, name, context in PANELS:
        dashboards.register(
            roles=roles, template=f"learning_transfer/panels/{name}.html", context=context, order=10
        )
    dashboards.register(
        roles=[Role.DEPUTY_REGIONAL_MANAGER],
        template="escalation/panels/due_steps.html",
        context=own_steps_context,
        order=4,
        lists_own_checks=True,
    )
