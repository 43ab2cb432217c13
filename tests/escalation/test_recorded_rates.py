"""A recorded step shows its rates as every page does: three decimal places, or more where a service's
rate would look equal to the median it was compared with."""

import pytest

from escalation import services
from escalation.models import StepTemplate
from escalation.rules import evaluate
from escalation.values import value_rows
from tests.factories import CHECK_DONE

from .conftest import at, step

A1_MEASURES = [
    {"name": "matched_services", "label": "Matched services", "kind": "count"},
    {
        "name": "matched_service_rates",
        "label": "Incident rate per 100 care hours",
        "kind": "rate",
        "group": True,
        "item_label": "service",
    },
    {"name": "provider_median_rate", "label": "Provider median", "kind": "rate"},
]


def test_rates_are_told_apart_from_the_median_and_counts_stay_whole():
    values = {
        "matched_services": 3,
        "matched_service_rates": {"Elm House": 0.04031, "Ash Grove": 1.142857},
        "provider_median_rate": 0.040271,
    }
    rows = {row["label"]: row["value"] for row in value_rows(A1_MEASURES, values)}
    assert rows == {
        "Matched services": "3",
        "Incident rate per 100 care hours": "Elm House: 0.04031; Ash Grove: 1.143",
        "Provider median": "0.04027",
    }


def test_a_count_of_one_reads_in_the_singular():
    measures = [
        {"name": "deferred_sections", "label": "Deferred sections", "kind": "count", "unit": "sections"},
        {"name": "action_lines", "label": "Open action lines", "kind": "count", "unit": "action lines"},
        {"name": "rate", "label": "Rate", "kind": "rate", "unit": "incidents per 100 care hours"},
    ]
    rows = value_rows(measures, {"deferred_sections": 1, "action_lines": 2, "rate": 1})
    assert [(row["value"], row["unit"]) for row in rows] == [
        ("1", "section"),
        ("2", "action lines"),
        ("1", "incidents per 100 care hours"),  # no trailing zeros (rules.figure_text)
    ]


@pytest.mark.django_db
def test_the_result_recorded_with_a1_writes_its_rates_as_every_page_does(client, sign_in, chain_a, people):
    a1 = step(chain_a, "A1")
    values = {
        "matched_services": 3,
        "open_actions_due_5d": 0,
        "matched_service_rates": {"Hawthorn House": 0.051172, "Ash Grove": 0.009},
        "provider_median_rate": 0.018173,
    }
    record = services.record_step(
        a1, by=people.quality_director, values=values, now=at(23, 9, 30), check_done=CHECK_DONE
    )
    assert record.breached
    said = "the provider median incident rate per 100 care hours (0.018) at Hawthorn House (0.051)"
    assert said in record.explanation
    assert "0.018173" not in record.explanation and "0.051172" not in record.explanation
    sign_in(people.quality_director)
    page = client.get(a1.get_absolute_url()).text
    assert said in page


def test_a_rate_in_a_result_is_told_apart_from_the_median_it_is_compared_with(chains):
    a1 = StepTemplate.objects.get(code="A1")
    values = {
        "matched_services": 3,
        "open_actions_due_5d": 0,
        "matched_service_rates": {"Hawthorn House": 0.04031},
        "provider_median_rate": 0.040271,
    }
    result = evaluate(a1.threshold_rule, values, a1.measures)
    assert "(0.04027) at Hawthorn House (0.04031)" in result.text  # not "(0.040) … (0.040)"
