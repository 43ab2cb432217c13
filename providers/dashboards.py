"""Each role's dashboard is a list of panels; every app contributes panels for the roles it serves.

An app registers a panel in its AppConfig.ready():

    dashboards.register(roles=[Role.REGISTERED_MANAGER], template="adoption/panels/due.html",
                        context=lambda request, role: {...}, order=10)

The dashboard view renders the panels of the role being viewed, in order.

One rule orders every role's dashboard: what is the person's own comes first (escalations addressed
to them, the notices and checks theirs to act on at their services), and work others do at their
services comes last, shorter (`OTHERS_WORK`). A panel listing both keeps "Yours to do" above "done by
others"; a list of others' work long enough to push a person's own down the page is a panel of its
own at `OTHERS_WORK`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

from .choices import Role
from .permissions import compiled_once, providers_where


@dataclass(frozen=True)
class Panel:
    """One block on a role's dashboard: a template and the function that builds its context."""

    template: str
    context: Callable
    order: int = 50
    lists_own_checks: bool = False


_PANELS: dict[str, list[Panel]] = {}
# The panel of the person's own checks, by role: on the role's dashboard unless another lists them.
_OWN_CHECKS: dict[str, Panel] = {}

# The place of panels of work others do at the person's services: after every panel of their own
# (the apps' panels sit between 1 and 50), before the links on every dashboard.
OTHERS_WORK = 80

# The permission the import page asks for (learning_transfer.views.incidents.IncidentImportView).
IMPORT_PERMISSION = "learning_transfer.import_data"


def import_link(request, role) -> dict:
    """Whether the person may open the import page: a link to it is on every dashboard of theirs then,
    whichever role lets them import (the quality director, governance officer, performance analyst
    and administrator may)."""
    return {"may_import": bool(providers_where(request.user, IMPORT_PERMISSION))}


# Panels on every role's dashboard, each showing only what the person may do.
EVERY_DASHBOARD = [Panel("providers/panels/import.html", import_link, order=90)]


def register(
    roles: Iterable[str], template: str, context: Callable, order: int = 50, lists_own_checks: bool = False
) -> None:
    """Add a panel to the dashboards of `roles`; `lists_own_checks` when it lists the person's own
    checks to record (the own-checks panel then stays off those dashboards)."""
    for role in roles:
        panels = _PANELS.setdefault(str(role), [])
        if not any(p.template == template for p in panels):
            panels.append(Panel(template, context, order, lists_own_checks))
            panels.sort(key=lambda p: p.order)


def register_own_checks(roles: Iterable[str], template: str, context: Callable, order: int) -> None:
    """The panel of the person's own checks to record, on the dashboard of each of `roles` that no
    app's panel lists them on (`register(..., lists_own_checks=True)`): listed once, by one rule."""
    for role in roles:
        _OWN_CHECKS[str(role)] = Panel(template, context, order, lists_own_checks=True)


def panels_for(role: str) -> list[Panel]:
    """The role's panels, the panel of the person's own checks unless one of them lists those, and the
    panels on every dashboard, in order."""
    panels = [*_PANELS.get(str(role), []), *EVERY_DASHBOARD]
    own_checks = _OWN_CHECKS.get(str(role))
    if own_checks is not None and not any(p.lists_own_checks for p in panels):
        panels.append(own_checks)
    return sorted(panels, key=lambda p: p.order)


def first_rows_and_total(build: Callable[[], QuerySet], size: int, kept_for: tuple = ()) -> tuple[list, int]:
    """A list's first `size` rows (the queryset `build` returns) and how many rows it has in all, in
    one query.

    The total rides on each row as a count over the whole result, which the database works out before
    the limit. A panel's rows are scoped by nested subqueries that take longer to turn into SQL than
    to run, so asking for the rows and then their count built that SQL twice on every dashboard.
    `kept_for` (the person, a name for the list) keeps that SQL for the roles they hold
    (`permissions.compiled_once`), for a list that `build` makes from the person and their roles
    alone; a list that reads the time is compiled on every request.
    """

    def listed() -> QuerySet:
        queryset = build()
        if queryset.query.distinct:  # a window counts rows before DISTINCT removes any
            raise ValueError("first_rows_and_total needs a queryset without distinct().")
        return queryset.annotate(list_total=Window(Count("pk")))[:size]

    if kept_for:
        user, name = kept_for
        rows = compiled_once(user, f"{name}, first {size}", listed).rows()
    else:
        rows = list(listed())
    return rows, (rows[0].list_total if rows else 0)


# What each role is there to do, shown at the top of its dashboard.
ROLE_PURPOSE = {
    Role.NOMINATED_INDIVIDUAL: "Review the executive learning summary across every trigger and service.",
    Role.PROVIDER_DIRECTOR: "Decide provider interventions and keep or lift issue holds.",
    Role.QUALITY_DIRECTOR: "Log serious failures and decide whether mandatory learning must be issued.",
    Role.OPERATIONS_DIRECTOR: "Make sure every matched service has an implementation lead and briefing.",
    Role.COMPLIANCE_MANAGER: "Check reporting lines against the evidence before anything is issued.",
    Role.GOVERNANCE_OFFICER: "Check that learning notices reached every matched service in time.",
    Role.PERFORMANCE_ANALYST: "Check every figure in a report against service data and baselines.",
    Role.RESIDENT_EXPERIENCE_LEAD: "Corroborate reports with complaints and safeguarding data.",
    Role.PROVIDER_ADMINISTRATOR: "Keep the organisation, people, roles and chain settings up to date.",
    Role.DEPUTY_REGIONAL_MANAGER: "Follow implementation lines across your region's services.",
    Role.REGISTERED_MANAGER: "See what is due and overdue at your service and complete adoption checks.",
    Role.SERVICE_IMPROVEMENT_LEAD: "Check each monitored shift's adoption of revised processes.",
    Role.CLINICAL_LEAD: "Check clinical records each working day after learning is deployed.",
    Role.PRACTICE_DEVELOPMENT_LEAD: "Run and record drills of the revised procedure.",
    Role.SENIOR_CARER_LATE: "Close the late shift's unresolved tasks before 20:18.",
    Role.ON_CALL_MANAGER: "Give same-night supervisory support when the late shift escalates.",
    Role.COMMISSIONER: "Download evidence packs of released updates for the services you commission.",
}
