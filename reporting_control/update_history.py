"""The history an update's page shows: the shared History (providers.history), with a whole evidence
check said in words.

A check of every line's evidence ("Check the evidence") moves the update's `evidence_checked_at`, which
the shared History would show as "Evidence checked at: not set → Mon 7 Dec 2026, 04:30". "Not set" misleads:
each line's evidence was checked when the line was added. So that change reads "Evidence of every line
checked again"; which lines changed verdict, and why, are rows of their own (`services._check_evidence`).
"""

from django.utils.text import capfirst

from providers.history import recent_changes

from .models import ReportingUpdate

EVIDENCE_CHECKED_AGAIN = "Evidence of every line checked again"
# How the shared History labels the field's change ("Evidence checked at: old → new").
_CHECKED_LABEL = f"{capfirst(ReportingUpdate._meta.get_field('evidence_checked_at').verbose_name)}: "


def update_changes(update: ReportingUpdate, limit: int | None = 20) -> list:
    """The update's changes, newest first (`recent_changes`), a whole evidence check said in words."""
    rows = recent_changes(update, limit)
    for row in rows:
        said = [change for change in row.changes if not change.startswith(_CHECKED_LABEL)]
        if len(said) != len(row.changes):
            row.changes = [EVIDENCE_CHECKED_AGAIN, *said]
    return rows
