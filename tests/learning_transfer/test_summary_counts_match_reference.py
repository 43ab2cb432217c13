"""The executive summary's figures, counted by the database, agree with a plain count over the rows on
generated data.

Each seed builds a provider whose triggers are issued or not, open or closed, in either region, with
included and left-out services of every risk level; their notices come in one to three rounds, some
acknowledged exactly at the receipt deadline or a minute either side of it, some without an owner or a
due date. Its services then record incidents and care hours (some days none, some zero) over the weeks
around every issue, saved as an import saves them, which the trend counts. The reference below is
written the long way: one trigger, one service, one notice, one day at a time.
"""

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from learning_transfer.choices import TriggerStatus
from learning_transfer.models import (
    CareHours,
    ImplementationLead,
    Incident,
    LearningNotice,
    LearningTrigger,
    MatchedService,
)
from learning_transfer.services import summary as summary_service
from learning_transfer.services.notices import refresh_notice_figures
from learning_transfer.services.rollup import after_data_saved
from learning_transfer.services.summary import SummaryFilters, executive_summary, per_trigger
from providers.choices import RiskLevel, RiskTag
from tests.factories import ServiceFactory

from .conftest import LONDON
from .receipt_reference import received_in_time

pytestmark = pytest.mark.django_db
SEEDS = [1, 2, 3, 4]
NOW = datetime(2026, 12, 31, 12, 0, tzinfo=LONDON)
RECEIPT_HOURS = 4  # the summary's window


def build(seed, provider, north, south, by):
    """Random triggers, matches, leads and notices; returns them as plain rows for the reference."""
    rng = random.Random(seed)
    services = [
        ServiceFactory(region=rng.choice([north, south]), risk_level=rng.choice(RiskLevel.values))
        for _ in range(rng.randint(4, 7))
    ]
    triggers, matches, notices = [], [], []
    for n in range(rng.randint(5, 9)):
        days_ago = rng.randrange(200)
        days_ago = 1 if n == 0 else days_ago  # one recent trigger: implementation not yet due somewhere
        confirmed = NOW - timedelta(days=days_ago, minutes=n)  # never two at the same instant
        issued = confirmed + timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.75 else None
        trigger = LearningTrigger.objects.create(
            provider=provider,
            title=f"Generated {n}",
            source_service=rng.choice(services),
            theme=rng.choice(["fall", "medication"]),
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=confirmed,
            notices_issued_at=issued,
            status=rng.choice(TriggerStatus.values) if issued else TriggerStatus.LOGGED,
            logged_by=by,
        )
        triggers.append(trigger)
        for service in rng.sample(services, rng.randint(0, len(services))):
            match = MatchedService.objects.create(
                trigger=trigger,
                service=service,
                included=rng.random() < 0.85,
                implementation_confirmed_at=confirmed + timedelta(days=2) if rng.random() < 0.4 else None,
            )
            match.has_lead = rng.random() < 0.6
            if match.has_lead:
                ImplementationLead.objects.create(
                    matched_service=match, person=by, confirmed_at=confirmed, confirmed_by=by
                )
            matches.append(match)
            if issued:
                notices += make_notices(rng, match, issued, by)
    refresh_notice_figures([match.pk for match in matches])  # as every write of a notice does
    daily = record_days(rng, services)
    return triggers, matches, notices, daily


def record_days(rng, services):
    """Incidents and care hours at every service over the days the trend reads, saved as an import
    saves them (the daily roll-up recounted). Returns {(service id, London day): [incidents, hours]}."""
    first = NOW.date() - timedelta(days=240)
    daily, incidents, hours = {}, [], []
    for service in services:
        for offset in range(241):
            day = first + timedelta(days=offset)
            figures = daily.setdefault((service.pk, day), [0, Decimal(0)])
            if rng.random() < 0.85:  # some days have no figure at all, some a zero
                figures[1] = Decimal(rng.choice([0, rng.randint(1, 30000)])) / 100
                hours.append(CareHours(service=service, day=day, hours=figures[1]))
            for n in range(rng.choice([0, 0, 1, 2])):
                minute = rng.choice([0, 24 * 60 - 1, rng.randrange(24 * 60)])  # at midnight too
                at = datetime(day.year, day.month, day.day, tzinfo=LONDON) + timedelta(minutes=minute)
                incidents.append(
                    Incident(service=service, source_reference=f"D{day}-{n}", occurred_at=at, theme="fall")
                )
                figures[0] += 1
    Incident.objects.bulk_create(incidents)
    CareHours.objects.bulk_create(hours)
    after_data_saved([service.pk for service in services], first, NOW.date())
    return daily


