"""The change history a record's page shows under it (templates/includes/history.html)."""

# What the history table shows of each change. A historical row copies every field of its record (a
# trigger's or an update's long texts too), which the table never reads.
SHOWN = ("history_date", "history_type", "history_change_reason", "history_user")


def recent_changes(record, limit: int | None = 20):
    """The record's changes, newest first (the newest `limit` of them; all for None), each with the
    person who made it, read with only the columns the history table shows."""
    changes = record.history.select_related("history_user").only(*SHOWN).order_by("-history_date", "-pk")
    return changes[:limit] if limit is not None else changes
