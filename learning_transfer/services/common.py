"""Small helpers shared by the business actions."""

from django.core.exceptions import ValidationError
from django.utils import timezone


def refuse(message: str, field: str | None = None) -> None:
    """Stop an action that breaks a rule, with a message a person can act on."""
    raise ValidationError({field: message} if field else message)


def now_or(now):
    """The given instant, or the current one (functions take `now` so tests can fix the clock)."""
    return now or timezone.now()


def save_with_history(obj, by, reason: str = "", update_fields=None) -> None:
    """Save and make the history row name who did it and why, also outside a request (tasks, tests)."""
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]
    obj.save(update_fields=update_fields)
