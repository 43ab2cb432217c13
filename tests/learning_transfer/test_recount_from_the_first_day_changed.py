"""An import, a manual entry or an edit recounts the daily roll-up and the review flags only from the
first London day it changed; flags before that day only look back, so they stay. On generated data,
after new, moved and deleted incidents, that leaves exactly the ServiceDay rows and ReviewFlags of a
recount of everything from the first incident on record, and the repeats of the one-at-a-time rule."""

import random
from datetime import timedelta

import pytest

from learning_transfer.choices import IncidentTheme
from learning_transfer.models import Incident, ReviewFlag, ServiceDay
from learning_transfer.services.rollup import after_data_saved, refresh_provider

from .conftest import LONDON
from .test_review_flags_match_reference import NOW, SEEDS, THEMES, build, repeated

pytestmark = pytest.mark.django_db


def stored() -> dict:
    flags = ReviewFlag.objects.values_list(
        "incident_id", "service_id", "occurred_at", "serious_harm", "repeated", "safeguarding", "regulatory"
    )
    days = ServiceDay.objects.values_list("service_id", "day", "incidents", "care_hours")
    return {"flags": sorted(flags), "days": sorted(days)}


def change(rng, services) -> list:
    """Add, move and delete incidents in the last 40 days (a trickle and a burst); return the
    instants touched, old and new."""
    touched = []
    for n in range(rng.randint(15, 40)):
        at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 40))
        Incident.objects.create(
            service=rng.choice(services),
            source_reference=f"NEW-{n}",
            occurred_at=at,
            theme=rng.choice(THEMES),
        )
        touched.append(at)
    recent = list(Incident.objects.filter(occurred_at__gte=NOW - timedelta(days=40)).order_by("pk"))
    for incident in rng.sample(recent, 5):  # moved later or earlier, within the 40 days
        touched.append(incident.occurred_at)
        incident.occurred_at = max(
            NOW - timedelta(days=40), incident.occurred_at + timedelta(hours=rng.randint(-200, 200))
        )
        incident.occurred_at = min(incident.occurred_at, NOW)
        incident.save()
        touched.append(incident.occurred_at)
    for incident in rng.sample([i for i in recent if i.theme != IncidentTheme.CHOKING], 3):
        touched.append(incident.occurred_at)
        incident.delete()
    return touched


@pytest.mark.parametrize("seed", SEEDS)
def test_recounting_from_the_first_day_changed_equals_recounting_everything(
    seed, provider, north, quality_director
):
    rng = random.Random(seed)
    thresholds = build(rng, provider, north, quality_director)
    services = list(provider.services.all())
    before = stored()
    touched = change(rng, services)
    days = [at.astimezone(LONDON).date() for at in touched]
    after_data_saved([s.pk for s in services], min(days), max(days))
    from_the_first_day = stored()

    refresh_provider(provider)  # everything, from the first incident on record
    assert from_the_first_day == stored()
    repeats = repeated(list(Incident.objects.all()), thresholds.repeat_count, thresholds.repeat_window_days)
    assert {flag[0] for flag in from_the_first_day["flags"] if flag[4]} == repeats
    # The data is such that the recount had flags to keep before the first day, and some to change.
    kept = [flag for flag in before["flags"] if flag[2].astimezone(LONDON).date() < min(days)]
    assert any(flag[4] for flag in kept)
    assert from_the_first_day["flags"] != before["flags"]
