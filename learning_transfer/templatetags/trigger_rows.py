"""The rows of a trigger's tables of matched services (rates, notices, rounds of notices, exposure), one
tag a table, and the steps of its chain A timeline.

Built here rather than in the tables' templates (`providers/markup.py` says why): a trigger's page
shows up to 50 services in each of three tables. Each table's rows are written by one tag. Each row is
the markup the template wrote (tests/learning_transfer/trigger_rows_reference.html keeps it); the
figures go through the page's own filters and tags (`rate`, `london`, `state_tag`, `record_url`).
"""

from datetime import timedelta
from html import escape

from django import template
from django.template.defaultfilters import pluralize
from django.utils.safestring import SafeString

from escalation.choices import StepRunState
from escalation.templatetags.steps import WAITING, step_name, step_state
from providers.choices import RiskLevel, Role, label_of
from providers.markup import NO_WRAP, NUMERIC, cell_markup, filled, link, row_markup, table_rows
from providers.templatetags.nhsuk import actors, london, nobody_records, record_url, state_tag

from ..chain import recorded_too_early
from ..services.rounds import IN_TIME, MISSED, missed_in_time, receipt_of
from ..services.rounds import LATE as LATE_RECEIPT
from .learning import hours, pct, rate

register = template.Library()

MATCHED_SERVICE_ROW = row_markup(
    cell_markup("Service", pieces=True),
    cell_markup("Shared tags"),
    cell_markup("Risk level"),
    cell_markup("Incidents", NUMERIC),
    cell_markup("Care hours", NUMERIC),
    cell_markup("Rate per 100 care hours", NUMERIC),
    cell_markup("Against median"),
    cell_markup("Open actions", NUMERIC),
)
NOTICE_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Owner", pieces=True),
    cell_markup("Issued", NO_WRAP),
    cell_markup("Due", NO_WRAP),
    cell_markup("Acknowledged", pieces=True),
)
NOT_ISSUED_ROW = row_markup(
    cell_markup("Service"), '<td class="nhsuk-table__cell" colspan="4">{} this service has no notice</td>'
)
ROUND_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Round"),
    cell_markup("Issued", NO_WRAP),
    cell_markup("Due", NO_WRAP),
    cell_markup("Receipt", pieces=True),
)
EXPOSURE_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Lead"),
    cell_markup("Briefing"),
    cell_markup("Comparable risk", pieces=True),
    cell_markup("Expected reduction", NUMERIC),
    cell_markup("Open lines", NUMERIC),
    cell_markup("Implementation"),
)
# The tags every table repeats, made once.
ABOVE_MEDIAN, NOT_ISSUED = state_tag("breached", "Above median"), state_tag("breached", "Not issued")
AWAITING, LATE = state_tag("due", "Awaiting"), state_tag("overdue", "Late")
NOT_RECEIVED = state_tag("overdue", "Not received in time")
VERIFIED, NOT_VERIFIED = state_tag("met", "Verified"), state_tag("open", "Not verified")
WITHDRAWN = state_tag("overdue", "Verification withdrawn")  # its page says why and what to do


def service_name(match, to_open: set[int]) -> str:
    """The matched service's name: a link to its page when the person may open it (`to_open`)."""
    if match.pk in to_open:
        return link(record_url("learning_transfer:match_detail", match.pk), match.service)
    return escape(str(match.service))


def matched_service_row(row, median, to_open: set[int]) -> SafeString:
    """A matched service's A1 baseline: incidents, care hours and its rate beside the provider `median`."""
    m = row.match
    against = ABOVE_MEDIAN if m.above_median else "No rate" if m.rate_7d is None else "At or below"
    service = service_name(m, to_open)
    if not m.matched_by_rule:
        service += f'<span class="nhsuk-body-s">Added by hand: {escape(str(m.reason))}</span>'
    return filled(
        MATCHED_SERVICE_ROW,
        SafeString(service),
        ", ".join(m.shared_tag_labels) or "None",
        label_of(RiskLevel, m.service.risk_level),
        m.incidents_7d,
        hours(m.care_hours_7d),
        rate(m.rate_7d, median),
        against,
        m.open_actions_due_5d,
    )


