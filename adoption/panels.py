"""Dashboard panels of chain B: due and overdue adoption checks at the services of the role viewed."""

from datetime import timedelta

from django.utils import timezone

from providers import dashboards, permissions
from providers.who_acts import split_yours

from . import services
from .permissions import CHECKER_ROLES

PANEL_ROWS = 5
# A check is shown once it is overdue or falls due within the next day.
LOOK_AHEAD = timedelta(hours=24)


def due_checks_context(request, role) -> dict:
    """Chain B checks still open at the services where the person holds this role: the person's own
    apart from those others record there, naming who."""
    now = timezone.now()
    scope = permissions.visible_services(request.user, roles=[role])
    # With when each opens: a later shift's check shows "Not open yet", in the list's own query.
    open_runs = (
        services.chain_b_step_runs(scope, states=services.OPEN_STATES)
        .filter(due_at__lte=now + LOOK_AHEAD)
        .with_opening_time()
    )
    # The person's own checks are listed apart from the others', each list with its own first rows:
    # the soonest checks at the service could otherwise all be others' and crowd the person's out.
    # A role decides whose a check is; the permission (split_yours) has the last word on each row.
    held = permissions.roles_held(request.user)
    # Each list reads the time: not kept.
    mine, mine_total = dashboards.first_rows_and_total(lambda: open_runs.filter(role__in=held), PANEL_ROWS)
    theirs, theirs_total = dashboards.first_rows_and_total(
        lambda: open_runs.exclude(role__in=held), PANEL_ROWS
    )
    rows = mine + theirs
    for step_run in rows:
        step_run.shown_state = step_run.display_state(now)
    yours, others = split_yours(request.user, rows, "escalation.record_step")
    return {
        "step_runs": rows,
        "yours": yours,
        "others": others,
        "more_yours": mine_total - len(mine),
        "more_others": theirs_total - len(theirs),
    }


def register_panels() -> None:
    """Add the panel to the dashboards of the service roles that carry out chain B."""
    dashboards.register(
        roles=CHECKER_ROLES,
        template="adoption/panels/due_checks.html",
        context=due_checks_context,
        order=20,
    )
