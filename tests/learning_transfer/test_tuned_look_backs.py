"""A1's working days and look-back, A2's receipt window and sample size, and A5's learning cycles are
measure parameters a provider tunes: matching, redistribution, the executive summary, the step text and
every label and page follow the tuned value, and a value out of range is refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import computations
from learning_transfer import chain
from learning_transfer.models import ImplementationLine, LearningNotice
from learning_transfer.services import acknowledge_notice, issue_notices, match_services, redistribute
from learning_transfer.services.summary import SummaryFilters, executive_summary

from .conftest import CONFIRMED, add_incidents

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
NOW = CONFIRMED + timedelta(days=3)


def label(step_run, name: str) -> str:
    return next(m["label"] for m in step_run.measures if m["name"] == name)


# --- A1: open actions due within N working days, rates over the previous N days ---------------------


@pytest.fixture
def open_lines(falls_provider):
    """Ash Grove's open lines: one due Friday 20 November (the 2nd working day after confirmation on
    Wednesday 18th), one due Tuesday 24th (the 4th)."""
    ash = falls_provider["ash"]
    for due in (CONFIRMED + timedelta(days=2), CONFIRMED + timedelta(days=6)):
        ImplementationLine.objects.create(service=ash, task="Check sensor mats", due_at=due)


@pytest.fixture
def earlier_falls(falls_provider):
    """Beech Lodge: 7 more falls on 8 November, the week before the 7-day window (no care hours
    recorded that week, so over 14 days its rate doubles)."""
    add_incidents(falls_provider["beech"], 7, day=date(2026, 11, 8), prefix="earlier")


def test_a1_counts_open_actions_and_rates_over_the_tuned_working_days_and_look_back(
    tune, log_falls_trigger, open_lines, earlier_falls
):
    tune("A1", {"open_actions_due_5d": {"working_days": 3}, "matched_service_rates": {"days": 14}})
    trigger = log_falls_trigger()
    a1 = chain.step_run(trigger, "A1")
    assert label(a1, "open_actions_due_5d") == (
        "Open action lines due within the next 3 working days in matched services"
    )
    assert label(a1, "matched_service_rates") == (
        "Incident rate per 100 care hours in the previous 14 days, for each matched service"
    )
    assert (trigger.open_actions_working_days, trigger.rate_days) == (3, 14)
    assert trigger.rates_first_day == date(2026, 11, 4)
    figures = computations.compute(a1, CONFIRMED)
    assert figures.failures == {}
    assert figures.values["open_actions_due_5d"] == 1  # the line due on the 4th working day is not
    assert figures.values["matched_service_rates"]["Beech Lodge"] == 1.0  # 14 falls / 1,400 hours


def test_a_look_back_of_one_reads_in_the_singular(tune, log_falls_trigger):
    tune("A1", {"open_actions_due_5d": {"working_days": 1}, "matched_service_rates": {"days": 1}})
    a1 = chain.step_run(log_falls_trigger(), "A1")
    assert label(a1, "open_actions_due_5d") == (
        "Open action lines due within the next 1 working day in matched services"
    )
    assert label(a1, "matched_service_rates") == (
        "Incident rate per 100 care hours in the previous 1 day, for each matched service"
    )


def test_a1_counts_five_working_days_and_seven_days_by_default(log_falls_trigger, open_lines, earlier_falls):
    trigger = log_falls_trigger()
    a1 = chain.step_run(trigger, "A1")
    assert "within the next 5 working days" in label(a1, "open_actions_due_5d")
    assert (trigger.open_actions_working_days, trigger.rate_days) == (5, 7)
    values = computations.compute(a1, CONFIRMED).values
    assert values["open_actions_due_5d"] == 2
    assert values["matched_service_rates"]["Beech Lodge"] == 0.5


def test_matching_again_keeps_the_cases_values_and_the_figure_says_when_they_differ(
    tune, log_falls_trigger, open_lines
):
    trigger = log_falls_trigger()  # the case runs with 5 working days
    tune("A1", {"open_actions_due_5d": {"working_days": 3}})  # later tuning: new cases only
    engine_a1 = chain.step_run(trigger, "A1")
    match_services(trigger)
    trigger.refresh_from_db()
    assert trigger.open_actions_working_days == 5
    assert computations.compute(engine_a1, CONFIRMED).values["open_actions_due_5d"] == 2
    # Figures counted over other working days than the case's are refused, never shown as the case's.
    trigger.open_actions_working_days = 3
    trigger.save()
    failures = computations.compute(chain.step_run(trigger, "A1"), CONFIRMED).failures
    assert failures["open_actions_due_5d"].startswith("the matched services' figures were counted over 3")


def test_the_trigger_page_shows_the_working_days_and_days_actually_used(
    client, sign_in, tune, log_falls_trigger, quality_director
):
    tune("A1", {"open_actions_due_5d": {"working_days": 3}, "matched_service_rates": {"days": 14}})
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert "Open actions due in 3 working days" in page
    assert "Open action lines due within 3 working days" in page
    assert "over the 14 days 4 Nov to 17 Nov 2026" in page
    assert "5 working days" not in page and "7 days" not in page


@pytest.mark.parametrize(
    ("measure", "parameter", "value", "message"),
    [
        (
            "open_actions_due_5d",
            "working_days",
            0,
            "Look-ahead for open actions must be a whole number of working days",
        ),
        (
            "matched_service_rates",
            "days",
            0,
            "Look-back for incident rates must be a whole number of days",
        ),
        ("matched_service_rates", "days", 91, "from 1 to 90, not 91"),
    ],
)
def test_a1_parameters_out_of_range_are_refused(tune, measure, parameter, value, message):
    with pytest.raises(ValidationError) as refused:
        tune("A1", {measure: {parameter: value}})
    assert message in refused.value.message_dict[f"{measure}__{parameter}"][0]


# --- A2: the receipt window in redistribution and the summary; the sample in the check method ------


SIX_HOURS = {"pct_received_within_4h": {"window_hours": 6}}


@pytest.fixture
def issued_after_tuning_a2(tune, log_falls_trigger, quality_director, managers):
    tune("A2", SIX_HOURS)
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger


def test_redistribution_waits_for_the_tuned_receipt_window(issued_after_tuning_a2, governance_officer):
    with pytest.raises(ValidationError, match="nothing to redistribute"):
        redistribute(issued_after_tuning_a2, by=governance_officer, now=ISSUED + timedelta(hours=5))
    reissued = redistribute(issued_after_tuning_a2, by=governance_officer, now=ISSUED + timedelta(hours=6))
    assert len(reissued) == 4


def test_redistribution_after_four_hours_by_default(
    log_falls_trigger, quality_director, managers, governance_officer
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    assert len(redistribute(trigger, by=governance_officer, now=ISSUED + timedelta(hours=5))) == 4


def test_the_summary_judges_receipt_by_the_tuned_window(
    issued_after_tuning_a2, provider, managers, falls_provider, client, sign_in, nominated_individual
):
    notice = LearningNotice.objects.get(
        matched_service__trigger=issued_after_tuning_a2, matched_service__service=falls_provider["ash"]
    )
    acknowledge_notice(notice, by=managers["ash"], now=ISSUED + timedelta(hours=5))
    summary = executive_summary(provider, SummaryFilters(period="all"), NOW)
    assert (summary["services_received_in_time"], summary["receipt_window_hours"]) == (1, 6)
    sign_in(nominated_individual)
    page = client.get(reverse("learning_transfer:summary") + "?period=all").text
    assert "Matched services receiving notices within 6 hours" in page and "4 hours" not in page


def test_the_check_method_reads_the_tuned_sample_size(
    tune, log_falls_trigger, client, sign_in, provider, quality_director
):
    default = chain.step_run(log_falls_trigger(title="Before"), "A2")
    assert default.check_method.startswith("A 12-notice sample: ")
    tune(
        "A2",
        {"sampled_with_named_owner": {"sample_size": 10}, "sampled_due_within_72h": {"sample_size": 10}},
    )
    tuned = chain.step_run(log_falls_trigger(title="After"), "A2")
    assert tuned.check_method.startswith("A 10-notice sample: ")
    assert default.check_method.startswith("A 12-notice sample: ")  # a running case keeps its own
    sign_in(quality_director)
    chains_page = client.get(reverse("escalation:chains") + f"?provider={provider.pk}").text
    assert "Check: A 10-notice sample" in chains_page and "{sample_size}" not in chains_page


def test_one_sample_given_two_sizes_is_refused(tune):
    with pytest.raises(ValidationError) as refused:
        tune("A2", {"sampled_with_named_owner": {"sample_size": 10}})
    assert refused.value.message_dict["sampled_with_named_owner__sample_size"] == [
        "The check method shows {sample_size}, which the step's measures give as 10 and 12: "
        "give them one value."
    ]


# --- A5: defects repeated across the previous N learning cycles -------------------------------------


def two_cycles_with_the_same_defects(log_falls_trigger, quality_director, managers, falls_provider):
    """Two issued triggers; Dove Cottage never acknowledges in time in either."""
    first = log_falls_trigger()
    issue_notices(first, by=quality_director, now=ISSUED)
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    issue_notices(second, by=quality_director, now=NOW)
    for trigger, at in ((first, ISSUED), (second, NOW)):
        for key in ("ash", "beech", "cedar"):
            notice = trigger.matches.get(service=falls_provider[key]).notices.get()
            acknowledge_notice(notice, by=managers[key], now=at + timedelta(hours=1))
    return second


def test_a5_counts_repeats_over_the_tuned_learning_cycles(
    tune,
    log_falls_trigger,
    quality_director,
    managers,
    falls_provider,
    provider,
    client,
    sign_in,
    nominated_individual,
):
    tune("A5", {"repeated_defects": {"cycles": 3}})
    second = two_cycles_with_the_same_defects(log_falls_trigger, quality_director, managers, falls_provider)
    a5 = chain.step_run(second, "A5")
    assert label(a5, "repeated_defects") == (
        "Distribution or ownership defects repeated across the previous 3 learning cycles"
    )
    assert computations.compute(a5, NOW).values["repeated_defects"] == 0  # only 2 cycles so far
    summary = executive_summary(provider, SummaryFilters(period="all"), NOW)
    assert (summary["repeated_defects"], summary["defect_cycles"]) == ([], 3)
    sign_in(nominated_individual)
    page = client.get(reverse("learning_transfer:summary") + "?period=all").text
    assert "Defects repeated across the last 3 learning cycles" in page


def test_a5_counts_repeats_over_two_cycles_by_default(
    log_falls_trigger, quality_director, managers, falls_provider
):
    second = two_cycles_with_the_same_defects(log_falls_trigger, quality_director, managers, falls_provider)
    # Dove Cottage's distribution defect and every service's ownership defect (no confirmed lead).
    # Once the second cycle's receipt window has closed (inside it nobody is late yet).
    after_window = NOW + timedelta(hours=4, minutes=1)
    assert computations.compute(chain.step_run(second, "A5"), after_window).values["repeated_defects"] == 5


def test_one_learning_cycle_is_not_a_repeat(tune):
    with pytest.raises(ValidationError) as refused:
        tune("A5", {"repeated_defects": {"cycles": 1}})
    assert "from 2 to 12, not 1" in refused.value.message_dict["repeated_defects__cycles"][0]
