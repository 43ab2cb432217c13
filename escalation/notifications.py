"""Delivering escalations: the outbox is e-mailed after commit; the inbox is the same rows, read or not.

Each row is claimed with a conditional UPDATE (a token) before any mail leaves, so two workers never
hold the same row; just before its mail leaves, the claim is checked and renewed, and the row is marked
sent as soon as its mail is accepted. A claim whose worker died (not renewed for STUCK_AFTER_SECONDS)
is released by the sweeper, and the row is sent later: every mail leaves once. The one gap no outbox can
close, a worker dying between the mail server accepting a message and the row being marked, would send
that one message again, with the same Message-ID, which lets mail systems drop the copy.
A send that fails with an error is released for a later attempt, up to MAX_ATTEMPTS.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config import background
from providers.templatetags.nhsuk import london

from .choices import EscalationState
from .models import Notification
from .occurrences import which_check
from .templatetags.steps import step_words

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 500
# How the apps compose their messages when they leave, by kind (`register_message_kind`).
_MESSAGE_KINDS: dict[str, Callable] = {}
# The kind of message telling whoever was told of a breach that a record within threshold withdrew it
# (telling.tell_withdrawn): "breach_withdrawn:<escalation id>", shown in the inbox until read.
WITHDRAWN = "breach_withdrawn"


def register_message_kind(kind: str, compose: Callable) -> None:
    """Let an app compose its messages of `kind` when they leave rather than when queued, so a mail that
    leaves late (a worker down, a mail outage) says what is true then.

    `compose(object_id, person, now)` returns (subject, body), or None when the message is no longer
    wanted (what it asks for was done meanwhile). The engine never imports the apps: each registers its
    kinds in its AppConfig.ready(), as it does its chain hooks (`chain_hooks`)."""
    _MESSAGE_KINDS[kind] = compose


def acknowledge_line(deadline: datetime, now: datetime, window_words: str) -> str:
    """The line that says by when to acknowledge, judged when the mail is composed: "Acknowledge by:
    Mon 23 Nov 2026, 11:01 (within 1 working hour)", or, once that time has passed (a mail sent late),
    "Acknowledge by: Mon 23 Nov 2026, 11:01 — this is overdue: acknowledge it now." """
    if now > deadline:
        return f"Acknowledge by: {london(deadline)} — this is overdue: acknowledge it now."
    return f"Acknowledge by: {london(deadline)} ({window_words})"


@shared_task(name="escalation.notifications.send_pending_notifications", **background.TASK_OPTIONS)
def send_pending_notifications() -> int:
    """E-mail the outbox; return how many rows were sent. Safe to run twice: rows are claimed.

    Beat runs it every minute; it lives beside the outbox (not in tasks.py) because raising an
    escalation asks for it, and tasks.py imports the engine that raises them.
    """
    return send_pending(timezone.now())


def send_soon() -> None:
    """Ask a worker to send the outbox once the current transaction commits.

    The beat schedule sends pending rows every minute anyway, so a broker that is down only delays mail.
    """
    transaction.on_commit(_enqueue_sender)


def _enqueue_sender() -> None:
    try:
        send_pending_notifications.apply_async(retry=False)
    except Exception:  # the outbox row is durable; the periodic task will pick it up
        logger.warning(
            "Could not queue the notification sender; the beat schedule will send it.", exc_info=True
        )


def queue_message(people, *, subject: str, body: str, now=None) -> list[Notification]:
    """Queue one e-mail to each of `people` that is not about an escalation (a withdrawn verification),
    through the same outbox: claimed and sent once, after the current transaction commits. People
    without an e-mail address get nothing (there is no inbox for these)."""
    return queue_messages([(person, subject, body, "") for person in people], now=now)


def queue_messages(messages, now=None) -> list[Notification]:
    """Queue messages of their own words, each (person, subject, body, about), as `queue_message` does,
    in one insert, and ask once for them to be sent.

    `about` ("learning_notice:12") names what a message is about when its kind is registered
    (`register_message_kind`): it is then composed again when it leaves, and queued at most once per
    person (the database refuses a second row; it is skipped), however often the caller runs."""
    now = now or timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=person, email=person.email, created_at=now, subject=subject, body=body, about=about
            )
            for person, subject, body, about in messages
            if person.email
        ],
        ignore_conflicts=True,
    )
    if rows:
        send_soon()
    return rows


def _message(row: Notification, now: datetime) -> EmailMessage | None:
    """The e-mail of a row as it leaves at `now`, or None when a message is no longer wanted."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    if row.escalation is not None:
        # The same Message-ID for every send of this row: a copy sent again is recognisably the same mail.
        headers = {"Message-ID": f"<escalation-notification-{row.pk}@{domain}>"}
        subject, body = _escalation_words(row, now)
    else:  # a message queued by `queue_message`: composed again by its app, or its words as written
        headers = {"Message-ID": f"<notification-{row.pk}@{domain}>"}
        words = _message_words(row, now)
        if words is None:
            return None
        subject, body = words
    return EmailMessage(subject=subject, body=body, to=[row.email], headers=headers)


def _message_words(row: Notification, now: datetime) -> tuple[str, str] | None:
    """A message's (subject, body): composed now by the app that queued it when its kind is registered,
    else as written when queued."""
    kind, _, object_id = row.about.rpartition(":")
    compose = _MESSAGE_KINDS.get(kind)
    if compose is None:
        return row.subject, row.body
    return compose(int(object_id), row.user, now)


