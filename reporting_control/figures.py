"""The incident figures chain C's checks compare (C2 and C3), computed from the learning-transfer data.

Complaints are not held in this system, so C3's complaint measures are left for the Resident Experience
Lead to enter from the complaints log; only what the records show is computed. The look-back windows
are the measures' parameters (fixtures/chains.json, tunable per provider).
"""

from datetime import datetime, timedelta

from learning_transfer import analysis
from learning_transfer.models import Incident
from learning_transfer.services import data


def matched_rate(service_ids, now: datetime, days: int) -> float | None:
    """C2: incidents per 100 care hours over the `days` whole days before today, pooled across the
    matched services (one figure for the set, as the update reports it). None without care hours."""
    if not service_ids:
        return None
    first, last = analysis.rate_window(now, days)
    scope = {"pk__in": sorted(service_ids)}
    daily_incidents, care_hours = data.daily_figures(scope, first, last)
    incidents, hours = daily_incidents["incidents"].sum(), care_hours["hours"].sum()
    if not hours:
        return None
    return round(int(incidents) * 100 / float(hours), 3)  # as the A1 baseline stores rates


def safeguarding_alerts(service_ids, now: datetime, days: int) -> int:
    """C3: incidents raising a safeguarding concern at the matched services in the previous `days` days."""
    return Incident.objects.filter(
        service_id__in=service_ids,
        safeguarding_concern=True,
        occurred_at__gt=now - timedelta(days=days),
        occurred_at__lte=now,
    ).count()
