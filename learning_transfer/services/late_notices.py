"""What a registered manager is told about a late learning notice: received after its receipt window (or
not received when the window closed), and its implementation due date passed.

Receipt is judged by the one rule the trigger's page uses (`rounds.receipt_of`: within A2's receipt
window of the notice's own issue), with the window as each trigger's case runs it
(`chain.parameter_of_each`, for every trigger of a list in one query), so a list of notices needs
the same queries however many triggers it spans.
"""

from datetime import datetime, timedelta

from django.template.defaultfilters import pluralize

from providers.templatetags.nhsuk import london

from .. import chain
from ..models import LearningNotice
from . import rounds


def how_long(span: timedelta) -> str:
    """A delay in the largest whole unit: "3 days", "5 hours", "20 minutes"."""
    minutes = int(span.total_seconds() // 60)
    if minutes >= 24 * 60:
        count, unit = minutes // (24 * 60), "day"
    elif minutes >= 60:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes, "minute"
    return f"{count} {unit}{pluralize(count)}"


def mark_late(notices, now: datetime) -> None:
    """Give each notice (loaded with its matched service and trigger) the words of what is late:
    `late_receipt` ("3 days after issue — the receipt window was 4 hours") when acknowledged after its
    window, `missed_window` when not acknowledged and its window has closed, and `due_passed` when its
    implementation due date has passed before the implementation was verified ("" for each when not)."""
    notices = list(notices)
    windows = chain.parameter_of_each(
        (notice.matched_service.trigger for notice in notices), "receipt_window_hours"
    )
    for notice in notices:
        hours = windows[notice.matched_service.trigger_id]
        window = f"{hours} hour{pluralize(hours)}"
        receipt = rounds.receipt_of(notice, hours, now)
        notice.late_receipt = notice.missed_window = notice.due_passed = ""
        if receipt == rounds.LATE:
            late_by = how_long(notice.acknowledged_at - notice.issued_at)
            notice.late_receipt = f"{late_by} after issue — the receipt window was {window}"
        elif receipt == rounds.MISSED and notice.is_current:
            closed = london(notice.issued_at + timedelta(hours=hours))
            notice.missed_window = f"Not received in time — the receipt window of {window} closed {closed}"
        implemented = notice.matched_service.implementation_confirmed_at is not None
        if notice.due_at and notice.due_at <= now and not implemented:
            notice.due_passed = f"Implementation due date passed ({london(notice.due_at)})"


def acknowledged_words(notice: LearningNotice, now: datetime) -> str:
    """The message after acknowledging: "Receipt of the learning for Ash Grove acknowledged 3 days
    after issue — the receipt window was 4 hours. Implementation due date passed (…)."."""
    mark_late([notice], now)
    said = f"Receipt of the learning for {notice.service} acknowledged"
    said += f" {notice.late_receipt}." if notice.late_receipt else "."
    if notice.due_passed:
        said += f" {notice.due_passed}."
    return said
