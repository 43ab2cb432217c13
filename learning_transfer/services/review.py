"""Incidents that need a formal review (seed 003), offered as candidate learning triggers, and the
quality director's decision on each one.

The candidates are computed from the incidents and the provider's thresholds each time, so changing a
threshold changes the list at once. What is stored is the decision: a learning trigger logged from the
incident, or an IncidentReview saying why none is needed. Either takes the incident off the list of
incidents awaiting a decision.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from providers.models import Service
from providers.permissions import require_perm, visible_services

from .. import analysis
from ..choices import SERIOUS_HARM, CandidateStatus, IncidentTheme, ReviewOutcome, ReviewReason
from ..models import Incident, IncidentReview, LearningTrigger, ReviewThresholds
from ..permissions import REVIEWERS
from .common import now_or, refuse, save_with_history


@dataclass
class Candidate:
    """An incident that meets at least one review threshold, with the reasons in words."""

    incident: Incident
    reasons: list[str]
    codes: list[str]

    @property
    def triggers(self) -> list[LearningTrigger]:
        return list(self.incident.learning_triggers.all())

    @property
    def review(self) -> IncidentReview | None:
        # select_related caches a missing review as "none": asking again makes no query.
        try:
            return self.incident.review
        except IncidentReview.DoesNotExist:
            return None


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


def _decided_ids(frame: pd.DataFrame) -> set[int]:
    """Incidents that already have a review outcome or a learning trigger."""
    return set(frame.loc[frame["reviewed"] | frame["triggered"], "id"])


def _with_status(flagged: Flagged, decided: set[int], status: str) -> Flagged:
    if status == CandidateStatus.AWAITING:
        return {pk: f for pk, f in flagged.items() if pk not in decided}
    if status == CandidateStatus.REVIEWED:
        return {pk: f for pk, f in flagged.items() if pk in decided}
    if status == CandidateStatus.ALL:
        return flagged
    raise ValueError(f"Unknown review status {status!r}")


def _flag_services(services, now: datetime) -> tuple[Flagged, set[int]]:
    """Review reasons per flagged incident of these services, and the incidents already decided."""
    provider_ids = set(services.values_list("provider_id", flat=True))
    settings = {t.provider_id: t for t in ReviewThresholds.objects.filter(provider_id__in=provider_ids)}
    flagged: Flagged = {}
    decided: set[int] = set()
    for provider_id in provider_ids:
        thresholds = settings.get(provider_id) or ReviewThresholds(provider_id=provider_id)
        since = now - timedelta(days=thresholds.lookback_days)
        earliest = since - timedelta(days=thresholds.repeat_window_days)
        rows = (
            Incident.objects.filter(
                service__in=services.filter(provider_id=provider_id),
                occurred_at__gte=earliest,
                occurred_at__lte=now,
            )
            .annotate(
                reviewed=Exists(IncidentReview.objects.filter(incident=OuterRef("pk"))),
                triggered=Exists(LearningTrigger.objects.filter(source_incident=OuterRef("pk"))),
            )
            .values(
                "id",
                "service_id",
                "theme",
                "occurred_at",
                "harm_level",
                "safeguarding_concern",
                "regulatory_notification",
                "people_affected",
                "reviewed",
                "triggered",
            )
        )
        frame = pd.DataFrame(list(rows))
        if not frame.empty:
            flagged |= _flag_provider(frame, thresholds, since)
            decided |= _decided_ids(frame)
    return flagged, decided


def review_candidates(
    user,
    *,
    now: datetime,
    service=None,
    reason: str = "",
    status: str = CandidateStatus.AWAITING,
    limit: int = 200,
) -> tuple[list[Candidate], int]:
    """Incidents in the person's services that need a formal review, newest first: the first `limit`
    of them and how many there are in all.

    `status` chooses those still awaiting a decision (the default), those decided (a review outcome or
    a learning trigger exists), or all. Each provider's thresholds apply to its own services; incidents
    from before the look-back period still count towards a repeat inside it, decided or not.
    """
    services = visible_services(user, roles=REVIEWERS)
    if service is not None:
        services = services.filter(pk=service.pk)
    flagged, decided = _flag_services(services, now)
    flagged = _with_status(flagged, decided, status)
    if reason:
        flagged = {pk: f for pk, f in flagged.items() if any(code == reason for code, _ in f[1])}
    newest = sorted(flagged, key=lambda pk: flagged[pk][0], reverse=True)[:limit]
    incidents = (
        Incident.objects.filter(pk__in=newest)
        .select_related("service", "review__reviewed_by")
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


def flag_reasons(incident: Incident, *, now: datetime) -> list[str]:
    """Why the incident needs a formal review, in words, worked out exactly as the list does (empty if
    it meets no threshold today, for example once it is older than the look-back period)."""
    flagged, _ = _flag_services(Service.objects.filter(pk=incident.service_id), now)
    return [text for _, text in flagged.get(incident.pk, (None, []))[1]]


def _refuse_if_decided(incident: Incident) -> None:
    """Stop when the incident already has a review outcome or a learning trigger, saying which."""
    review = IncidentReview.objects.filter(incident=incident).select_related("reviewed_by").first()
    if review is not None:
        who = review.reviewed_by.get_full_name() or review.reviewed_by.username
        when = timezone.localtime(review.reviewed_at)
        refuse(
            f"The review outcome for {incident.source_reference} was already recorded by {who} "
            f"on {when:%-d %b %Y at %H:%M}. Nothing was changed."
        )
    trigger = LearningTrigger.objects.filter(source_incident=incident).order_by("pk").first()
    if trigger is not None:
        refuse(
            f"{incident.source_reference} was logged as learning trigger {trigger.reference}, "
            "so it needs no separate review outcome."
        )


def record_review(incident: Incident, *, by, outcome: str, reason: str, now=None) -> IncidentReview:
    """Record that a flagged incident was reviewed and needs no provider-wide learning trigger.

    Only a trigger manager of the incident's provider may decide. An incident is decided once: one
    that already has a review outcome or a learning trigger is refused, so a double submit saves one
    review and the second is told it was already recorded.
    """
    require_perm(by, "learning_transfer.review_incident", incident)
    reason = (reason or "").strip()
    if outcome not in ReviewOutcome.values:
        refuse("Choose the outcome of the review.", "outcome")
    if not reason:
        refuse("Give the reason no provider learning trigger is needed.", "reason")
    try:
        with transaction.atomic():
            # Lock the incident row so two submits at once are decided one after the other.
            Incident.objects.select_for_update().filter(pk=incident.pk).first()
            _refuse_if_decided(incident)
            review = IncidentReview(
                incident=incident,
                outcome=outcome,
                reason=reason,
                reviewed_by=by,
                reviewed_at=now_or(now),
            )
            save_with_history(review, by, ReviewOutcome(outcome).label)
    except IntegrityError:
        # A submit raced past the check (databases without row locks): the one-to-one caught it.
        _refuse_if_decided(incident)
        raise
    return review
