"""The "open escalations" panels every staff role's dashboard shows (the person's own first, others'
at their services last), and the work list they share with the inbox: the person's own escalations to
act on apart from those others act on at their services; the steps still to record that the apps'
panels list (`due_steps`: a service's adoption checks, a deputy's regional checks), the person's own
apart from others'; and, on every other role's dashboard, the person's own checks that are due
(`own_checks_context`), of every chain."""

from datetime import timedelta

from django.db.models import Case, Count, Min, Q, When
from django.utils import timezone

from providers import dashboards
from providers.permissions import WORK_ROLES, counted_once, once_a_request, roles_held, staff_assignments
from providers.who_acts import Colleagues, oversight_once, split_yours

from .choices import ChainRunStatus, EscalationKind, EscalationState, StepRunState
from .models import Notification, StepRun
from .occurrences import which_checks
from .permissions import holds_the_target_role, placed_within_reach, visible_escalations

PANEL_SIZE = 5
# Acting on an escalation: what makes one someone's to do.
ACT = "escalation.acknowledge_escalation"
# A step to record is listed once it is overdue or falls due within the next day.
LOOK_AHEAD = timedelta(hours=24)


def with_what_acting_reads(escalations):
    """Escalations with everything the permission to act on them reads, loaded with them."""
    return (
        escalations.select_related(
            "step_run__region", "chain_run__chain", "service", "region", "provider", "acknowledged_by"
        )
        .select_related(
            "step_run__chain_run__service",
            "step_run__chain_run__provider",  # who records the step
        )
        .prefetch_related("notifications")
    )


def told(user):
    """The person's notifications of escalations they may still open, newest first."""
    return (
        Notification.objects.filter(user=user, escalation__in=visible_escalations(user))
        .select_related("escalation__step_run__region", "escalation__chain_run__chain")
        .select_related("escalation__service", "escalation__region", "escalation__provider")
        .select_related("escalation__acknowledged_by")  # "Acted on by" names them
        .select_related(
            "escalation__step_run__chain_run__service", "escalation__step_run__chain_run__provider"
        )
        .prefetch_related("escalation__notifications")
        .order_by("-escalation__raised_at", "-pk")
    )


def told_still_open(user):
    """The person's notifications of escalations still open, newest first: what "Yours to do" lists of
    what they were told (the inbox and the dashboard panel), and whose unread ones the header counts."""
    return told(user).exclude(escalation__state=EscalationState.RESOLVED)


def most_overdue_first(notifications):
    """Notifications of open escalations in the order a short list of what to do reads them: the
    problems themselves (a breach, an overdue step, a weak group) before the reminders that someone
    below did not acknowledge one, each the one to acknowledge longest ago first, so the oldest overdue
    is never left out of the first few, and a new call for intervention is not listed below a night's
    worth of reminders (a tester's finding: it was the fifteenth)."""
    reminder = Case(When(escalation__kind=EscalationKind.FOLLOW_UP, then=1), default=0)
    return notifications.order_by(reminder, "escalation__acknowledge_by", "escalation__raised_at", "pk")


def unread_count(user) -> int:
    """How many escalations still open the person was told of and has not read: the header's number,
    each of them listed under "Yours to do" (a resolved one is never counted). Every page asks, so the
    query is compiled once for the person's roles (`counted_once`)."""
    return counted_once(
        user, "unread open escalations told of", lambda: told_still_open(user).filter(read_at=None)
    )


def raised_to_others(user):
    """Open escalations placed at the person's services that they were not told about, newest first.

    Placed, not only seen: a case's staff see all of it, but the escalation of a step run once per
    region (A4) belongs to that region's list, not to the list of the service where the case began."""
    untold = (
        visible_escalations(user)
        .filter(placed_within_reach(user))
        .exclude(state=EscalationState.RESOLVED)
        # Only escalation rows: a message's NULL in NOT IN would leave nothing at all.
        .exclude(
            pk__in=Notification.objects.filter(user=user, escalation__isnull=False).values("escalation_id")
        )
    )
    return with_what_acting_reads(untold).order_by("-raised_at", "-pk")