def make_notices(rng, match, issued, by):
    """One to three rounds; each earlier round superseded by the next."""
    first = issued + timedelta(hours=rng.choice([0, 0, 5]))  # a service added after the first issue
    rounds = []
    for number in range(1, rng.randint(1, 3) + 1):
        at = first + timedelta(hours=6 * (number - 1))
        window = timedelta(hours=RECEIPT_HOURS)
        # Around the service's own deadline (first notice + window), seen from this round's issue.
        around = first + window - at + timedelta(minutes=rng.choice([-1, 0, 1]))
        acknowledged = rng.choice([None, at + timedelta(minutes=30), at + around, at + timedelta(hours=30)])
        rounds.append(
            LearningNotice(
                matched_service=match,
                round=number,
                owner=by if rng.random() < 0.8 else None,
                issued_at=at,
                issued_by=by,
                due_at=at + timedelta(hours=72) if rng.random() < 0.8 else None,
                acknowledged_at=acknowledged if acknowledged is None or acknowledged >= at else None,
            )
        )
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        earlier.superseded_at = later.issued_at
    return LearningNotice.objects.bulk_create(rounds)


def in_scope(triggers, matches, filters):
    """The filtered triggers and their included matches in scope, the long way."""
    days = {"30": 30, "90": 90, "365": 365, "all": None}[filters.period]
    chosen = []
    for trigger in triggers:
        if filters.theme and trigger.theme != filters.theme:
            continue
        if days and trigger.confirmed_at < NOW - timedelta(days=days):
            continue
        # A region keeps the triggers with an included matched service there, wherever their source.
        if filters.region:
            in_region = [
                m
                for m in matches
                if m.trigger_id == trigger.pk and m.included and m.service.region_id == filters.region.pk
            ]
            if not in_region:
                continue
        chosen.append(trigger)
    ids = {t.pk for t in chosen}
    kept = [
        m
        for m in matches
        if m.trigger_id in ids
        and m.included
        and (not filters.region or m.service.region_id == filters.region.pk)
    ]
    return chosen, kept


def left_out_after_notice(chosen, matches, notices, filters):
    """{trigger id: its matches in scope left out after a notice went to them}, the long way: a
    service sent the learning still counts in receipt once left out."""
    sent = {n.matched_service_id for n in notices}
    found = {t.pk: [] for t in chosen}
    for m in matches:
        in_region = not filters.region or m.service.region_id == filters.region.pk
        if m.trigger_id in found and not m.included and m.pk in sent and in_region:
            found[m.trigger_id].append(m)
    return found


def received(match, notices, hours):
    """Acknowledged, in any round, within `hours` of the service's own first notice."""
    own = [(n.issued_at, n.acknowledged_at) for n in notices if n.matched_service_id == match.pk]
    return received_in_time(own, hours)


def receipt_pending(match, notices, hours):
    """Not received yet while the service's own receipt window (from its first notice) is still open."""
    first = min((n.issued_at for n in notices if n.matched_service_id == match.pk), default=None)
    window_open = first is not None and first + timedelta(hours=hours) > NOW
    return window_open and not received(match, notices, hours)


def implementation_pending(match, notices):
    """Not verified yet while its current notice's implementation due date is still to come."""
    current = [n for n in notices if n.matched_service_id == match.pk and n.superseded_at is None]
    due_later = bool(current) and current[0].due_at is not None and current[0].due_at > NOW
    return match.implementation_confirmed_at is None and due_later


def ownership_defect(match, notices):
    current = [n for n in notices if n.matched_service_id == match.pk and n.superseded_at is None]
    return not current or current[0].owner_id is None or current[0].due_at is None or not match.has_lead


