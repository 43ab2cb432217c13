"""Dashboard panels of chain B: due and overdue adoption checks at the services of the role viewed, the
open checks summed up per service of a deputy regional manager's region, and learning ready to deploy
at a registered manager's services."""

from django.urls import reverse
from django.utils import timezone

from escalation.panels import LOOK_AHEAD, due_steps
from providers import dashboards, permissions
from providers.choices import Role

from . import services
from .permissions import CHECKER_ROLES

PANEL_ROWS = 5


def due_checks_context(request, role) -> dict:
    """Chain B checks still open at the services where the person holds this role: the person's own
    apart from those others record there, naming who."""
    now = timezone.now()
    scope = permissions.visible_services(request.user, roles=[role])
    # Each row carries when it opens: a later shift's check shows "Not open yet", with no query per row.
    open_runs = services.chain_b_step_runs(scope, states=services.OPEN_STATES).filter(
        due_at__lte=now + LOOK_AHEAD
    )
    return {
        **due_steps(request.user, open_runs, now, PANEL_ROWS),
        "heading": "Due and overdue adoption checks at your service",
        "place": "at your service",
        "nothing_due": "No adoption checks due in the next day.",
        "all_url": reverse("adoption:my_service"),
        "all_words": "All adoption checks",
    }


def region_services_context(request, role) -> dict:
    """The open adoption checks summed up at each service the person oversees in this role (a Deputy
    Regional Manager's region), as the adoption page sums them up: found, a region's 12 overdue checks at
    one service were only under More → Adoption. One query however many services and checks."""
    scope = permissions.visible_services(request.user, roles=[role])
    return {"service_summary": services.service_summary(scope, timezone.now())}


def ready_to_deploy_context(request, role) -> dict:
    """Learning whose implementation lead is confirmed and that is not yet live at the manager's
    services: the next step after acknowledging a notice (the same list as the adoption page's)."""
    user = request.user
    matches, total = dashboards.first_rows_and_total(
        lambda: services.deployable_matches(user), PANEL_ROWS, kept_for=(user, "learning ready to deploy")
    )
    return {"matches": matches, "more": total - len(matches)}


def register_panels() -> None:
    """Add the checks panel to the dashboards of the service roles that carry out chain B, and the
    learning ready to deploy to the registered manager's."""
    dashboards.register(
        roles=CHECKER_ROLES,
        template="adoption/panels/due_checks.html",
        context=due_checks_context,
        order=20,
        lists_own_checks=True,
    )
    dashboards.register(
        roles=[Role.DEPUTY_REGIONAL_MANAGER],
        template="adoption/panels/region_services.html",
        context=region_services_context,
        order=25,
    )
    dashboards.register(
        roles=[Role.REGISTERED_MANAGER],
        template="adoption/panels/ready_to_deploy.html",
        context=ready_to_deploy_context,
        order=15,
    )
