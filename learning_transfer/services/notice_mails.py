"""The e-mail a learning notice sends to the person it is addressed to (A2): what happened, what to do,
by when to acknowledge and implement, and where to do it.

Queued through the escalation outbox in the transaction that issues the notice, so it leaves once,
after the issue commits, and only if the issue did; each notice's mail is queued once (the outbox refuses
a second). It is composed again as it leaves (`compose`, registered in the app's ready()), so a mail
that leaves late says its receipt window has closed, and one whose notice was acknowledged, replaced or
given another owner meanwhile does not leave.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from escalation import notifications
from providers.templatetags.nhsuk import london

from .. import chain
from ..models import LearningNotice
from .late_notices import how_long

KIND = "learning_notice"


def tell_owners(notices: list[LearningNotice], window_hours: int, now: datetime) -> None:
    """Queue the mail of each notice issued at `now` to its owner (the service's registered manager),
    with `window_hours`, A2's receipt window for the notices' trigger. A notice without an owner mails
    nobody: its pages ask for an owner to be named."""
    notifications.queue_messages(
        [
            (notice.owner, *words(notice, window_hours, now), f"{KIND}:{notice.pk}")
            for notice in notices
            if notice.owner is not None
        ],
        now=now,
    )


def compose(notice_id: int, person, now: datetime) -> tuple[str, str] | None:
    """The notice's mail to `person` as it leaves at `now`, or None when it no longer asks anything
    of them: the notice was acknowledged or replaced, someone else now owns it, or its learning was
    closed."""
    notice = (
        LearningNotice.objects.select_related(
            "owner",
            "matched_service__service",
            "matched_service__trigger__provider",
            "matched_service__trigger__source_service",
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or notice.acknowledged_at or not notice.is_current or notice.owner_id != person.pk:
        return None
    trigger = notice.matched_service.trigger
    if trigger.is_closed or not notice.matched_service.included:  # nothing is asked of a left-out service
        return None
    return words(notice, chain.parameters(trigger.provider, trigger)["receipt_window_hours"], now)


def words(notice: LearningNotice, window_hours: int, now: datetime) -> tuple[str, str]:
    """(subject, body) of the notice's mail composed at `now`: the acknowledge-by line says "overdue"
    once the receipt window has closed (`notifications.acknowledge_line`)."""
    service, trigger = notice.service, notice.matched_service.trigger
    window = timedelta(hours=window_hours)
    link = settings.SITE_URL.rstrip("/") + reverse("learning_transfer:notice_list")
    if notice.round > 1:
        happened = (
            f"The learning from {trigger} at {trigger.source_service} was sent again to {service}: "
            "its earlier notice was not acknowledged in time."
        )
    else:
        happened = f"New learning was issued to {service} after {trigger} at {trigger.source_service}."
    body = [
        f"Dear {notice.owner},",
        "",
        happened,
        "",
        f"The learning: {trigger.learning_statement}",
        "",
        f"What to do: acknowledge that you received it, then put it in place at {service}.",
        notifications.acknowledge_line(notice.issued_at + window, now, f"within {how_long(window)}"),
        f"Implement by: {london(notice.due_at) if notice.due_at else 'no date set yet'}",
        "",
        f"Acknowledge it on your learning notices page: {link}",
    ]
    return f"{service}: new learning to acknowledge — {trigger.title}", "\n".join(body)


def tell_left_out(match, *, by, reason: str, now: datetime) -> None:
    """Tell whoever the learning at a service asked something of (its current notice's owner and its
    implementation lead) that the service was left out of it, by whom and why: their notice no longer
    needs acknowledging and nothing else is asked of them there. Nobody is told of their own change."""
    trigger, service = match.trigger, match.service
    notice = match.notices.filter(superseded_at__isnull=True).select_related("owner").first()
    lead = getattr(match, "lead", None)
    people = {p.pk: p for p in (notice and notice.owner, lead and lead.person) if p is not None}
    people.pop(by.pk, None)
    subject = f"{service}: learning no longer asked of you — {trigger.title}"
    body = [
        f"{service} was left out of the learning from {trigger} at {trigger.source_service} by {by} "
        f"on {london(now)}.",
        "",
        f"Why: {reason}",
        "",
        f"Nothing is asked of you for this learning at {service} now: its notice no longer needs "
        "acknowledging, and its implementation work there is closed.",
    ]
    notifications.queue_messages(
        [(person, subject, "\n".join([f"Dear {person},", "", *body]), "") for person in people.values()],
        now=now,
    )
