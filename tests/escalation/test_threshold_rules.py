"""Every one of the fifteen threshold rules, on a breaching and a non-breaching example.

The rules come straight from fixtures/chains.json; values pass the same checks as a person's record.
"""

import pytest

from escalation.loading import read_fixture
from escalation.measures import clean_values
from escalation.rules import RuleError, evaluate, validate_rule

STEPS = {step["code"]: step for chain in read_fixture() for step in chain["steps"]}

# (step, the values that matter, breached?) – other measures are filled with harmless values.
EXAMPLES = [
    (
        "A1",
        {
            "matched_services": 3,
            "matched_service_rates": {"Elm": 0.9, "Birch": 0.3},
            "provider_median_rate": 0.5,
        },
        True,
    ),
    (
        "A1",
        {
            "matched_services": 2,
            "matched_service_rates": {"Elm": 0.9, "Birch": 0.3},
            "provider_median_rate": 0.5,
        },
        False,
    ),
    (
        "A1",
        {
            "matched_services": 4,
            "matched_service_rates": {"Elm": 0.5, "Birch": 0.3},
            "provider_median_rate": 0.5,
        },
        False,
    ),
    ("A2", {"pct_received_within_4h": 91.7}, True),
    ("A2", {"pct_received_within_4h": 100}, False),
    ("A3", {"services_without_lead": 2}, True),
    ("A3", {"services_without_lead": 1}, False),
    ("A4", {"expected_reduction_pct": {"Nursing homes": 15, "Home care": 11.5}}, True),
    ("A4", {"expected_reduction_pct": {"Nursing homes": 15, "Home care": 12}}, False),
    ("A5", {"high_risk_lacking_action": 2}, True),
    ("A5", {"high_risk_lacking_action": 1}, False),
    ("B1", {"record_completion_pct": 64, "record_completion_pct__baseline": 60}, True),
    ("B1", {"record_completion_pct": 65, "record_completion_pct__baseline": 60}, False),
    ("B2", {"risk_note_updates_same_shift_pct": 92.5}, True),
    ("B2", {"risk_note_updates_same_shift_pct": 93}, False),
    ("B3", {"avg_demonstration_pct": 89.9}, True),
    ("B3", {"avg_demonstration_pct": 90}, False),
    ("B4", {"unresolved_tasks_over_2h": 3, "resident_impact_concerns": 2}, True),
    ("B4", {"unresolved_tasks_over_2h": 3, "resident_impact_concerns": 1}, False),
    ("B4", {"unresolved_tasks_over_2h": 2, "resident_impact_concerns": 4}, False),
    ("B5", {"pct_tasks_within_target": 90}, True),
    ("B5", {"pct_tasks_within_target": 91}, False),
    ("C1", {"lines_lacking_service_evidence": 3}, True),
    ("C1", {"lines_lacking_service_evidence": 2}, False),
    ("C2", {"pct_completing_in_time": 89}, True),
    ("C2", {"pct_completing_in_time": 90}, False),
    ("C3", {"linked_complaints_30d": 4}, True),
    ("C3", {"linked_complaints_30d": 3}, False),
    ("C4", {"unsupported_statements": 2, "contradictions": 2}, True),
    ("C4", {"unsupported_statements": 2, "contradictions": 1}, False),
    ("C5", {"residual_defects": 2, "deferred_sections": 1}, True),
    ("C5", {"residual_defects": 1, "deferred_sections": 1}, False),
]

NEUTRAL = {"count": 0, "percentage": 100, "rate": 0, "minutes": 0}


def values_for(code: str, given: dict) -> dict:
    """The given values plus a harmless value for every other measure of the step."""
    values = {}
    for measure in STEPS[code]["measures"]:
        name = measure["name"]
        values[name] = {} if measure.get("group") else NEUTRAL[measure["kind"]]
        if measure.get("baseline"):
            values[f"{name}__baseline"] = 0
    values.update(given)
    return values


def test_every_step_has_a_breaching_and_a_non_breaching_example():
    covered = {(code, breached) for code, _, breached in EXAMPLES}
    assert covered == {(code, b) for code in STEPS for b in (True, False)}
    assert len(STEPS) == 15


@pytest.mark.parametrize(
    ("code", "given", "breached"), EXAMPLES, ids=[f"{c}-{'breach' if b else 'ok'}" for c, _, b in EXAMPLES]
)
def test_the_rule_decides(code, given, breached):
    step = STEPS[code]
    values = clean_values(step["measures"], values_for(code, given), code)
    result = evaluate(step["threshold_rule"], values, step["measures"])
    assert result.breached is breached
    assert result.explanation, "a result always says why"
    if breached:
        assert set(given) <= set(result.deciding), "every value that breached is named"
    else:
        assert set(result.deciding) & set(given), "the values that kept it within threshold are named"


def test_a1_names_the_matched_service_above_the_median():
    step = STEPS["A1"]
    values = values_for(
        "A1",
        {
            "matched_services": 3,
            "matched_service_rates": {"Elm": 0.9, "Birch": 0.3},
            "provider_median_rate": 0.5,
        },
    )
    result = evaluate(step["threshold_rule"], values, step["measures"])
    assert result.deciding["matched_service_rates"] == {"Elm": 0.9}
    assert result.deciding["provider_median_rate"] == 0.5
    assert "Elm (0.9)" in result.text  # a rate as every step figure is written (rules.figure_text)


def test_b1_measures_the_improvement_in_percentage_points_from_the_baseline():
    step = STEPS["B1"]
    values = values_for("B1", {"record_completion_pct": 64, "record_completion_pct__baseline": 60})
    result = evaluate(step["threshold_rule"], values, step["measures"])
    assert result.deciding == {"record_completion_pct": 64, "record_completion_pct__baseline": 60}
    assert "+4 points" in result.text


def test_c4_adds_unsupported_and_contradictory_together():
    step = STEPS["C4"]
    result = evaluate(
        step["threshold_rule"], values_for("C4", {"unsupported_statements": 3, "contradictions": 1})
    )
    assert result.breached
    assert result.deciding == {"unsupported_statements": 3, "contradictions": 1}


def test_the_explanation_reads_as_a_statement_a_person_can_repeat():
    measures = [{"name": "within", "label": "Tasks within target", "kind": "percentage", "unit": "%"}]
    rule = {"measure": "within", "op": "<", "value": 91}
    below, within = evaluate(rule, {"within": 88}, measures), evaluate(rule, {"within": 95}, measures)
    assert below.text == "Tasks within target: 88 % — below the 91 % required"
    assert within.text == "Tasks within target: 95 % — at or above the 91 % required"


@pytest.mark.parametrize(
    "op, value, said",
    [
        ("<", 0, "At 0 the threshold can never be crossed: the step would never escalate."),
        (">", 100, "At 100 the threshold can never be crossed: the step would never escalate."),
        (">=", 0, "At 0 the threshold is always crossed: the step would always escalate."),
        ("<=", 100, "At 100 the threshold is always crossed: the step would always escalate."),
    ],
)
def test_a_threshold_that_never_or_always_escalates_is_refused(op, value, said):
    """Found: B2 tuned to "fewer than 0 %" was accepted, and the chains page said so as if it were active."""
    step = STEPS["B2"]
    rule = {"measure": step["threshold_rule"]["measure"], "op": op, "value": value}
    with pytest.raises(RuleError) as refused:
        validate_rule(rule, step["measures"])
    assert str(refused.value) == said
    validate_rule({**rule, "value": 50}, step["measures"])  # a figure inside the range stands
