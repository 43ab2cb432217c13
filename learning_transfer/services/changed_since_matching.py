"""What changed in a trigger's matching window after its matching ran.

A trigger keeps the rates it was matched on (`MatchedService.incidents_7d`, `care_hours_7d`), so what it
decided stays readable. When a later import or correction changes the incidents or care hours of a
matched service inside the window those rates were counted over, the trigger's page says so, naming the
days and figures, until matching runs again. Two queries however many services or days changed: the
window's totals from the daily roll-up, then the changed days' figures from the care-hours history.
The provider median is counted over every service, matched or not: when it moved, the page says so too
(`median_changed`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery, Sum

from providers.numbers import format_rate

from ..models import CareHours, ServiceDay
from . import data
from .import_changes import hours_text

# Changed days named on the page, in all; the rest are in each service's care-hours history.
DAYS_SHOWN = 30


@dataclass(frozen=True)
class ChangedFigures:
    """One matched service whose incidents or care hours in the matching window changed after matching."""

    service_name: str
    hours_changes: list[str]  # "Thu 12 Nov: 642.18 → 10.00", by day
    incidents_then: int | None = None  # set when the number of incidents changed
    incidents_now: int | None = None


def changed_since_matching(trigger, matches) -> list[ChangedFigures]:
    """The services among `matches` (the trigger's `MatchedService`s the page shows, their service
    read with them) whose incidents or care hours in the trigger's matching window now differ from
    those it was matched on (none for a closed trigger: its figures are those its learning was judged
    by, and stay so)."""
    if trigger.is_closed or trigger.matched_at is None or trigger.rates_first_day is None or not matches:
        return []
    window = (trigger.rates_first_day, trigger.rates_last_day)
    matches = {match.service_id: match for match in matches}
    now = {
        service_id: (incidents or 0, hours or Decimal(0))
        for service_id, incidents, hours in ServiceDay.objects.filter(
            service_id__in=matches, day__range=window
        )
        .values("service_id")
        .annotate(incidents=Sum("incidents"), hours=Sum("care_hours"))
        .values_list("service_id", "incidents", "hours")
    }
    incidents_moved, hours_moved = {}, []
    for service_id, match in matches.items():
        incidents, hours = now.get(service_id, (0, Decimal(0)))
        if incidents != match.incidents_7d:
            incidents_moved[service_id] = (match.incidents_7d, incidents)
        if hours != match.care_hours_7d:
            hours_moved.append(service_id)
    days = _changed_days(trigger, hours_moved, window)
    found = []
    for service_id in sorted(set(incidents_moved) | set(days), key=lambda pk: matches[pk].service.name):
        then, current = incidents_moved.get(service_id, (None, None))
        found.append(
            ChangedFigures(matches[service_id].service.name, days.get(service_id, []), then, current)
        )
    return found


def median_changed(trigger) -> str:
    """ "1.000 when matched, 0.500 now" when the provider median over the trigger's matching window now
    differs from the one it was matched on (found: incidents imported for services not matched moved it,
    so the matched services' places against it, and A1's decision, changed unsaid); else "". Asked of
    an open, matched trigger only, as `changed_since_matching` is."""
    if trigger.is_closed or trigger.matched_at is None or trigger.rates_first_day is None:
        return ""
    _, now = data.provider_rates(trigger.provider, trigger.rates_first_day, trigger.rates_last_day)
    then = None if trigger.provider_median_rate is None else float(trigger.provider_median_rate)
    if now == then:
        return ""
    said = [format_rate(then, now) or "none", format_rate(now, then) or "none"]
    return f"{said[0]} when matched, {said[1]} now"


def _changed_days(trigger, service_ids: list[int], window) -> dict[int, list[str]]:
    """{service id: "Thu 12 Nov: 642.18 → 10.00", …} for the days in the window whose care hours were
    written after matching, the figure as matched (the history row at or before matching; "none" when
    the day had no figure then) beside today's."""
    if not service_ids:
        return {}
    history = CareHours.history.model.objects
    as_matched = (
        history.filter(id=OuterRef("pk"), history_date__lte=trigger.matched_at)
        .order_by("-history_date", "-history_id")
        .values("hours")[:1]
    )
    rows = (
        CareHours.objects.filter(service_id__in=service_ids, day__range=window)
        .filter(Exists(history.filter(id=OuterRef("pk"), history_date__gt=trigger.matched_at)))
        .annotate(as_matched=Subquery(as_matched))
        .order_by("service_id", "day")
        .values_list("service_id", "day", "as_matched", "hours")[:DAYS_SHOWN]
    )
    days: dict[int, list[str]] = {}
    for service_id, day, then, hours in rows:
        if then is not None and Decimal(then) == hours:
            continue  # changed and changed back
        before = "none" if then is None else hours_text(Decimal(then))
        days.setdefault(service_id, []).append(f"{day:%a} {day.day} {day:%b}: {before} → {hours_text(hours)}")
    return days