def _escalation_words(row: Notification, now: datetime) -> tuple[str, str]:
    """An escalation mail's (subject, body), as it leaves at `now`."""
    escalation = row.escalation
    step = escalation.step_run
    link = f"{settings.SITE_URL.rstrip('/')}{escalation.get_absolute_url()}"
    # Named as the pages name it, in the words a care manager uses, the code after them.
    kind = escalation.get_kind_display().lower()
    # A step checked each shift or day says which check, or two mails about it would read alike.
    which = which_check(step)
    named = f"{step_words(step)} ({step.code})" + (f", {which}" if which else "")
    # Where first: of ten mails landing together, the service tells them apart at a glance.
    subject = f"{where(escalation)}: {named} — {kind}"
    lines = [
        f"Dear {row.user},",
        "",
        f"You are receiving this as {escalation.get_target_role_display()}"
        + (
            " (nobody holds that role, so it came to you as the Nominated Individual)."
            if escalation.role_gap
            else "."
        ),
        "",
        escalation.reason,
        "",
        f"Step: {named}",
        f"What to do: {escalation.action}",
        acknowledge_line(escalation.acknowledge_by, now, escalation.window_words),
        f"Case: {case_words(escalation.chain_run)}",
        "",
        f"Open the escalation: {link}",
    ]
    return subject, "\n".join(lines)


def where(escalation) -> str:
    """Where the escalation is about: its service, else its region (a step run once per region), else
    the case's service, else the provider (a case about the provider as a whole)."""
    return str(escalation.service or escalation.region or escalation.chain_run.service or escalation.provider)


def case_words(run) -> str:
    """The case as a mail names it, with its service when its name does not say it: "LT-0002
    Unwitnessed fall at night at Elm House – learning transfer" (a deployment's name already does)."""
    service = run.service
    if service is None or service.name in run.subject_label:
        return str(run)
    return f"{run.subject_label} at {service} – {run.chain.name.lower()}"


def send_pending(now=None, limit: int = BATCH) -> int:
    """Claim and e-mail pending outbox rows; return how many were sent (in-app-only rows count as sent)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, claim_token__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    # The claim: only rows still unclaimed are taken, so a concurrent sender gets the others or none.
    Notification.objects.filter(pk__in=ids, sent_at__isnull=True, claim_token__isnull=True).update(
        claim_token=token, claimed_at=now
    )
    rows = list(
        Notification.objects.filter(claim_token=token, sent_at__isnull=True).select_related(
            "user",
            "escalation__step_run__region",
            "escalation__chain_run__chain",
            "escalation__chain_run__service",
            "escalation__provider",
            "escalation__service",
            "escalation__region",
        )
    )
    sent = 0
    connection = get_connection()
    with connection:
        for row in rows:
            sent += _send_one(row, token, connection, now)
    return sent


def _send_one(row: Notification, token, connection, now) -> bool:
    """E-mail one claimed row and mark it sent at once; skip it if its claim was released meanwhile."""
    claim = Notification.objects.filter(pk=row.pk, claim_token=token, sent_at__isnull=True)
    if not claim.update(claimed_at=timezone.now()):  # renewed, so the sweeper leaves it alone
        return False
    # Not e-mailed (`_still_to_send`): the inbox is their only channel; or the escalation was resolved
    # before its mail left (a worker that was down), so a mail asking for action would only mislead; or
    # the person lost the role that made them a recipient meanwhile, and a mail must not tell them what
    # their page no longer would; or, for a message, the person can no longer sign in.
    # A message whose app says it is no longer wanted (what it asked for was done) is not sent either.
    if row.email and _still_to_send(row):
        try:
            message = _message(row, now)
            if message is not None:
                connection.send_messages([message])
        except Exception as exc:
            logger.warning("E-mail to %s failed: %s", row.email, exc)
            claim.update(
                claim_token=None, claimed_at=None, attempts=F("attempts") + 1, last_error=str(exc)[:1000]
            )
            return False
    claim.update(sent_at=now)
    return True


def _still_to_send(row: Notification) -> bool:
    if row.escalation is None:  # a message: to anyone still able to sign in
        return row.user.is_active
    return row.escalation.state != EscalationState.RESOLVED and row.user.has_perm(
        "escalation.view_escalation", row.escalation
    )


def release_lost_claims(now=None) -> int:
    """Release claims whose worker died before sending (not renewed for STUCK_AFTER_SECONDS), so the
    rows are sent later; each counts as an attempt, so a row that kills its worker every time stops."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BACKGROUND_STUCK_AFTER_SECONDS)
    return Notification.objects.filter(
        sent_at__isnull=True, claim_token__isnull=False, claimed_at__lt=cutoff
    ).update(claim_token=None, claimed_at=None, attempts=F("attempts") + 1, last_error="Worker lost")


def mark_read(user, escalation, now=None) -> None:
    """The person's notification of the escalation read, and the message that its breach was withdrawn
    (WITHDRAWN) if there is one: opening the escalation shows them both."""
    about_it = Q(escalation=escalation) | Q(about=f"{WITHDRAWN}:{escalation.pk}")
    Notification.objects.filter(about_it, user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
