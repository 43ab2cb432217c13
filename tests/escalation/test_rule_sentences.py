"""A rule and its result read as plain sentences a care manager can repeat ("3 services with a matching
risk profile, which is more than 2"), and the words never change what the rule decides."""

import pytest

from escalation.models import StepTemplate
from escalation.rules import describe_rule, evaluate

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