def escalation_worklist(user, notifications, others) -> dict:
    """Split open escalations (those the person was told of, then `others` at their services) into the
    person's own to act on and those addressed to others, naming who acts (the oversight roles once,
    under the list); resolved ones the person was told of apart.

    The person's own are those addressed to them: told of, or to a role they hold there. One the
    Nominated Individual may act on only because they may act on any stays with the others' (the line
    under them says they can also act on it): listed as theirs, others' work hid their own."""
    told_of = []
    for notification in notifications:
        escalation = notification.escalation
        escalation.unread = not notification.read_at
        told_of.append(escalation)
    others = list(others)
    addressed = [e for e in others if holds_the_target_role(user, e)]
    colleagues = Colleagues(user)
    own = [e for e in told_of if e.state != EscalationState.RESOLVED] + addressed
    yours, not_theirs_to_act_on = split_yours(user, own, ACT, colleagues=colleagues)
    theirs = [e for e in others if e not in addressed] + not_theirs_to_act_on
    name_who_acts(user, theirs, colleagues)
    # The escalations stay among those others act on at the person's services (they may follow
    # them); what the person can do about them, record the check, is listed once under "checks".
    checks = checks_behind(user, theirs)
    resolved = [e for e in told_of if e.state == EscalationState.RESOLVED]
    return {
        "yours": yours,
        "checks": checks,
        "others": theirs,
        "oversight": oversight_once(theirs),
        "resolved": resolved,
    }


def name_who_acts(user, escalations, colleagues) -> None:
    """Mark each escalation with the `actors` who can act on it, the person among them when they may
    (the Nominated Individual, on any): in one query for the list's colleagues (`split_yours`)."""
    split_yours(user, escalations, ACT, colleagues=colleagues)
    colleagues.read(ACT, escalations)
    for escalation in escalations:
        if escalation.yours:
            escalation.actors = colleagues.who_can(ACT, escalation)


def checks_behind(user, escalations) -> list:
    """The steps still to record that the person records, among those `escalations` (others' to act
    on) are about, once each however many levels climbed, in the order first met.

    Recording the step is what the person can do about them (a senior carer's overdue B4, raised to
    the manager and climbed to the Nominated Individual; a deputy's own overdue A4, raised to the
    Compliance Manager), so "Yours to do" lists the check, not escalations only others can acknowledge.
    Each escalation is marked `step_to_record`; no query but which check each step is (`which_checks`).
    """
    steps = {}
    for escalation in escalations:
        escalation.step_to_record = records_the_step(user, escalation)
        if escalation.step_to_record:
            steps.setdefault(escalation.step_run_id, escalation.step_run)
    words = which_checks(list(steps.values()))
    for step_run in steps.values():
        step_run.which_check = words.get(step_run.pk, "")
    return list(steps.values())


def records_the_step(user, escalation) -> bool:
    """Whether the escalation is about a step still to record that the person records."""
    step_run = escalation.step_run
    return (
        step_run is not None
        and step_run.state in (StepRunState.DUE, StepRunState.OVERDUE)
        and user.has_perm("escalation.record_step", step_run)
    )


def open_escalations_context(request, role) -> dict:
    """The person's open escalations to act on, the most overdue first, and the newest raised to others
    at their services (a fixed number of queries), with how many of each are not listed: "And 2 more to
    you" counts the same list as the inbox and, of those not read yet, the header (`told_still_open`).

    Two panels show it, the person's own first and others' work last (`dashboards.OTHERS_WORK`): it is
    read once for the page."""
    user = request.user
    return once_a_request(("open escalations panel", user.pk), lambda: read_open_escalations(user))


def read_open_escalations(user) -> dict:
    """What the two escalation panels show (`open_escalations_context`), read afresh."""
    mine, open_total = dashboards.first_rows_and_total(
        lambda: most_overdue_first(told_still_open(user)),
        PANEL_SIZE,
        kept_for=(user, "open escalations told of, most overdue first"),
    )
    others, others_total = dashboards.first_rows_and_total(
        lambda: raised_to_others(user), PANEL_SIZE, kept_for=(user, "escalations raised to others")
    )
    worklist = escalation_worklist(user, mine, others)
    # Others' work at the person's services, counted: those raised to others, less the few addressed
    # to a role the person holds (theirs), and the few the person was told of but may not act on.
    addressed = [e for e in others if e not in worklist["others"]]
    told_not_theirs = [e for e in worklist["others"] if e not in others]
    return {
        "more_told": open_total - len(mine),
        "more_at_services": others_total - len(others),
        "others_total": others_total - len(addressed) + len(told_not_theirs),
        **worklist,
    }


