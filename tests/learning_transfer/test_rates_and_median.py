"""Rates per 100 care hours, the provider median and the A1 decision, on hand-worked numbers.

No database: these are the pandas functions the matching step calls.
"""

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from escalation.loading import read_fixture
from learning_transfer import analysis
from learning_transfer.models import MatchedService

FIRST, LAST = date(2026, 11, 11), date(2026, 11, 17)
DAYS = [FIRST + timedelta(days=n) for n in range(7)]


def frames(hours_per_day: dict, incidents: dict):
    services = pd.DataFrame({"service_id": list(hours_per_day), "name": [f"S{i}" for i in hours_per_day]})
    care = pd.DataFrame(
        [(sid, day, float(h)) for sid, h in hours_per_day.items() if h is not None for day in DAYS],
        columns=["service_id", "day", "hours"],
    )
    # Incidents arrive counted per service and day, as the database groups them.
    rows = [(sid, date(2026, 11, 12), n) for sid, n in incidents.items() if n]
    return services, pd.DataFrame(rows, columns=["service_id", "day", "incidents"]), care


def test_the_rate_is_incidents_per_100_care_hours_over_the_window():
    services, incidents, care = frames({1: 100, 2: 200}, {1: 7, 2: 7})
    rates = analysis.incident_rates(services, incidents, care, FIRST, LAST).set_index("service_id")
    # 7 incidents in 7 x 100 = 700 hours is 1 per 100 care hours; in 1,400 hours it is 0.5.
    assert rates.at[1, "care_hours"] == 700 and rates.at[1, "rate"] == 1.0
    assert rates.at[2, "care_hours"] == 1400 and rates.at[2, "rate"] == 0.5


def test_a_service_with_no_incidents_has_a_rate_of_zero():
    services, incidents, care = frames({1: 100}, {})
    rates = analysis.incident_rates(services, incidents, care, FIRST, LAST)
    assert rates.loc[0, "incidents"] == 0 and rates.loc[0, "rate"] == 0.0


def test_a_service_with_zero_care_hours_has_no_rate_and_is_left_out_of_the_median():
    services, incidents, care = frames({1: 100, 2: None, 3: 0}, {1: 7, 2: 2, 3: 1})
    rates = analysis.incident_rates(services, incidents, care, FIRST, LAST).set_index("service_id")
    assert math.isnan(rates.at[2, "rate"])  # no care-hours rows at all
    assert math.isnan(rates.at[3, "rate"])  # care hours recorded as 0
    assert analysis.provider_median(rates.reset_index()) == 1.0  # only service 1 has a rate


def test_incidents_and_hours_outside_the_window_do_not_count():
    services, incidents, care = frames({1: 100}, {1: 1})
    incidents.loc[len(incidents)] = [1, date(2026, 11, 18), 1]  # the day of confirmation
    incidents.loc[len(incidents)] = [1, date(2026, 11, 10), 1]  # 8 days before
    rates = analysis.incident_rates(services, incidents, care, FIRST, LAST)
    assert rates.loc[0, "incidents"] == 1


