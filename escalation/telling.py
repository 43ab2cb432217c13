"""Telling about new escalations: a notification queued for each person told and an event recorded for
each escalation, however it was raised (`raising.py`: a tick's overdue steps and follow-ups, a breach,
a weak group); and, when a step recorded again within threshold settles a breach, telling whoever was
told of it that it is withdrawn (`tell_withdrawn`).

Escalations told alike (the same people, kind, level and role) share one number (`sql.Numbered`):
their people and their event's words travel once, in small tables joined to the rows, so telling is
two inserts however many escalations were raised. Mail goes out after the transaction commits.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal

from providers.choices import Role
from providers.templatetags.nhsuk import london

from . import notifications, permissions
from .choices import EscalationKind, EventKind
from .models import EngineEvent, Escalation, Notification, StepRecord
from .occurrences import which_check, which_checks
from .sql import Numbered, insert_select, rows_table, stored
from .templatetags.steps import step_words


def tell(created: list[tuple], people: dict, now: datetime) -> list[int]:
    """Queue a notification for each person told and record an event for each new escalation.

    `created` holds (id, provider_id, chain_run_id, step_run_id, kind, level, target_role, …) of each new
    escalation, `people` its Resolved by id. Escalations told alike (the same people, kind, level and
    role) share one number: their people and their event's words travel once, in small tables joined
    to the rows. Two inserts however many; returns the ids in the order raised.
    """
    created = sorted(created, key=lambda row: row[0])
    if not created:
        return []
    told, alike = Numbered(), {}
    rows = []
    for pk, provider, chain_run, step_run, kind, level, role, *_ in created:
        resolved = people[pk]
        number = told((id(resolved), kind, level, role))
        alike[number] = (resolved, kind, level, role)
        rows.append((pk, provider, chain_run, step_run, number))
    event = EngineEvent._meta.get_field
    integer = Escalation._meta.get_field("id")  # the column type of the numbers and positions
    table, params = rows_table(
        "e",
        {
            "escalation_id": event("escalation"),
            "provider_id": event("provider"),
            "chain_run_id": event("chain_run"),
            "step_run_id": event("step_run"),
            "told": integer,
        },
        rows,
    )
    outbox = [
        (number, position, person.pk, person.email or "")
        for number, (resolved, *_) in alike.items()
        for position, person in enumerate(resolved.people)
    ]
    if outbox:
        people_table, people_params = rows_table(
            "n",
            {
                "told": integer,
                "position": integer,
                "user_id": Notification._meta.get_field("user"),
                "email": Notification._meta.get_field("email"),
            },
            outbox,
        )
        insert_select(
            Notification,
            {
                "escalation": "e.escalation_id",
                "user": "n.user_id",
                "email": "n.email",
                "created_at": ("%s", [stored(Notification, "created_at", now)]),
            },
            f"{table} JOIN {people_table} ON n.told = e.told",
            params + people_params,
            order_by="e.escalation_id, n.position",
        )
    words, words_params = rows_table(
        "w",
        {
            "told": integer,
            "kind": event("kind"),
            "message": event("message"),
            "data": event("data"),
        },
        [
            (number, *_event_words(resolved, role, kind, level))
            for number, (resolved, kind, level, role) in alike.items()
        ],
    )
    insert_select(
        EngineEvent,
        {
            "kind": "w.kind",
            "at": ("%s", [stored(EngineEvent, "at", now)]),
            "provider": "e.provider_id",
            "chain_run": "e.chain_run_id",
            "step_run": "e.step_run_id",
            "escalation": "e.escalation_id",
            "message": "w.message",
            "data": "w.data",
        },
        f"{table} JOIN {words} ON w.told = e.told",
        params + words_params,
        order_by="e.escalation_id",
    )
    notifications.send_soon()
    return [row[0] for row in created]


def _event_words(resolved, target_role: str, kind: str, level: int) -> tuple[str, str, dict]:
    """(event kind, message, data) of an escalation raised to these people."""
    names = ", ".join(str(p) for p in resolved.people) or "nobody"
    role = Role(target_role).label
    if not resolved.people:
        message = f"Nobody holds {role} or Nominated Individual: nobody could be told."
        event_kind = EventKind.NOBODY_TO_TELL
    elif resolved.role_gap:
        message = f"Nobody holds {role}: told the Nominated Individual ({names})."
        event_kind = EventKind.ESCALATION_RAISED
    else:
        message = f"Raised to {role}: {names}."
        event_kind = EventKind.ESCALATION_RAISED
    if kind == EscalationKind.FOLLOW_UP:
        message = f"Follow-up (level {level}). {message}"
    return event_kind, message, {"recipients": [p.pk for p in resolved.people], "role_gap": resolved.role_gap}


def tell_withdrawn(settled_ids: list[int], *, by, now: datetime) -> None:
    """Tell each person who was told of these breach escalations (and their follow-ups), now settled by
    `by` recording the step again within threshold, that the breach is withdrawn: one message per
    person per escalation, in the inbox and by e-mail, composed when it leaves (`compose_withdrawn`).

    The recorder is not told: their own record settled it. A person without an e-mail address still
    sees it in their inbox (`withdrawn_unread`). Queued in the recording's transaction: nothing leaves
    unless the record is kept."""
    if not settled_ids:
        return
    told = (
        Notification.objects.filter(escalation_id__in=settled_ids)
        .exclude(user=by)
        .select_related("user")
        .order_by("escalation_id", "pk")
    )
    rows = []
    for row in told:
        # The words as they stand now, kept on the row (the outbox asks a message for its own words);
        # the mail is composed again when it leaves.
        subject, body = compose_withdrawn(row.escalation_id, row.user, now) or ("Breach withdrawn", "")
        rows.append(
            Notification(
                user=row.user,
                email=row.user.email,
                created_at=now,
                subject=subject[: Notification._meta.get_field("subject").max_length],
                body=body,
                about=f"{notifications.WITHDRAWN}:{row.escalation_id}",
            )
        )
    # Once per person per escalation (the outbox's own constraint), however often this runs.
    if Notification.objects.bulk_create(rows, ignore_conflicts=True):
        notifications.send_soon()


def _settled_escalations(ids):
    """The settled escalations `ids` with what their message names, in one query."""
    return Escalation.objects.filter(pk__in=ids, settled=True).select_related(
        "step_run__region",
        "chain_run__chain",
        "chain_run__service",
        "provider",
        "service",
        "region",
        "resolved_by",
    )


def _withdrawn_line(escalation: Escalation) -> str:
    """What withdrew the breach, first in the mail and in the inbox."""
    return (
        f"Breach withdrawn: recorded again within threshold by {escalation.resolved_by} "
        f"on {london(escalation.resolved_at)}."
    )


def compose_withdrawn(escalation_id: int, person, now: datetime) -> tuple[str, str] | None:
    """The mail telling `person` that the breach escalation they were told of is withdrawn, as it
    leaves: the new record's result and its recorder's reason, and that nothing is asked of them.
    None when the escalation is gone or the person may no longer see it."""
    escalation = _settled_escalations([escalation_id]).first()
    if escalation is None or not person.has_perm("escalation.view_escalation", escalation):
        return None
    step = escalation.step_run
    # The record that settled it: recorded at the moment the escalation was settled.
    record = StepRecord.objects.filter(step_run=step, recorded_at=escalation.resolved_at).first()
    named = _named(escalation, which_check(step))
    where = notifications.where(escalation)
    link = f"{settings.SITE_URL.rstrip('/')}{escalation.get_absolute_url()}"
    lines = [
        f"Dear {person},",
        "",
        _withdrawn_line(escalation),
        "",
        f"You were told of this breach as {escalation.get_target_role_display()}.",
    ]
    if record is not None:
        lines.append(f"The new record: {record.explanation.rstrip('.')}.")
        if record.correction_reason:
            lines.append(f"Why they recorded it again: {record.correction_reason}")
    lines += ["", _what_is_asked_now(escalation), ""]
    lines += [
        f"Step: {named}",
        f"Case: {notifications.case_words(escalation.chain_run)}",
        "",
        f"Open the escalation: {link}",
    ]
    return f"{where}: {named} — breach withdrawn", "\n".join(lines)


def _what_is_asked_now(escalation: Escalation) -> str:
    """Nothing, unless the step breached again after this breach was withdrawn (a mail that leaves
    late): then the new escalation, told on its own, is what to act on."""
    again = Escalation.objects.filter(
        step_run_id=escalation.step_run_id,
        kind=EscalationKind.BREACH,
        parent=None,
        raised_at__gt=escalation.resolved_at,
    ).exists()
    if again:
        return (
            "Since then the step was recorded again and breached again: "
            "a new escalation, told to you on its own, asks you to act."
        )
    return "Nothing is asked of you now: the escalation is closed as settled."


def withdrawn_unread(user) -> list[dict]:
    """The breaches withdrawn since the person was told of them that they have not read yet, newest
    first, each {"escalation", "where", "named", "line"}: what the inbox lists above their work. Two
    queries however many."""
    prefix = f"{notifications.WITHDRAWN}:"
    abouts = Notification.objects.filter(user=user, about__startswith=prefix, read_at=None).values_list(
        "about", flat=True
    )
    ids = [int(about.removeprefix(prefix)) for about in abouts]
    if not ids:
        return []
    # Only those the person may still open: being told never outlives the role.
    visible = permissions.visible_escalations(user).values("pk")
    escalations = list(_settled_escalations(ids).filter(pk__in=visible).order_by("-resolved_at", "-pk"))
    # Which check of a recurring step ("1st check of 6, for Fri 4 Dec"), as the mail says: a B2 has
    # a check each working day, and the step's name alone does not say which one was withdrawn.
    checks = which_checks([escalation.step_run for escalation in escalations])
    return [
        {
            "escalation": escalation,
            "where": notifications.where(escalation),
            "named": _named(escalation, checks.get(escalation.step_run_id, "")),
            "line": _withdrawn_line(escalation),
        }
        for escalation in escalations
    ]


def _named(escalation: Escalation, which: str) -> str:
    """The step in words and code, which check of it, and which breach when it is not the first:
    "Check clinical records follow the change (B2), 1st check of 6, for Fri 4 Dec, 2nd breach"."""
    named = f"{step_words(escalation.step_run)} ({escalation.step_run.code})"
    if which:
        named += f", {which}"
    if escalation.breach_number > 1:
        named += f", {ordinal(escalation.breach_number)} breach"
    return named
