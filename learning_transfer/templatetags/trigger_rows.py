"""The rows of a trigger's three tables of matched services (rates, notices, exposure), one tag each.

Built here rather than in the tables' templates: a trigger's page shows up to 50 services in each of
three tables, and the template language pays a few microseconds for every variable, filter and `if`
of every row; one `format_html` a row costs about half as much (at 35 services, 2 ms less a page).
Each row is the markup the template wrote (tests/learning_transfer/trigger_rows_reference.html keeps
it), every value escaped by `format_html`; the figures go through the page's own filters and tags
(`rate`, `london`, `state_tag`, `record_url`).
"""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

from providers.templatetags.nhsuk import london, record_url, state_tag

from .learning import hours, pct, rate

register = template.Library()


def cell_markup(heading: str, css: str = "") -> str:
    """The markup of one cell of a responsive table, for `format_html`: its column's heading (shown on
    narrow screens) and a `{}` for its value; `css` adds a class (numbers align right)."""
    return (
        f'<td class="nhsuk-table__cell{css}"><span class="nhsuk-table-responsive__heading">{heading} </span>'
        "{}</td>"
    )


def row_markup(*cells: str) -> str:
    """The markup of a table row of these cells, laid out as the tables' templates wrote one."""
    return '<tr class="nhsuk-table__row">' + "".join(f"\n      {c}" for c in cells) + "\n    </tr>"


NUMERIC, NO_WRAP = " app-numeric", " app-nowrap"
MATCHED_SERVICE_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Shared tags"),
    cell_markup("Risk level"),
    cell_markup("Incidents", NUMERIC),
    cell_markup("Care hours", NUMERIC),
    cell_markup("Rate", NUMERIC),
    cell_markup("Against median"),
    cell_markup("Open actions", NUMERIC),
)
NOTICE_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Owner"),
    cell_markup("Issued", NO_WRAP),
    cell_markup("Due", NO_WRAP),
    cell_markup("Acknowledged"),
)
NOT_ISSUED_ROW = row_markup(
    cell_markup("Service"), '<td class="nhsuk-table__cell" colspan="4">{} this service has no notice</td>'
)
EXPOSURE_ROW = row_markup(
    cell_markup("Service"),
    cell_markup("Lead"),
    cell_markup("Briefing"),
    cell_markup("Comparable risk"),
    cell_markup("Expected reduction", NUMERIC),
    cell_markup("Open lines", NUMERIC),
    cell_markup("Implementation"),
)
LINK = '<a href="{}">{}</a>'


@register.simple_tag
def matched_service_row(row, median) -> str:
    """A matched service's A1 baseline: incidents, care hours and its rate beside the provider `median`."""
    m = row.match
    if m.above_median:
        against = state_tag("breached", "Above median")
    else:
        against = "No rate" if m.rate_7d is None else "At or below"
    service = format_html(LINK, record_url("learning_transfer:match_detail", m.pk), m.service)
    if not m.matched_by_rule:
        service = format_html('{}<br><span class="nhsuk-body-s">Added by hand: {}</span>', service, m.reason)
    return format_html(
        MATCHED_SERVICE_ROW,
        service,
        ", ".join(m.shared_tag_labels) or "None",
        m.service.get_risk_level_display(),
        m.incidents_7d,
        hours(m.care_hours_7d),
        rate(m.rate_7d, median),
        against,
        m.open_actions_due_5d,
    )


@register.simple_tag
def notice_row(row, can_distribute: bool, in_time_words: str) -> str:
    """A matched service's current notice: its owner (with a link to change it while unacknowledged, for
    a person who may distribute), issue, due date and receipt (`in_time_words` when in time)."""
    notice = row.current
    if notice is None:
        return format_html(NOT_ISSUED_ROW, row.match.service, state_tag("breached", "Not issued"))
    change = ""
    if can_distribute and not notice.acknowledged_at:
        change = format_html(
            ' <a href="{}">Change<span class="nhsuk-u-visually-hidden"> owner for {}</span></a>',
            record_url("learning_transfer:notice_owner", notice.pk),
            row.match.service,
        )
    issued = london(notice.issued_at)
    if notice.round > 1:
        issued = f"{issued} (round {notice.round})"
    if not notice.acknowledged_at:
        acknowledged = state_tag("due", "Awaiting")
    else:
        in_time = state_tag("met", in_time_words) if row.received_in_time else state_tag("overdue", "Late")
        acknowledged = format_html("{} {}", london(notice.acknowledged_at), in_time)
    return format_html(
        NOTICE_ROW,
        row.match.service,
        format_html("{}{}", notice.owner or "No owner", change),
        issued,
        london(notice.due_at) or "No due date",
        acknowledged,
    )


@register.simple_tag
def exposure_row(row, now, risk_age_hours: int) -> str:
    """A matched service's exposure: implementation lead, briefing, comparable risk (marked when open
    longer than A3's `risk_age_hours` at `now`), expected reduction, open implementation lines and
    whether implementation is verified."""
    m = row.match
    if m.has_unresolved_comparable_risk:
        risk = f"Open since {london(m.comparable_risk_open_since)}"
        if m.comparable_risk_open_longer_than(risk_age_hours, now):
            over = f"Over {risk_age_hours} hour{pluralize(risk_age_hours)}"
            risk = format_html("{} {}", risk, state_tag("overdue", over))
    else:
        risk = "Resolved" if m.comparable_risk_resolved_at else "None recorded"
    return format_html(
        EXPOSURE_ROW,
        format_html(LINK, record_url("learning_transfer:match_detail", m.pk), m.service),
        (row.lead.person if row.lead else None) or "None confirmed",
        f"Completed {london(m.briefing_completed_at)}" if m.briefing_completed_at else "Incomplete",
        risk,
        pct(m.expected_reduction_pct),
        row.open_lines,
        state_tag("met", "Verified") if m.implementation_confirmed_at else state_tag("open", "Not verified"),
    )