def notice_row(row, can_distribute: bool, in_time_words: str) -> SafeString:
    """A matched service's current notice: its owner (with a link to change it while unacknowledged, for
    a person who may distribute), issue, due date and receipt (`in_time_words` when in time)."""
    notice = row.current
    if notice is None:
        return filled(NOT_ISSUED_ROW, row.match.service, NOT_ISSUED)
    owner = escape(str(notice.owner or "No owner"))
    if can_distribute and not notice.acknowledged_at:
        url = escape(record_url("learning_transfer:notice_owner", notice.pk))
        hidden = f'<span class="nhsuk-u-visually-hidden"> owner for {escape(str(row.match.service))}</span>'
        owner += f' <a href="{url}">Change{hidden}</a>'
    issued = london(notice.issued_at)
    if notice.round > 1:
        issued = f"{issued} (round {notice.round})"
    receipt = getattr(row, "round_receipt", None)
    if not notice.acknowledged_at:
        # Past its window, it is not "awaiting" any more: the receipt figure already counts it missed.
        acknowledged = NOT_RECEIVED if receipt == MISSED else AWAITING
    elif notice.round > 1:
        # A reissued notice is judged against its own round's window (the service's first-round miss
        # stays in the receipt figure above, counted from its first notice).
        in_time = state_tag("met", f"{in_time_words} of this round") if receipt == IN_TIME else LATE
        acknowledged = SafeString(f"{escape(london(notice.acknowledged_at))} {in_time}")
    else:
        in_time = state_tag("met", in_time_words) if row.received_in_time else LATE
        acknowledged = SafeString(f"{escape(london(notice.acknowledged_at))} {in_time}")
    return filled(
        NOTICE_ROW,
        row.match.service,
        SafeString(owner),
        issued,
        london(notice.due_at) or "No due date",
        acknowledged,
    )


def round_row(row, notice, window_hours: int, now, in_time_words: str, to_open: set[int]) -> SafeString:
    """One notice of one round to a matched service: its issue, due date and receipt judged against
    the receipt window counted from its own issue (a missed notice says which round replaced it)."""
    receipt = receipt_of(notice, window_hours, now)
    if receipt == IN_TIME:
        outcome = SafeString(f"{escape(london(notice.acknowledged_at))} {state_tag('met', in_time_words)}")
    elif receipt == LATE_RECEIPT:
        outcome = SafeString(f"{escape(london(notice.acknowledged_at))} {LATE}")
    elif receipt == MISSED:
        words = "Not received in time" if missed_in_time(notice, window_hours) else "Not received"
        outcome = state_tag("overdue", words)
        if notice.superseded_at:
            replaced = f"Replaced by round {notice.round + 1} on {london(notice.superseded_at)}"
            outcome = SafeString(f"{outcome} {escape(replaced)}")
    else:
        closes = london(notice.issued_at + timedelta(hours=window_hours))
        outcome = SafeString(f"{state_tag('due', 'Not yet due')} {escape(f'window closes {closes}')}")
    return filled(
        ROUND_ROW,
        SafeString(service_name(row.match, to_open)),
        f"Round {notice.round}",
        london(notice.issued_at),
        london(notice.due_at) or "No due date",
        outcome,
    )


def exposure_row(
    row, now, risk_age_hours: int, to_open: set[int], practice: dict | None = None
) -> SafeString:
    """A matched service's exposure: implementation lead, briefing, comparable risk (marked when open
    longer than A3's `risk_age_hours` at `now`), expected reduction, open implementation lines and
    whether implementation is verified, with what live practice shows there since go-live
    (`practice`: {match id: live_practice.Practice})."""
    m = row.match
    if m.has_unresolved_comparable_risk:
        risk = f"Open since {london(m.comparable_risk_open_since)}"
        if m.comparable_risk_open_longer_than(risk_age_hours, now):
            over = state_tag("overdue", f"Over {risk_age_hours} hour{pluralize(risk_age_hours)}")
            risk = SafeString(f"{escape(risk)} {over}")
    else:
        risk = "Resolved" if m.comparable_risk_resolved_at else "None recorded"
    return filled(
        EXPOSURE_ROW,
        SafeString(service_name(m, to_open)),
        row.lead.words() if row.lead else "None confirmed",
        f"Completed {london(m.briefing_completed_at)}" if m.briefing_completed_at else "Incomplete",
        risk,
        pct(m.expected_reduction_pct),
        row.open_lines,
        verification_with_practice(m, (practice or {}).get(m.pk)),
    )


