"""The change history a record's page shows under it (templates/includes/history.html)."""

from .permissions import compiled_once

# What the history table shows of each change. A historical row copies every field of its record (a
# trigger's or an update's long texts too), which the table never reads.
SHOWN = ("history_date", "history_type", "history_change_reason", "history_user")


def recent_changes(record, limit: int | None = 20) -> list:
    """The record's changes, newest first (the newest `limit` of them; all for None), each with the
    person who made it, read with only the columns the history table shows. The SQL is kept for each
    kind of record (its page asks on every view) and run with this record."""
    model = type(record)

    def changes(pk):
        found = model.history.filter(**{model._meta.pk.attname: pk})
        found = found.select_related("history_user").only(*SHOWN).order_by("-history_date", "-pk")
        return found[:limit] if limit is not None else found

    name = f"recent changes of a {model._meta.label}, {limit}"
    return compiled_once(None, name, changes, pk=record.pk).rows()
