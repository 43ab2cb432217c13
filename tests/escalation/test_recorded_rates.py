"""A recorded step shows its rates as every page does: three decimal places, or more where a service's
rate would look equal to the median it was compared with."""

from escalation.values import value_rows

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
        ("1.000", "incidents per 100 care hours"),
    ]
