"""A rule and its result read as plain sentences a care manager can repeat ("3 services with a matching
risk profile, which is more than 2"), and the words never change what the rule decides."""

import pytest

from escalation.models import StepTemplate
from escalation.rules import describe_rule, evaluate

from .conftest import step

pytestmark = pytest.mark.django_db


def steps(*codes):
    return [StepTemplate.objects.get(code=code) for code in codes]


def test_a_count_reads_as_that_many_things(chains):
    [a1] = steps("A1")
    values = {
        "matched_services": 3,
        "open_actions_due_5d": 0,
        "matched_service_rates": {"Birch Lodge": 0.2},
        "provider_median_rate": 0.5,
    }
    result = evaluate(a1.threshold_rule, values, a1.measures)
    assert result.breached is False, "the rate decides, as before"
    assert "3 services with a matching risk profile, which is more than 2" in result.text
    assert "(3) is above 2" not in result.text

    one = evaluate(a1.threshold_rule, {**values, "matched_services": 1}, a1.measures)
    assert "1 service with a matching risk profile, which is not more than 2" in one.text


def test_a_threshold_of_one_names_one_thing(chains):
    [a5] = steps("A5")
    said = describe_rule(a5.threshold_rule, a5.measures)
    assert said == "more than 1 high-risk matched service still lacking verified action"
    values = {"avg_confirmation_rate": 80, "repeated_defects": 0, "high_risk_lacking_action": 4}
    result = evaluate(a5.threshold_rule, values, a5.measures)
    assert result.breached
    assert result.text == "4 high-risk matched services still lacking verified action, which is more than 1"


def test_a_sum_reads_as_the_things_it_adds(chains):
    [c4] = steps("C4")
    values = {"unsupported_statements": 2, "contradictions": 1, "deferred_sections": 0}
    result = evaluate(c4.threshold_rule, values, c4.measures)
    assert result.breached is False
    assert result.text == (
        "2 unsupported provider-learning statements built on issue notices only plus 1 contradictory "
        "comparison between claimed provider-wide adoption and named-service outcomes come to 3, "
        "which is not more than 3"
    )


RECEIVED = "Matched services receiving the issued learning notice within 4 hours"


@pytest.mark.parametrize(
    "received, said",
    [
        (75, f"{RECEIVED}: 75 % — below the 100 % required"),
        (100, f"{RECEIVED}: 100 % — at or above the 100 % required"),
    ],
)
def test_a_percentage_reads_with_its_percent_sign_against_what_is_required(chain_a, received, said):
    a2 = step(chain_a, "A2")
    values = {
        "pct_received_within_4h": received,
        "sampled_with_named_owner": 12,
        "sampled_due_within_72h": 12,
    }
    result = evaluate(a2.threshold_rule, values, a2.measures)
    assert result.breached is (received < 100), "the words never change the verdict"
    assert result.text == said


def test_a_percentage_per_group_reads_with_its_percent_sign(chain_a):
    a4 = step(chain_a, "A4")
    values = {
        "briefings_completed_4h": 4,
        "local_tasks_due_24h": 4,
        "expected_reduction_pct": {"High-risk services": 9, "Medium-risk services": 20},
    }
    result = evaluate(a4.threshold_rule, values, a4.measures)
    assert result.breached
    assert "is below 12 % at High-risk services (9 %)" in result.text


def test_a_result_of_several_comparisons_reads_as_one_sentence(chains):
    # Labels are lower case mid-sentence; "for each matched service" is said by the place named.
    [a1] = steps("A1")
    values = {
        "matched_services": 1,
        "open_actions_due_5d": 0,
        "matched_service_rates": {"Willow Bank": 0.071, "Birch Lodge": 0.01},
        "provider_median_rate": 0.02,
    }
    result = evaluate(a1.threshold_rule, values, a1.measures)
    assert result.text == (
        "1 service with a matching risk profile, which is not more than 2; the incident rate per 100 care "
        "hours in the previous 7 days is above the provider median incident rate per 100 care hours "
        "(0.02) at Willow Bank (0.071)"
    )


def test_a_label_that_is_not_the_first_word_is_lower_case(chains):
    [b1] = steps("B1")
    values = {"record_completion_pct": 82, "record_completion_pct__baseline": 80}
    result = evaluate(
        {"change_from_baseline": "record_completion_pct", "op": "<", "value": 5}, values, b1.measures
    )
    assert result.text.startswith("Change in care-record completion for the revised process")
    [a2] = steps("A2")
    percentage_second = {
        "any": [{"measure": "sampled_with_named_owner", "op": "<", "value": 12}, a2.threshold_rule]
    }
    values = {"pct_received_within_4h": 75, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    said = evaluate(percentage_second, values, a2.measures).text
    assert "; matched services receiving the issued learning notice within 4 hours: 75 %" in said
    assert said[:1].isupper() or said[:1].isdigit()
