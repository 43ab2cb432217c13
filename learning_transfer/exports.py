"""Downloads of chain A figures: every matched service of a trigger as a CSV file.

The trigger's page shows its matched services 50 at a time; the file holds all of them, one row each,
with the figures of the page's three tables (rates beside the provider median, the current notice, the
implementation), written as the page writes them, except that counts, hours and percentages are plain
numbers a spreadsheet can sum.
"""

import csv
import io
from datetime import datetime

from django.utils import timezone

from config.downloads import spreadsheet_text
from providers.numbers import format_rate

from .services import rounds
from .services.measures import ServiceRow, TriggerPicture
from .templatetags.learning import NO_CARE_HOURS

HEADER = [
    "Service",
    "Region",
    "Risk level",
    "Shared tags",
    "Added by hand",
    "Incidents",
    "Care hours",
    "Rate per 100 care hours",
    "Provider median",
    "Against median",
    "Open actions due",
    "Notice owner",
    "Notice issued",
    "Notice round",
    "Implementation due",
    "Acknowledged",
    "Receipt",
    "Implementation lead",
    "Briefing completed",
    "Comparable risk open since",
    "Comparable risk resolved",
    "Expected reduction (%)",
    "Open lines",
    "Implementation verified",
]


def matched_services_csv(pic: TriggerPicture) -> str:
    """Every included matched service of the picture, by name, as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([spreadsheet_text(cell) for cell in _row(row, pic)] for row in pic.included)
    return out.getvalue()


def _row(row: ServiceRow, pic: TriggerPicture) -> list:
    match, notice = row.match, row.current
    return [
        match.service.name,
        match.service.region.name,
        match.service.get_risk_level_display(),
        ", ".join(match.shared_tag_labels),
        "" if match.matched_by_rule else match.reason,
        match.incidents_7d,
        match.care_hours_7d if match.care_hours_7d is not None else 0,  # a number a spreadsheet sums
        format_rate(match.rate_7d, pic.median) or NO_CARE_HOURS,
        # Beside every rate, written as the page writes it, so "Against median" can be checked.
        format_rate(pic.median, pic.rates) or "No median",
        "Above median" if match.above_median else "No rate" if match.rate_7d is None else "At or below",
        match.open_actions_due_5d,
        str(notice.owner or "No owner") if notice else "Not issued",
        _when(notice.issued_at) if notice else "",
        notice.round if notice else "",
        _when(notice.due_at) if notice else "",
        _when(notice.acknowledged_at) if notice else "",
        _receipt(row, pic),
        str(row.lead.person) if row.lead else "None confirmed",
        _when(match.briefing_completed_at),
        _when(match.comparable_risk_open_since),
        _when(match.comparable_risk_resolved_at),
        "" if match.expected_reduction_pct is None else f"{float(match.expected_reduction_pct):.1f}",
        row.open_lines,
        _verified(match),
    ]


def _verified(match) -> str:
    """When implementation was verified; or that it is not, saying when a verification was withdrawn."""
    if match.implementation_confirmed_at:
        return _when(match.implementation_confirmed_at)
    if match.verification_withdrawn_at:
        return f"Not verified: withdrawn {_when(match.verification_withdrawn_at)}"
    return "Not verified"


def _receipt(row: ServiceRow, pic: TriggerPicture) -> str:
    """As the page's notices table tags it: received within the window, late, or still awaited."""
    if row.current is None:
        return ""
    # Judged against the window of the notice's own round, as the page's table judges it.
    receipt = rounds.receipt_of(row.current, pic.receipt_window_hours, pic.now)
    if row.current.acknowledged_at is None:
        return "Not received in time" if receipt == rounds.MISSED else "Awaiting"
    within = f"Within {pic.receipt_window_hours} hours"
    if row.current.round > 1:
        return f"{within} of this round" if receipt == rounds.IN_TIME else "Late"
    return within if row.received_in_time else "Late"


def _when(value: datetime | None) -> str:
    """A moment in London time, sortable in a spreadsheet (2026-11-23 10:18), or empty."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