def test_the_window_is_the_7_whole_days_before_the_day_of_confirmation():
    confirmed = datetime(2026, 11, 18, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    assert analysis.rate_window(confirmed) == (FIRST, LAST)


def test_the_median_of_an_even_number_of_rates_is_the_mean_of_the_middle_two():
    rates = pd.DataFrame({"rate": [0.0, 0.5, 1.5, 2.0]})
    assert analysis.provider_median(rates) == 1.0


def test_a_rate_equal_to_the_median_is_not_above_it():
    rates = pd.DataFrame({"rate": [0.0, 0.5, 1.0, 1.0, 2.0]})
    median = analysis.provider_median(rates)
    flagged = analysis.flag_above_median(rates, median)
    assert median == 1.0
    assert flagged["above_median"].tolist() == [False, False, False, False, True]


def test_equal_rates_reached_by_different_fractions_still_tie():
    # 1/3 per 100 hours computed two ways must compare equal, not differ by float noise.
    services, incidents, care = frames({1: 300 / 7, 2: 600 / 7, 3: 900 / 7}, {1: 1, 2: 2, 3: 3})
    rates = analysis.incident_rates(services, incidents, care, FIRST, LAST)
    median = analysis.provider_median(rates)
    assert not analysis.flag_above_median(rates, median)["above_median"].any()


def test_no_rate_at_all_means_no_median_and_nothing_above_it():
    rates = pd.DataFrame({"rate": [float("nan"), float("nan")]})
    assert analysis.provider_median(rates) is None
    assert not analysis.flag_above_median(rates, None)["above_median"].any()


def seed_a1_step():
    """A1's threshold rule and measures exactly as the chain fixture states them."""
    (chain_a,) = [chain for chain in read_fixture() if chain["code"] == "A"]
    return chain_a["steps"][0]["threshold_rule"], chain_a["steps"][0]["measures"]


def decide(rates, median):
    return analysis.a1_decision(matched(rates, median), median, *seed_a1_step())


def matched(rates, median):
    return analysis.flag_above_median(pd.DataFrame({"rate": rates}), median)


def test_a1_mandatory_learning_needs_more_than_two_matches_and_one_above_the_median():
    decision = decide([1.2, 0.5, 0.0], 1.0)
    assert decision.matched_count == 3 and decision.above_median_count == 1 and decision.mandatory
    assert "Mandatory learning must be issued today" in decision.explanation


def test_a1_two_matches_are_not_enough_even_far_above_the_median():
    decision = decide([5.0, 4.0], 1.0)
    assert decision.above_median_count == 2 and not decision.mandatory


def test_a1_many_matches_at_or_below_the_median_are_not_mandatory():
    decision = decide([1.0, 1.0, 0.5, float("nan")], 1.0)
    assert decision.matched_count == 4 and decision.above_median_count == 0 and not decision.mandatory


def test_a1_without_a_provider_median_is_never_mandatory():
    decision = decide([2.0, 1.0, 0.5], None)
    assert decision.matched_count == 3 and not decision.mandatory
    assert "no provider median" in decision.explanation


@pytest.mark.parametrize(
    ("rates", "median"),
    [
        ([1.2, 0.5, 0.0], 1.0),
        ([5.0, 4.0], 1.0),
        ([1.0, 1.0, 0.5, float("nan")], 1.0),
        ([2.0, 1.0], None),
        ([], 1.0),
    ],
)
def test_a1_decided_from_counted_figures_is_decided_as_from_the_frame(rates, median):
    """The trigger's page counts its services itself (a1_decision_of): the same decision, word for word."""
    frame = matched(rates, median).set_axis([f"Service {n}" for n in range(len(rates))])
    counted = analysis.a1_decision_of(
        len(rates),
        {f"Service {n}": rate for n, rate in enumerate(rates) if not math.isnan(rate)},
        int(frame["above_median"].sum()) if rates else 0,
        median,
        *seed_a1_step(),
    )
    assert counted == analysis.a1_decision(frame, median, *seed_a1_step())
    assert counted.explanation == analysis.a1_decision(frame, median, *seed_a1_step()).explanation


def test_matching_needs_a_shared_tag_and_the_same_type_and_never_returns_the_source():
    services = pd.DataFrame(
        {
            "service_id": [1, 2, 3, 4, 5],
            "name": ["Source", "Same", "OtherType", "NoTag", "Both"],
            "service_type": ["residential", "residential", "home_care", "residential", "residential"],
            "tags": [["falls"], ["falls"], ["falls"], ["medication"], ["falls", "medication"]],
        }
    )
    same_type = analysis.matching_services(services, 1, ["falls"], same_type_only=True)
    assert same_type["name"].tolist() == ["Same", "Both"]
    any_type = analysis.matching_services(services, 1, ["falls", "medication"], same_type_only=False)
    assert any_type["name"].tolist() == ["Same", "OtherType", "NoTag", "Both"]
    assert any_type.set_index("name").at["Both", "shared_tags"] == ["falls", "medication"]


def test_the_receipt_clock_starts_at_each_services_own_first_notice_and_never_restarts():
    london = ZoneInfo("Europe/London")
    first = datetime(2026, 11, 18, 10, 30, tzinfo=london)  # the trigger's first issue
    added = first + timedelta(hours=5)  # a service added later gets its round-1 notice here
    # What each match keeps of its notices: its first notice and its first acknowledgement, any round.
    kept = {
        # issued at the first issue, acknowledged at exactly 4 hours: in time
        1: MatchedService(first_notice_at=first, first_acknowledged_at=first + timedelta(hours=4)),
        # added later, acknowledged 10 minutes after its own notice: in time
        2: MatchedService(first_notice_at=added, first_acknowledged_at=added + timedelta(minutes=10)),
        # added later, acknowledged 4 h 1 min after its own notice: late
        3: MatchedService(first_notice_at=added, first_acknowledged_at=added + timedelta(hours=4, minutes=1)),
        # round 1 unacknowledged, round 2 (redistribution, 5 hours on) acknowledged 10 minutes later:
        # the clock does not restart, so it is late
        4: MatchedService(first_notice_at=first, first_acknowledged_at=added + timedelta(minutes=10)),
    }
    assert kept[2].receipt_deadline(4) == added + timedelta(hours=4)
    assert kept[4].receipt_deadline(4) == first + timedelta(hours=4)
    assert MatchedService().receipt_deadline(4) is None, "no notice yet: no clock"
    received = {pk: match.received_within(4) for pk, match in kept.items()}
    assert received == {1: True, 2: True, 3: False, 4: False}


def test_without_care_hours_the_decision_says_there_is_no_median():
    """Found by a tester: "2 matched services, 0 above the no provider median (no care hours recorded)"."""
    decision = decide([None, None], None)
    assert decision.grounds.startswith("2 matched services; no provider median (no care hours recorded). ")
