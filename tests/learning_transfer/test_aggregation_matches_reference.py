"""Rates, medians, A1 decisions and the summary trend, computed from incidents the database counts per
service and day, agree with a plain count of the raw incidents on generated data.

Each seed builds a provider whose incidents fall at random instants (around midnight and across the
October clock change too) and whose care hours are random, sometimes zero, sometimes missing. The
reference below is written the long way: one incident, one day, one sum at a time.
"""

import math
import random
import statistics
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from learning_transfer import analysis
from learning_transfer.models import CareHours, Incident, LearningTrigger, MatchedService
from learning_transfer.services import data
from learning_transfer.services.rollup import after_data_saved
from learning_transfer.services.summary import SummaryFilters, executive_summary
from learning_transfer.services.trend import refresh_trend_figures
from providers.choices import RiskTag
from tests.factories import ServiceFactory

from .conftest import LONDON
from .test_rates_and_median import seed_a1_step

pytestmark = pytest.mark.django_db
FIRST_DAY = date(2026, 9, 20)  # five weeks before the clocks go back (25 October 2026) …
DAYS = 70  # … and five weeks after
SEEDS = [1, 2, 3]


def build(seed, north):
    """Services with random incidents and care hours; returns (services, incidents, care hours) as
    plain Python rows: (service id, aware instant) and {(service id, day): Decimal hours}."""
    rng = random.Random(seed)
    services = [ServiceFactory(region=north, tags=[RiskTag.FALLS]) for _ in range(rng.randint(4, 7))]
    incidents, hours = [], {}
    for service in services:
        for n in range(rng.randint(0, 120)):
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            minute = rng.choice([0, 1, 59, 60 * 23 + 59, rng.randrange(24 * 60)])  # near midnight often
            at = datetime(day.year, day.month, day.day, tzinfo=LONDON) + timedelta(minutes=minute)
            incidents.append(
                Incident(service=service, source_reference=f"G{n}", occurred_at=at, theme="fall")
            )
        for offset in range(DAYS):
            if rng.random() < 0.8:  # some days have no figure at all
                value = Decimal(rng.choice([0, rng.randint(1, 40000)])) / 100
                hours[(service.pk, FIRST_DAY + timedelta(days=offset))] = value
    Incident.objects.bulk_create(incidents)
    CareHours.objects.bulk_create(CareHours(service_id=s, day=d, hours=h) for (s, d), h in hours.items())
    after_data_saved([s.pk for s in services])  # the daily roll-up every figure is read from
    rows = [(i.service_id, i.occurred_at) for i in incidents]
    return services, rows, hours


def reference_rates(services, incidents, hours, first, last):
    """{service id: (incidents, care hours, rate or None)} counted one incident at a time."""
    result = {}
    for service in services:
        days = [at.astimezone(LONDON).date() for s, at in incidents if s == service.pk]
        count = sum(1 for day in days if first <= day <= last)
        total = sum((h for (s, d), h in hours.items() if s == service.pk and first <= d <= last), Decimal(0))
        rate = round(count * 100 / float(total), analysis.RATE_DECIMALS) if total else None
        result[service.pk] = (count, total, rate)
    return result


def database_rates(services, first, last):
    frame = data.services_frame(services[0].provider)[["service_id", "name"]]
    scope = {"pk__in": [s.pk for s in services]}
    incidents, care_hours = data.daily_figures(scope, first, last)
    return analysis.incident_rates(frame, incidents, care_hours, first, last)


@pytest.mark.parametrize("seed", SEEDS)
def test_rates_medians_and_a1_decisions_match_a_count_of_the_raw_incidents(seed, north):
    services, incidents, hours = build(seed, north)
    rng = random.Random(seed)
    for _ in range(5):
        first = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 7))
        last = first + timedelta(days=6)
        expected = reference_rates(services, incidents, hours, first, last)
        rates = database_rates(services, first, last)
        for row in rates.itertuples():
            count, total, rate = expected[row.service_id]
            assert (row.incidents, round(Decimal(row.care_hours), 2)) == (count, total)
            assert (None if math.isnan(row.rate) else row.rate) == pytest.approx(rate, abs=1e-6)

        known = [rate for _, _, rate in expected.values() if rate is not None]
        median = round(statistics.median(known), analysis.RATE_DECIMALS) if known else None
        assert analysis.provider_median(rates) == median

        matched_ids = rng.sample([s.pk for s in services], rng.randint(0, len(services)))
        flagged = analysis.flag_above_median(rates, median).set_index("service_id").loc[matched_ids]
        decision = analysis.a1_decision(flagged, median, *seed_a1_step())
        above = [pk for pk in matched_ids if median is not None and (expected[pk][2] or -1) > median]
        assert decision.above_median_count == len(above)
        assert decision.mandatory == (len(matched_ids) > 2 and len(above) > 0)


def reference_trend(pairs, incidents, hours, weeks=4):
    """{week: (incidents, care hours)} pooled over (trigger, service, issue day) pairs, counting a
    service's week only when it has care hours that week."""
    totals = {w: [0, Decimal(0)] for w in range(-weeks, weeks + 1) if w}
    for _, service_id, issued_day in pairs:
        for week in totals:
            start = issued_day + timedelta(days=7 * week if week < 0 else 7 * (week - 1))
            days = {start + timedelta(days=n) for n in range(7)}
            week_hours = sum((hours.get((service_id, d), Decimal(0)) for d in days), Decimal(0))
            if week_hours > 0:
                totals[week][0] += sum(
                    1 for s, at in incidents if s == service_id and at.astimezone(LONDON).date() in days
                )
                totals[week][1] += week_hours
    return totals


def issue_triggers(rng, services, provider, by):
    """A few issued triggers, each matched to a random set of services; returns the (trigger, service,
    issue day) pairs."""
    pairs, matches = [], []
    for n in range(rng.randint(1, 4)):
        late_evening = datetime(2026, 10, 10, 23, 30, tzinfo=LONDON)
        issued = late_evening + timedelta(days=rng.randrange(30), minutes=45 * n)
        trigger = LearningTrigger.objects.create(
            provider=provider,
            title=f"Generated {n}",
            source_service=services[0],
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=issued - timedelta(hours=2),
            notices_issued_at=issued,
            status="issued",
            logged_by=by,
        )
        for service in rng.sample(services, rng.randint(1, len(services))):
            matches.append(MatchedService.objects.create(trigger=trigger, service=service).pk)
            pairs.append((trigger.pk, service.pk, issued.astimezone(LONDON).date()))
    refresh_trend_figures(matches)  # as issuing the learning, or adding a service after, does
    return pairs


@pytest.mark.parametrize("seed", SEEDS)
def test_the_summary_trend_matches_a_count_of_the_raw_incidents(seed, north, provider, nominated_individual):
    services, incidents, hours = build(seed, north)
    pairs = issue_triggers(random.Random(seed), services, provider, nominated_individual)
    now = datetime(2026, 12, 31, 12, 0, tzinfo=LONDON)
    trend = executive_summary(provider, SummaryFilters(period="all"), now)["trend"]
    expected = reference_trend(pairs, incidents, hours)
    for row in trend:
        count, total = expected[row["week"]]
        assert (row["incidents"], row["care_hours"]) == (count, pytest.approx(float(total)))
        rate = round(count * 100 / float(total), 3) if total else None
        assert (None if math.isnan(row["rate"]) else row["rate"]) == pytest.approx(rate, abs=1e-3)
