"""The organisation's business actions: what a provider administrator changes about their provider.

Each action checks its own permission (`providers/permissions.py`) and records who made the change
and why in the record's history.
"""

from collections.abc import Iterable
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Provider
from .permissions import require_perm


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change."})
    return reason


def set_working_hours(
    provider: Provider, *, by, start: time, end: time, weekdays: Iterable[int], reason: str
) -> Provider:
    """Set the provider's working day and working weekdays, with the reason (history).

    Only the provider's administrator may. Deadlines already worked out (open cases, notices) keep
    their stored values; deadlines worked out from now on use the new working week.
    """
    require_perm(by, "providers.administer_provider", provider)
    reason = _reason(reason)
    with transaction.atomic():
        row = Provider.objects.select_for_update().get(pk=provider.pk)
        row.working_day_start, row.working_day_end = start, end
        row.working_weekdays = ",".join(str(day) for day in sorted(set(weekdays)))
        try:
            row.working_hours  # noqa: B018 - building it validates the fields together
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        row._history_user = by
        row._change_reason = reason[:100]
        row.save(update_fields=["working_day_start", "working_day_end", "working_weekdays"])
    return row
