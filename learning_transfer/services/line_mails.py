"""The e-mail telling a person they were given an implementation line by someone else (A4): when a line
is added with them as its owner, or a correction hands it to them. It says what the task is, at which
service, for which learning, when it is due, who gave it to them and why.

Queued through the escalation outbox in the transaction that saves the line, so it leaves after that
commits, and only if it did. Each hand-over is its own message, about the line's history row that
records it ("implementation_line:<history id>"), so it is queued once however often the caller runs, and
a line handed to the same person again later is told again. It is composed again as it leaves
(`compose`, registered in the app's ready()): a line handed on again, marked done, or whose learning
may no longer change at that service (`common.closed_for_work`) meanwhile is not mailed.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from escalation import notifications
from providers.templatetags.nhsuk import london

from ..models import ImplementationLine
from .common import closed_for_work

# How a correction's history reason starts (`lines.correct_line`): the rest is what changed and why.
CORRECTED = "Corrected: "

KIND = "implementation_line"


def tell_new_owner(line: ImplementationLine, *, by, now: datetime) -> None:
    """Queue the mail telling the line's owner that `by` gave it to them, as just saved (its latest
    history row records the hand-over). Nobody is told when the line has no owner or `by` gave it to
    themselves: they know."""
    if line.owner is None or line.owner_id == by.pk:
        return
    given = line.history.order_by("-history_id").first()
    if given is None:  # history switched off (a bulk load): there is no hand-over to name
        return
    subject, body = words(line, given, by, now)
    notifications.queue_messages([(line.owner, subject, body, f"{KIND}:{given.history_id}")], now=now)


def compose(history_id: int, person, now: datetime) -> tuple[str, str] | None:
    """The mail of the hand-over recorded by history row `history_id` to `person` as it leaves at
    `now`, or None when it no longer asks anything of them: the line was handed on again since (even
    back to them: that hand-over has its own mail), marked done, or the learning may no longer change
    at its service."""
    # Imported here: the actions that queue these mails import this module.

    given = ImplementationLine.history.select_related("history_user").filter(history_id=history_id).first()
    if given is None or given.owner_id != person.pk:
        return None
    line = (
        ImplementationLine.objects.select_related(
            "owner", "matched_service__service", "matched_service__trigger__source_service"
        )
        .filter(pk=given.id)
        .first()
    )
    if line is None or line.matched_service is None or line.completed_at or line.owner_id != person.pk:
        return None
    if closed_for_work(line.matched_service):
        return None
    handed_on = (
        ImplementationLine.history.filter(id=line.pk, history_id__gt=history_id)
        .exclude(owner_id=person.pk)
        .exists()
    )
    if handed_on:
        return None
    return words(line, given, given.history_user, now)


def _why(given) -> str:
    """Why the line is theirs: the reason given for the correction that handed it over (with what it
    said before), or, for a new line, the learning it puts in place."""

    if given.history_type == "+":
        return "a new task to put this learning in place."
    return given.history_change_reason.removeprefix(CORRECTED)


def words(line: ImplementationLine, given, giver, now: datetime) -> tuple[str, str]:
    """(subject, body) of the mail telling the line's owner it is theirs, composed at `now`: `given` is
    the history row of the hand-over, `giver` who made it. The due line says "overdue" once the due
    date has passed (a mail that left late)."""
    match = line.matched_service
    service, trigger = match.service, match.trigger
    link = settings.SITE_URL.rstrip("/") + reverse("learning_transfer:match_detail", args=[match.pk])
    due = f"Due: {london(line.due_at)}" + (" — this is overdue." if now > line.due_at else "")
    body = [
        f"Dear {line.owner},",
        "",
        f"You have been given an implementation task at {service}, to put in place the learning from "
        f"{trigger} at {trigger.source_service}.",
        "",
        f"Task: {line.task}",
        f"Service: {service}",
        f"The learning: {trigger.learning_statement}",
        due,
        f"Given to you by: {giver or 'someone no longer here'} on {london(given.history_date)}",
        f"Why: {_why(given)}",
        "",
        f"Mark it done on the service's page once it is done: {link}",
    ]
    return f"{service}: an implementation task for you — {trigger.title}", "\n".join(body)
