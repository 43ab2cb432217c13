"""The incident figures chain C's checks compare (C2 and C3), computed from the learning-transfer data.

Complaints are not held in this system, so C3's complaint measures are left for the Resident Experience
Lead to enter from the complaints log; only what the records show is pre-filled.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from learning_transfer import analysis
from learning_transfer.models import Incident
from learning_transfer.services import data

SAFEGUARDING_DAYS = 30  # C3: safeguarding alerts raised in the previous 30 days


def matched_rate_7d(service_ids, now: datetime) -> float | None:
    """C2: incidents per 100 care hours over the 7 whole days before today, pooled across the matched
    services (one figure for the set, as the update reports it). None without care hours."""
    if not service_ids:
        return None
    first, last = analysis.rate_window(now)
    scope = {"pk__in": sorted(service_ids)}
    daily_incidents, care_hours = data.daily_figures(scope, first, last)
    incidents, hours = daily_incidents["incidents"].sum(), care_hours["hours"].sum()
    if not hours:
        return None
    return round(int(incidents) * 100 / float(hours), 3)  # as the A1 baseline stores rates


def safeguarding_alerts(service_ids, now: datetime) -> int:
    """C3: incidents raising a safeguarding concern at the matched services in the previous 30 days."""
    return Incident.objects.filter(
        service_id__in=service_ids,
        safeguarding_concern=True,
        occurred_at__gt=now - timedelta(days=SAFEGUARDING_DAYS),
        occurred_at__lte=now,
    ).count()


def c2_figures(service_ids, now=None) -> dict:
    """C2's computable incident figure (left out, not guessed, without care hours)."""
    rate = matched_rate_7d(service_ids, now or timezone.now())
    return {} if rate is None else {"incident_rate_7d": rate}


def c3_figures(service_ids, now=None) -> dict:
    """C3's computable figure: safeguarding alerts in the matched services."""
    if not service_ids:
        return {}
    return {"safeguarding_alerts_30d": safeguarding_alerts(service_ids, now or timezone.now())}
