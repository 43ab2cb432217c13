"""The deploy form's errors name the field they are about, so the error summary reads on its own."""

import pytest

from adoption.forms import DeployForm

pytestmark = pytest.mark.django_db


def errors_of(match, **changes) -> dict:
    data = {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    } | changes
    form = DeployForm(data, match=match)
    form.is_valid()
    return form.errors


def test_a_baseline_that_is_not_a_number_names_its_field(match):
    errors = errors_of(match, baseline_completion_pct="abc")
    assert errors["baseline_completion_pct"] == [
        "Enter the care-record completion over the last 3 shifts as a number, for example 82.5."
    ]


def test_a_baseline_over_100_names_its_field(match):
    errors = errors_of(match, baseline_drill_pct="150")
    assert errors["baseline_drill_pct"] == [
        "Last drill's average correct demonstration must be 100% or less."
    ]
    assert errors_of(match, baseline_drill_pct="-1")["baseline_drill_pct"] == [
        "Last drill's average correct demonstration must be 0% or more."
    ]
