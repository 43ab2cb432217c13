"""The review list, worked out by the database, flags exactly the incidents a plain pass over the raw
incidents flags, on generated data: every reason, every status, the count and the first two pages.

The reference is the one-incident-at-a-time rule: walk each service's incidents of one type in time
order and flag the one that brings the count since the last flag, within the window, to the threshold.
"""

import random
from datetime import datetime, timedelta

import pytest

from learning_transfer.choices import SERIOUS_HARM, CandidateStatus, HarmLevel, ReviewReason
from learning_transfer.models import Incident, IncidentReview, LearningTrigger, ReviewFlag, ReviewThresholds
from learning_transfer.services import record_review
from learning_transfer.services.review import review_candidates
from learning_transfer.services.rollup import refresh_provider
from providers.choices import RiskTag
from tests.factories import ServiceFactory

from .conftest import LONDON

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=LONDON)
SEEDS = [11, 12, 14, 16, 17, 18]  # seeds whose data has repeats (checked below)
THEMES = ["fall", "medication", "choking"]


def build(rng, provider, north, quality_director):
    """Bursty incidents of a few types at a few services over 130 days, some already decided."""
    services = [ServiceFactory(region=north, tags=[RiskTag.FALLS]) for _ in range(3)]
    incidents = []
    for n in range(rng.randint(60, 160)):
        burst = NOW - timedelta(days=rng.choice([3, 20, 45, 80, 100, 125]))
        at = burst - timedelta(minutes=rng.randrange(60 * 24 * rng.choice([2, 10, 30, 60])))
        if rng.random() < 0.5:  # and a steady trickle, whose gaps split clusters into runs
            at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 130))
        incidents.append(
            Incident(
                service=rng.choice(services),
                source_reference=f"R{n}",
                occurred_at=at,
                theme=rng.choice(THEMES),
                harm_level=rng.choice(
                    [HarmLevel.NONE] * 12 + [HarmLevel.LOW, HarmLevel.SEVERE, HarmLevel.DEATH]
                ),
                safeguarding_concern=rng.random() < 0.05,
                regulatory_notification=rng.random() < 0.05,
                people_affected=rng.choice([1] * 8 + [2, 3]),
            )
        )
    incidents = Incident.objects.bulk_create(incidents)
    for incident in rng.sample(incidents, len(incidents) // 8):
        IncidentReview.objects.create(
            incident=incident,
            outcome="local",
            reason="Local fix.",
            reviewed_by=quality_director,
            reviewed_at=NOW,
        )
    for incident in rng.sample(incidents, 3):
        LearningTrigger.objects.create(
            provider=provider,
            title=f"From {incident.source_reference}",
            source_service=incident.service,
            source_incident=incident,
            theme=incident.theme,
            risk_tags=[RiskTag.FALLS],
            what_happened="A failure.",
            confirmed_at=NOW,
            logged_by=quality_director,
        )
    thresholds = ReviewThresholds.objects.create(
        provider=provider,
        repeat_count=rng.choice([2, 3, 4]),
        repeat_window_days=rng.choice([7, 14, 28]),
        people_affected=rng.choice([2, 3]),
        lookback_days=rng.choice([30, 60, 90]),
    )
    refresh_provider(provider)  # as saving the thresholds in the admin does
    # And some decided since, each through the service that records it, which marks the stored flag.
    waiting = Incident.objects.filter(pk__in=ReviewFlag.objects.filter(decided=False).values("incident_id"))
    for incident in rng.sample(list(waiting.order_by("pk")), min(4, waiting.count())):
        record_review(incident, by=quality_director, outcome="local", reason="Local fix.", now=NOW)
    return thresholds


def repeated(incidents, count, window_days):
    """Ids of the incidents that complete `count` of their type at their service within the window,
    counting afresh after each one flagged."""
    found, groups = set(), {}
    for incident in sorted(incidents, key=lambda i: (i.occurred_at, i.pk)):
        groups.setdefault((incident.service_id, incident.theme), []).append(incident)
    for group in groups.values():
        first = 0  # the earliest incident still counted
        for i, incident in enumerate(group):
            while first < i and group[first].occurred_at < incident.occurred_at - timedelta(days=window_days):
                first += 1
            if i - first + 1 >= count:
                found.add(incident.pk)
                first = i + 1
    return found


def reference(thresholds):
    """{source reference: [reason codes]} and the decided references, one incident at a time."""
    since = NOW - timedelta(days=thresholds.lookback_days)
    counted = Incident.objects.filter(occurred_at__lte=NOW)  # from the first incident on record
    repeats = repeated(list(counted), thresholds.repeat_count, thresholds.repeat_window_days)
    flags, decided = {}, set()
    for incident in counted.filter(occurred_at__gte=since):
        reasons = [
            code
            for code, met in [
                (ReviewReason.SERIOUS_HARM, incident.harm_level in SERIOUS_HARM),
                (ReviewReason.REPEATED, incident.pk in repeats),
                (ReviewReason.SAFEGUARDING, incident.safeguarding_concern),
                (ReviewReason.REGULATORY, incident.regulatory_notification),
                (ReviewReason.SEVERAL_PEOPLE, incident.people_affected >= thresholds.people_affected),
            ]
            if met
        ]
        if reasons:
            flags[incident.source_reference] = (incident.occurred_at, incident.pk, reasons)
        if IncidentReview.objects.filter(incident=incident).exists() or incident.learning_triggers.exists():
            decided.add(incident.source_reference)
    return flags, decided


@pytest.mark.parametrize("seed", SEEDS)
def test_every_reason_status_count_and_page_match_the_reference(seed, provider, north, quality_director):
    thresholds = build(random.Random(seed), provider, north, quality_director)
    flags, decided = reference(thresholds)
    keep = {
        CandidateStatus.ALL: set(flags),
        CandidateStatus.AWAITING: set(flags) - decided,
        CandidateStatus.REVIEWED: set(flags) & decided,
    }
    assert any(ReviewReason.REPEATED in codes for _, _, codes in flags.values()), "data should repeat"
    for status, refs in keep.items():
        for reason in ["", *ReviewReason.values]:
            wanted = {ref for ref in refs if not reason or reason in flags[ref][2]}
            candidates, total = review_candidates(
                quality_director, now=NOW, status=status, reason=reason, limit=10_000
            )
            got = {c.incident.source_reference: c.codes for c in candidates}
            assert got == {ref: flags[ref][2] for ref in wanted}, (status, reason)
            assert total == len(wanted)
        newest = sorted(refs, key=lambda ref: flags[ref][:2], reverse=True)
        for offset in (0, 5):  # the first page of five, and the second
            page, total = review_candidates(quality_director, now=NOW, status=status, limit=5, offset=offset)
            assert [c.incident.source_reference for c in page] == newest[offset : offset + 5]
            assert total == len(refs)