def verification_with_practice(match, practice) -> SafeString:
    """The verification tag, and under it what live practice shows when its checks are off track
    ("Live since …: 14 checks overdue; …"): a verified change the shifts do not hold is not learning
    done."""
    tag = verification_tag(match)
    if practice is None or practice.on_track:
        return tag
    # One block, so a stacked cell on a phone keeps the sentence under the tag, full width.
    return SafeString(
        f'<div>{tag}<p class="nhsuk-body-s app-live-practice">{escape(practice.words())}</p></div>'
    )


def verification_tag(match) -> SafeString:
    """Verified, not verified, or verified once and withdrawn since (so it no longer counts)."""
    if match.implementation_confirmed_at:
        return VERIFIED
    return WITHDRAWN if match.verification_withdrawn_at else NOT_VERIFIED


@register.simple_tag
def matched_service_rows(rows, median, to_open: set[int]) -> SafeString:
    """The matched services table's rows (`matched_service_row` each)."""
    return table_rows(matched_service_row(row, median, to_open) for row in rows)


@register.simple_tag
def notice_rows(rows, can_distribute: bool, in_time_words: str) -> SafeString:
    """The notices table's rows (`notice_row` each)."""
    return table_rows(notice_row(row, can_distribute, in_time_words) for row in rows)


@register.simple_tag
def round_rows(rows, window_hours: int, now, in_time_words: str, to_open: set[int]) -> SafeString:
    """The rounds table's rows: every notice of every service on the page, round by round."""
    return table_rows(
        round_row(row, notice, window_hours, now, in_time_words, to_open)
        for row in rows
        for notice in row.notices
    )


@register.simple_tag
def exposure_rows(
    rows, now, risk_age_hours: int, to_open: set[int], practice: dict | None = None
) -> SafeString:
    """The exposure table's rows (`exposure_row` each)."""
    return table_rows(exposure_row(row, now, risk_age_hours, to_open, practice) for row in rows)


@register.filter
def services_with_reductions(rows) -> SafeString:
    """A4's services of one group, each with its expected reduction: "Elm House (12.5%), Oak Lodge (—)"
    (a region's table names every matched service of the region: a loop in the template cost more)."""
    return SafeString(
        ", ".join(
            f"{escape(str(r.match.service))} ({escape(pct(r.match.expected_reduction_pct))})" for r in rows
        )
    )


def timeline_item(step, can_open_case: bool, issued_at=None) -> str:
    """One step of the case's timeline: its name (a link to it for a person who may open the case) and
    state, its role and due time, and whether it is recorded, the person's own to record, or whose.

    Whose a step is, is said once: an overdue step's tag says whom it waits for ("Overdue — waiting
    for Grace Nair (Clinical Lead)"); any other step still to record by someone else has a bare tag
    ("Due") and the line under it says who records it, or which role nobody holds where."""
    name = step_name(step)
    if can_open_case:
        name = f'<a href="{escape(record_url("escalation:step_run", step.pk))}">{name}</a>'
    state = step.display_state()
    words = step_state(step, state)
    if step.recorded_at:
        after = f" · recorded {escape(london(step.recorded_at))}"
        if recorded_too_early(step.code, step.recorded_at, issued_at):
            # Its figures count from the issue: recorded before it, the record is not the check yet.
            after += ", before the learning was issued: to record again"
    elif step.state == "closed":
        after = ""
    elif step.yours:
        after = " · yours to record"
    elif state == StepRunState.OVERDUE and step.actors:
        after = ""  # the tag says whom it waits for
    else:
        words = WAITING.get(state, words)
        after = (
            f" · to be recorded by {actors(step.actors)}"
            if step.actors
            else f" · {escape(nobody_records(step))}"
        )
    due = f"{escape(london(step.due_at))} ({escape(step.due_words)})"
    role = escape(label_of(Role, step.role))
    return (
        f'\n  <li>\n    <h3 class="nhsuk-heading-s">{name} {state_tag(state, words)}</h3>\n'
        f'    <p class="nhsuk-body-s">{role} · due {due}{after}</p>\n  </li>'
    )


@register.simple_tag
def timeline_items(step_runs, can_open_case: bool, issued_at=None) -> SafeString:
    """The case's steps in the timeline's list (`timeline_item` each): nine steps through the
    template's tags and filters cost about half a millisecond a page."""
    return SafeString("".join(timeline_item(step, can_open_case, issued_at) for step in step_runs))