def due_steps(user, open_runs, now, size: int) -> dict:
    """The panel of steps still to record (`open_runs`, soonest first): the person's own apart from
    those others record, naming who, each list with its own first `size` rows and how many more.

    The soonest steps could otherwise all be others' and crowd the person's own out. A role decides
    whose a step is; the permission (split_yours) has the last word on each row. The lists read the
    time, so their SQL is not kept."""
    held = roles_held(user)
    mine, mine_total = dashboards.first_rows_and_total(lambda: open_runs.filter(role__in=held), size)
    theirs, theirs_total = dashboards.first_rows_and_total(lambda: open_runs.exclude(role__in=held), size)
    rows = mine + theirs
    for step_run in rows:
        step_run.shown_state = step_run.display_state(now)
    yours, others = split_yours(user, rows, "escalation.record_step")
    return {
        "step_runs": rows,
        "yours": yours,
        "others": others,
        "more_yours": mine_total - len(mine),
        "more_others": theirs_total - len(theirs),
    }


def where_the_person_records(user, role) -> Q | None:
    """Step runs whose place (`permissions.step_place`: its region, else its case's service, else its
    provider) one of the person's assignments of `role` reaches, by the rule `escalation.record_step`
    asks of one step run (`holds_the_step_role`, `providers.permissions.covers`); None when they hold
    it nowhere."""
    condition = None
    for assignment in staff_assignments(user):
        if assignment.role != role:
            continue
        if assignment.service_id:
            part = Q(region__isnull=True, chain_run__service_id=assignment.service_id)
        elif assignment.region_id:
            part = Q(region_id=assignment.region_id) | Q(
                region__isnull=True, chain_run__service__region_id=assignment.region_id
            )
        else:
            part = Q(chain_run__provider_id=assignment.provider_id)
        condition = part if condition is None else condition | part
    return condition


def own_checks(user, role):
    """The person's checks still to record in `role`, of every chain: the step runs of that role where
    they hold it, not recorded, of open cases (open now or not yet)."""
    where = where_the_person_records(user, role)
    if where is None:
        return StepRun.objects.none()
    return StepRun.objects.filter(
        where,
        role=role,
        chain_run__status=ChainRunStatus.OPEN,
        state__in=[StepRunState.DUE, StepRunState.OVERDUE],
    )


def own_checks_context(request, role) -> dict:
    """The panel "Your checks that are due", on the dashboard of a role no app lists the person's checks
    for: those open now, overdue first then the soonest due, the first few and how many more; and,
    apart, how many are not open yet and when the next opens (a later day's C2 is not asked for before
    its turn).

    A fixed number of queries however many checks: the rows with their total, the count of those not
    open yet, and which check each recurring one is (`which_checks`). The lists read the time, so
    their SQL is not kept."""
    user = request.user
    now = timezone.now()
    checks = own_checks(user, role)
    rows, total = dashboards.first_rows_and_total(
        lambda: (
            checks.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
            .select_related("chain_run__chain", "chain_run__service", "region")
            .order_by("due_at", "pk")
        ),
        PANEL_SIZE,
    )
    later = checks.filter(opens_at__gt=now).aggregate(count=Count("pk"), next_opens=Min("opens_at"))
    words = which_checks(rows)
    for step_run in rows:
        step_run.shown_state = step_run.display_state(now)
        step_run.which_check = words.get(step_run.pk, "")
    return {
        "checks": rows,
        "more": total - len(rows),
        "not_open_yet": later["count"],
        "next_opens": later["next_opens"],
    }


def register_panels() -> None:
    """The escalation panels on every staff role's dashboard, and the person's own checks that are due
    on those of the roles no app lists them for."""
    dashboards.register_own_checks(
        roles=WORK_ROLES,
        template="escalation/panels/own_checks.html",
        context=own_checks_context,
        order=4,
    )
    dashboards.register(
        roles=WORK_ROLES,
        template="escalation/panels/open_escalations.html",
        context=open_escalations_context,
        order=5,
    )
    dashboards.register(
        roles=WORK_ROLES,
        template="escalation/panels/escalations_done_by_others.html",
        context=open_escalations_context,
        order=dashboards.OTHERS_WORK,
    )