def reference_trend(issued_matches, daily) -> dict:
    """{week: (incidents, care hours)} over the issued matches, a service's week counted only when it
    has care hours that week; week -1 is the 7 London days before the issue day, week 1 starts on it."""
    totals = {week: [0, Decimal(0)] for week in (-4, -3, -2, -1, 1, 2, 3, 4)}
    for match in issued_matches:
        issue_day: date = match.trigger.notices_issued_at.astimezone(LONDON).date()
        for week, total in totals.items():
            start = issue_day + timedelta(days=7 * week if week < 0 else 7 * (week - 1))
            days = [daily.get((match.service_id, start + timedelta(days=n)), [0, 0]) for n in range(7)]
            week_hours = sum((hours for _, hours in days), Decimal(0))
            if week_hours > 0:
                total[0] += sum(incidents for incidents, _ in days)
                total[1] += week_hours
    return {week: (count, float(hours)) for week, (count, hours) in totals.items()}


def tenths(exact: Fraction) -> float:
    """An exact percentage to one decimal place, a half rounded up, as a person rounds it."""
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def reference(triggers, matches, notices, daily, filters, hours=RECEIPT_HOURS):
    """Every figure the database counts, one row at a time."""
    chosen, kept = in_scope(triggers, matches, filters)
    by_trigger = {t.pk: [m for m in kept if m.trigger_id == t.pk] for t in chosen}
    issued = [t for t in chosen if t.notices_issued_at and by_trigger[t.pk]]
    # Each trigger's rate is over its services whose implementation is due (or verified).
    due = {pk: [m for m in ms if not implementation_pending(m, notices)] for pk, ms in by_trigger.items()}
    exact = {
        pk: Fraction(sum(1 for m in ms if m.implementation_confirmed_at) * 100, len(ms))
        for pk, ms in due.items()
        if ms
    }
    rates = {pk: tenths(rate) for pk, rate in exact.items()}
    issued_matches = [m for t in issued for m in by_trigger[t.pk]]
    left_out = left_out_after_notice(chosen, matches, notices, filters)
    # Receipt is judged over these (a trigger with no service included now has no counts at all).
    sent = {pk: by_trigger[pk] + left_out[pk] if by_trigger[pk] else [] for pk in by_trigger}
    receivers = [m for t in issued for m in sent[t.pk]]
    current = [n for n in notices if n.superseded_at is None and n.matched_service_id in {m.pk for m in kept}]
    last_two = sorted(issued, key=lambda t: t.confirmed_at)[-2:]
    repeated = set()
    if len(last_two) == 2:
        for service_id in {m.service_id for m in by_trigger[last_two[0].pk]}:
            pair = [next((m for m in by_trigger[t.pk] if m.service_id == service_id), None) for t in last_two]
            if None in pair:
                continue
            name = pair[0].service.name
            if all(not received(m, notices, hours) and not receipt_pending(m, notices, hours) for m in pair):
                repeated.add((name, "distribution"))
            if all(ownership_defect(m, notices) for m in pair):
                repeated.add((name, "ownership"))
    lacking = [
        m
        for m in kept
        if m.service.risk_level == RiskLevel.HIGH
        and m.implementation_confirmed_at is None
        and m.trigger.status != TriggerStatus.CLOSED
        and m.trigger.notices_issued_at is not None  # learning never issued asks nothing yet
    ]
    issued_rates = [exact[t.pk] for t in issued if t.pk in exact]
    return {
        "trigger_count": len(chosen),
        # Every trigger whose learning was issued, as its row's status says, matched services or none.
        "issued_triggers": sum(1 for t in chosen if t.notices_issued_at),
        "avg_confirmation_rate": tenths(sum(issued_rates) / len(issued_rates)) if issued_rates else None,
        "services_issued": sum(1 for m in receivers if not receipt_pending(m, notices, hours)),
        "services_receipt_not_yet_due": sum(1 for m in receivers if receipt_pending(m, notices, hours)),
        "services_implementation_not_yet_due": sum(
            1 for m in issued_matches if implementation_pending(m, notices)
        ),
        "services_received_in_time": sum(1 for m in receivers if received(m, notices, hours)),
        "notices_current": len(current),
        "notices_acknowledged": sum(1 for n in current if n.acknowledged_at),
        "repeated_defects": repeated,
        "high_risk_lacking_count": len(lacking),
        "trend": reference_trend(issued_matches, daily),
        "trigger_rows": [
            (
                t.pk,
                len(by_trigger[t.pk]),
                sum(1 for m in by_trigger[t.pk] if m.implementation_confirmed_at),
                # Learning not issued has no rate and no receipt yet (not a 0% one).
                rates.get(t.pk) if t.notices_issued_at else None,
                sum(1 for m in sent[t.pk] if received(m, notices, hours)) if t.notices_issued_at else None,
            )
            for t in sorted(chosen, key=lambda t: (t.confirmed_at, t.pk), reverse=True)
        ],
    }


