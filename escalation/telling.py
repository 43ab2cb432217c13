"""Telling about new escalations: a notification queued for each person told and an event recorded for
each escalation, however it was raised (`raising.py`: a tick's overdue steps and follow-ups, a breach,
a weak group).

Escalations told alike (the same people, kind, level and role) share one number (`sql.Numbered`):
their people and their event's words travel once, in small tables joined to the rows, so telling is
two inserts however many escalations were raised. Mail goes out after the transaction commits.
"""

from datetime import datetime

from providers.choices import Role

from . import notifications
from .choices import EscalationKind, EventKind
from .models import EngineEvent, Escalation, Notification
from .sql import Numbered, insert_select, rows_table, stored


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
