"""Incidents that need a formal review (seed 003), offered as candidate learning triggers, and the
quality director's decision on each one.

The candidates are computed from the incidents and the provider's thresholds each time, so changing a
threshold changes the list at once. What is stored is the decision: a learning trigger logged from the
incident, or an IncidentReview saying why none is needed. Either takes the incident off the list of
incidents awaiting a decision.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from providers.choices import label_of
from providers.models import Service
from providers.permissions import require_perm, visible_services
from providers.services import given_reason

from ..choices import CandidateStatus, IncidentTheme, ReviewOutcome, ReviewReason
from ..models import Incident, IncidentReview, LearningTrigger, ReviewThresholds
from ..permissions import REVIEWERS
from . import review_flags
from .common import now_or, refuse, save_with_history
from .review_flags import FlaggedPage


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


def _reason_words(incident: Incident, code: str, thresholds: ReviewThresholds) -> str:
    """A threshold the incident meets, in words."""
    if code == ReviewReason.SERIOUS_HARM:
        return f"Serious harm ({incident.harm_level})"
    if code == ReviewReason.REPEATED:
        theme = label_of(IncidentTheme, incident.theme).lower()
        return (
            f"{thresholds.repeat_count} or more {theme} incidents here within "
            f"{thresholds.repeat_window_days} days"
        )
    if code == ReviewReason.SAFEGUARDING:
        return "Safeguarding concern"
    if code == ReviewReason.REGULATORY:
        return "Regulatory notification to CQC"
    return f"{incident.people_affected} people affected"


def _flagged_page(services, now: datetime, **page) -> tuple[FlaggedPage, dict]:
    """One page of the flagged incidents of the services (`page`: the filters and the slice) with
    their reason codes, how many in all, and the thresholds by provider. Each provider's incidents
    are judged on its own thresholds, in its own look-back period."""
    provider_ids = sorted(set(services.order_by().values_list("provider_id", flat=True).distinct()))
    settings = {t.provider_id: t for t in ReviewThresholds.objects.filter(provider_id__in=provider_ids)}
    thresholds = {pk: settings.get(pk) or ReviewThresholds(provider_id=pk) for pk in provider_ids}
    lookbacks = [
        (services.filter(provider_id=pk), now - timedelta(days=thresholds[pk].lookback_days))
        for pk in provider_ids
    ]
    return review_flags.flagged_incidents(lookbacks, now=now, **page), thresholds


def _candidates(page: FlaggedPage, thresholds: dict) -> list[Candidate]:
    """The flagged incidents of the page, newest first, with their reasons in words."""
    incidents = (
        Incident.objects.filter(pk__in=page.reasons)
        .select_related("service", "review__reviewed_by")
        .prefetch_related(Prefetch("learning_triggers", queryset=LearningTrigger.objects.order_by("pk")))
        .order_by("-occurred_at", "-pk")
    )
    candidates = []
    for incident in incidents:
        codes = page.reasons[incident.pk]
        provider_thresholds = thresholds[incident.service.provider_id]
        words = [_reason_words(incident, code, provider_thresholds) for code in codes]
        candidates.append(Candidate(incident=incident, reasons=words, codes=codes))
    return candidates


def review_candidates(
    user,
    *,
    now: datetime,
    service=None,
    reason: str = "",
    status: str = CandidateStatus.AWAITING,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Candidate], int]:
    """Incidents in the person's services that need a formal review, newest first: `limit` of them
    from the `offset`-th newest (a page of the list), and how many there are in all.

    `status` chooses those still awaiting a decision (the default), those decided (a review outcome or
    a learning trigger exists), or all. Each provider's thresholds apply to its own services; incidents
    from before the look-back period still count towards a repeat inside it, decided or not. The
    database finds them (`review_flags`); only the page shown is read.
    """
    services = visible_services(user, roles=REVIEWERS)
    if service is not None:
        services = services.filter(pk=service.pk)
    page, thresholds = _flagged_page(services, now, status=status, reason=reason, limit=limit, offset=offset)
    return _candidates(page, thresholds), page.total


def flag_reasons(incident: Incident, *, now: datetime) -> list[str]:
    """Why the incident needs a formal review, in words, worked out exactly as the list does (empty if
    it meets no threshold today, for example once it is older than the look-back period)."""
    services = Service.objects.filter(pk=incident.service_id)
    page, thresholds = _flagged_page(services, now, status=CandidateStatus.ALL, incident_id=incident.pk)
    provider_thresholds = thresholds[incident.service.provider_id]
    return [_reason_words(incident, code, provider_thresholds) for code in page.reasons.get(incident.pk, [])]


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
    if outcome not in ReviewOutcome.values:
        refuse("Choose the outcome of the review.", "outcome")
    reason = given_reason(reason, "Give the reason no provider learning trigger is needed.")
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
            save_with_history(review, by, ReviewOutcome(outcome).label, at=now)
            review_flags.refresh_decided([incident.pk])  # off the list awaiting a decision
    except IntegrityError:
        # A submit raced past the check (databases without row locks): the one-to-one caught it.
        _refuse_if_decided(incident)
        raise
    return review
