"""Rates are shown with one precision everywhere, three decimal places, and more only where a rate and
the median it is compared with would otherwise look equal."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from learning_transfer.analysis import A1Decision
from providers.numbers import format_rate


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.038384, "0.038"), (Decimal("0.028000"), "0.028"), (1.5, "1.500"), (12.3455, "12.346"), (0, "0.000")],
)
def test_a_rate_has_three_decimal_places(value, shown):
    assert format_rate(value) == shown


def test_a_rate_just_above_the_median_does_not_look_equal_to_it():
    elm_house, median = 0.040512, 0.040498
    assert format_rate(elm_house, median) == "0.041"  # three places already tell them apart
    assert format_rate(0.04031, 0.040271) == "0.04031"
    assert format_rate(0.040271, [0.04031, 0.0221]) == "0.04027"


def test_an_equal_rate_is_not_given_false_precision():
    assert format_rate(0.0405, 0.0405) == "0.041"  # a half is rounded up


def test_the_rate_filter_compares_and_says_why_a_rate_is_missing():
    page = Template(
        "{% load learning %}{{ elm|rate:median }} against {{ median|rate:rates }}; {{ none|rate }}"
    )
    html = page.render(Context({"elm": 0.040512, "median": 0.040498, "rates": [0.040512], "none": None}))
    assert html == "0.041 against 0.040; No care hours recorded"  # three decimal places tell them apart
    html = page.render(Context({"elm": 0.04031, "median": 0.040271, "rates": [0.04031], "none": None}))
    assert html == "0.04031 against 0.04027; No care hours recorded"  # more where they would not


def test_the_a1_explanation_writes_the_median_the_same_way():
    decision = A1Decision(matched_count=3, above_median_count=2, median=0.0284, mandatory=True, rule_text="x")
    assert "provider median 0.028 per 100 care hours" in decision.explanation  # as the filter writes it
