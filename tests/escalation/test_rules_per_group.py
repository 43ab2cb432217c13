"""One evaluator, judged per group: a team's, shift's or location's own figures against a step's rule,
with AND and OR keeping their meaning and a figure a group did not give never counted as a breach."""

from escalation.rules import evaluate, evaluate_groups, rule_measures

UNRESOLVED = {"measure": "unresolved", "op": ">", "value": 2}
CONCERNS = {"measure": "concerns", "op": ">", "value": 1}
B4 = {"all": [UNRESOLVED, CONCERNS]}


def test_and_needs_both_halves_for_each_group():
    results = evaluate_groups(
        B4,
        {
            ("team", "Yew"): {"unresolved": 5, "concerns": 0},
            ("team", "Ash"): {"unresolved": 4, "concerns": 3},
        },
    )
    assert not results[("team", "Yew")].breached
    assert results[("team", "Ash")].breached
    assert results[("team", "Ash")].deciding == {"unresolved": 4, "concerns": 3}


def test_or_needs_one_half_for_each_group():
    results = evaluate_groups({"any": [UNRESOLVED, CONCERNS]}, {"Yew": {"unresolved": 5, "concerns": 0}})
    assert results["Yew"].breached


def test_a_group_judged_with_all_its_figures_agrees_with_evaluate():
    values = {"unresolved": 3, "concerns": 2}
    assert evaluate_groups(B4, {"night": values})["night"] == evaluate(B4, values)


def test_a_figure_the_group_did_not_give_is_not_judged():
    results = evaluate_groups(B4, {"and, half given": {"unresolved": 9}, "nothing given": {}})
    assert not results["and, half given"].breached
    assert not results["nothing given"].breached
    assert "no value recorded for concerns" in results["and, half given"].text
    either = evaluate_groups({"any": [UNRESOLVED, CONCERNS]}, {"Yew": {"unresolved": 9}})
    assert either["Yew"].breached, "an OR is breached by the half that was given"


def test_change_from_baseline_per_group():
    rule = {"change_from_baseline": "completion", "op": "<", "value": 5}
    results = evaluate_groups(
        rule,
        {
            "Day team": {"completion": 96, "completion__baseline": 78},
            "Night team": {"completion": 80, "completion__baseline": 78},
        },
    )
    assert not results["Day team"].breached and results["Night team"].breached


def test_rule_measures_names_every_value_a_rule_reads():
    assert rule_measures(B4) == {"unresolved", "concerns"}
    assert rule_measures({"change_from_baseline": "completion", "op": "<", "value": 5}) == {
        "completion",
        "completion__baseline",
    }
    assert rule_measures({"sum": ["a", "b"], "op": ">", "measure_ref": "c"}) == {"a", "b", "c"}