def counted(summary):
    """The summary's figures in the reference's shape."""
    return {
        **{key: summary[key] for key in REFERENCE_KEYS},
        "repeated_defects": {(d["service"], d["defect"]) for d in summary["repeated_defects"]},
        "trend": {row["week"]: (row["incidents"], row["care_hours"]) for row in summary["trend"]},
        "trigger_rows": [
            (r["trigger"].pk, r["services"], r["confirmed"], r["rate"], r["received_in_time"])
            for r in summary["trigger_rows"]
        ],
    }


REFERENCE_KEYS = [
    "trigger_count",
    "issued_triggers",
    "avg_confirmation_rate",
    "services_issued",
    "services_received_in_time",
    "services_receipt_not_yet_due",
    "services_implementation_not_yet_due",
    "notices_current",
    "notices_acknowledged",
    "high_risk_lacking_count",
]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_summary_figures_match_a_count_over_the_rows(seed, provider, north, south, nominated_individual):
    triggers, matches, notices, daily = build(seed, provider, north, south, nominated_individual)
    for filters in (
        SummaryFilters(period="all"),
        SummaryFilters(period="90"),
        SummaryFilters(region=north, period="all"),
        SummaryFilters(region=south, theme="fall", period="365"),
    ):
        summary = executive_summary(provider, filters, NOW)
        expected = reference(triggers, matches, notices, daily, filters)
        assert counted(summary) == expected, filters
        shown = [item["service"] for item in summary["high_risk_lacking"]]
        assert len(shown) + summary["high_risk_lacking_more"] == expected["high_risk_lacking_count"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("hours", [1, 4, 24])
def test_receipt_in_time_is_counted_within_the_window_given(
    seed, hours, provider, north, south, nominated_individual
):
    triggers, matches, notices, _ = build(seed, provider, north, south, nominated_individual)
    scope = MatchedService.objects.filter(trigger__provider=provider, included=True)
    expected = {}
    for match in matches:
        if match.included and received(match, notices, hours):
            expected[match.trigger_id] = expected.get(match.trigger_id, 0) + 1
    frame = per_trigger(scope, hours, NOW).set_index("trigger_id")
    issued = {t.pk for t in triggers if t.notices_issued_at}
    assert frame["received"].to_dict() == {
        pk: expected.get(pk, 0) if pk in issued else 0 for pk in frame.index
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_the_newest_triggers_shown_are_the_newest_the_filters_keep(
    seed, monkeypatch, provider, north, south, nominated_individual
):
    # The page shows only the newest few of a large provider's triggers: here 2, so a region's newest
    # come from its source services' triggers and its matched services' triggers together.
    monkeypatch.setattr(summary_service, "SHOWN_TRIGGERS", 2)
    triggers, matches, notices, daily = build(seed, provider, north, south, nominated_individual)
    for filters in (SummaryFilters(period="all"), SummaryFilters(region=north), SummaryFilters(region=south)):
        summary = executive_summary(provider, filters, NOW)
        expected = reference(triggers, matches, notices, daily, filters)
        assert counted(summary)["trigger_rows"] == expected["trigger_rows"][:2], filters
        assert summary["trigger_count"] == expected["trigger_count"]
