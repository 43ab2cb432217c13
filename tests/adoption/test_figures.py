"""The deployment page's figures read exactly as `floatformat` would write them, however often the
same value is shown and whatever type it comes as."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat

from adoption.templatetags.figures import figure

VALUES = [80, 80.0, Decimal("80.50"), 80.5, 91.66666, 92.95, -0.04, 0, None, "", "88", True, float("nan")]


@pytest.mark.parametrize("places", ["-1", "-2", "1"])
def test_each_figure_reads_as_floatformat_writes_it_every_time(places):
    for _ in range(2):  # the second time from what was remembered
        assert [figure(value, places) for value in VALUES] == [floatformat(value, places) for value in VALUES]


def test_a_value_that_cannot_be_remembered_is_still_formatted():
    assert figure([1], "-1") == floatformat([1], "-1")
