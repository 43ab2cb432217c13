"""Incidents that need a formal review (seed 003), offered as candidate learning triggers.

Nothing is stored: the candidates are computed from the incidents and the provider's thresholds
each time, so changing a threshold changes the list at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.db.models import Prefetch

from providers.permissions import visible_services

from .. import analysis
from ..choices import SERIOUS_HARM, IncidentTheme, ReviewReason
from ..models import Incident, LearningTrigger, ReviewThresholds
from ..permissions import REVIEWERS


@dataclass
class Candidate:
    """An incident that meets at least one review threshold, with the reasons in words."""

    incident: Incident
    reasons: list[str]
    codes: list[str]

    @property
    def triggers(self) -> list[LearningTrigger]:
        return list(self.incident.learning_triggers.all())


def _reasons(row, thresholds: ReviewThresholds) -> list[tuple[str, str]]:
    """Every threshold the incident meets, as (code, words)."""
    found = []
    if row.harm_level in SERIOUS_HARM:
        found.append((ReviewReason.SERIOUS_HARM, f"Serious harm ({row.harm_level})"))
    if row.repeated:
        theme = IncidentTheme(row.theme).label.lower()
        found.append(
            (
                ReviewReason.REPEATED,
                f"{thresholds.repeat_count} or more {theme} incidents here within "
                f"{thresholds.repeat_window_days} days",
            )
        )
    if row.safeguarding_concern:
        found.append((ReviewReason.SAFEGUARDING, "Safeguarding concern"))
    if row.regulatory_notification:
        found.append((ReviewReason.REGULATORY, "Regulatory notification to CQC"))
    if row.people_affected >= thresholds.people_affected:
        found.append((ReviewReason.SEVERAL_PEOPLE, f"{row.people_affected} people affected"))
    return found


# incident id -> (when it happened, [(reason code, reason in words), ...])
Flagged = dict[int, tuple[datetime, list[tuple[str, str]]]]


def _flag_provider(frame: pd.DataFrame, thresholds: ReviewThresholds, since: datetime) -> Flagged:
    """Review reasons per incident id for one provider's incidents (frame spans the repeat window too)."""
    frame = frame.assign(
        repeated=analysis.repeat_theme_flags(frame, thresholds.repeat_count, thresholds.repeat_window_days)
    )
    shown = frame[pd.to_datetime(frame["occurred_at"], utc=True) >= pd.Timestamp(since)]
    flagged: Flagged = {}
    for row in shown.itertuples(index=False):
        reasons = _reasons(row, thresholds)
        if reasons:
            flagged[row.id] = (row.occurred_at, reasons)
    return flagged


def review_candidates(
    user, *, now: datetime, service=None, reason: str = "", limit: int = 200
) -> tuple[list[Candidate], int]:
    """Incidents in the person's services that need a formal review, newest first: the first `limit`
    of them and how many there are in all.

    Each provider's thresholds apply to its own services; incidents from before the look-back period
    still count towards a repeat inside it.
    """
    services = visible_services(user, roles=REVIEWERS)
    if service is not None:
        services = services.filter(pk=service.pk)
    provider_ids = set(services.values_list("provider_id", flat=True))
    settings = {t.provider_id: t for t in ReviewThresholds.objects.filter(provider_id__in=provider_ids)}
    flagged: Flagged = {}
    for provider_id in provider_ids:
        thresholds = settings.get(provider_id) or ReviewThresholds(provider_id=provider_id)
        since = now - timedelta(days=thresholds.lookback_days)
        earliest = since - timedelta(days=thresholds.repeat_window_days)
        rows = Incident.objects.filter(
            service__in=services.filter(provider_id=provider_id),
            occurred_at__gte=earliest,
            occurred_at__lte=now,
        ).values(
            "id",
            "service_id",
            "theme",
            "occurred_at",
            "harm_level",
            "safeguarding_concern",
            "regulatory_notification",
            "people_affected",
        )
        frame = pd.DataFrame(list(rows))
        if not frame.empty:
            flagged |= _flag_provider(frame, thresholds, since)
    if reason:
        flagged = {pk: f for pk, f in flagged.items() if any(code == reason for code, _ in f[1])}
    newest = sorted(flagged, key=lambda pk: flagged[pk][0], reverse=True)[:limit]
    incidents = (
        Incident.objects.filter(pk__in=newest)
        .select_related("service")
        .prefetch_related(Prefetch("learning_triggers", queryset=LearningTrigger.objects.order_by("pk")))
        .order_by("-occurred_at")
    )
    candidates = [
        Candidate(
            incident=i, reasons=[text for _, text in flagged[i.pk][1]], codes=[c for c, _ in flagged[i.pk][1]]
        )
        for i in incidents
    ]
    return candidates, len(flagged)
