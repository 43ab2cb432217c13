"""A number refused for its digits names its field and says what to give, like every other number
message of the project (config/forms.py), instead of Django's "Ensure that there are no more than 1
decimal place." on every form; and the team observation form's location, when too long, names itself
and says what to do."""

from types import SimpleNamespace

import pytest
from django import forms

from adoption.forms import ObservationForm
from adoption.models import LOCATION_MAX
from escalation.forms import StepSettingForm
from learning_transfer.forms import ExposureForm
from learning_transfer.services.exposure import EXPECTED_REDUCTION_TO_ONE_PLACE


class ScoresForm(forms.Form):
    drill_score = forms.DecimalField(label="Drill score", max_digits=5, decimal_places=2)
    completion = forms.DecimalField(label="Care-record completion (%)", decimal_places=1)
    whole = forms.DecimalField(label="Sample size", decimal_places=0)


def errors(data: dict) -> dict:
    fields = {"drill_score": "1", "completion": "1", "whole": "1"} | data
    return ScoresForm(fields).errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"completion": "82.55"},
            "completion",
            "Give the care-record completion to at most 1 decimal place.",
        ),
        ({"drill_score": "82.555"}, "drill_score", "Give the drill score to at most 2 decimal places."),
        ({"drill_score": "1234.5"}, "drill_score", "Drill score must be less than 1000."),
        (
            {"drill_score": "1234.56"},
            "drill_score",
            "Give the drill score as a number less than 1000, to at most 2 decimal places.",
        ),
        ({"whole": "12.5"}, "whole", "Give the sample size as a whole number."),
    ],
)
def test_a_number_with_too_many_digits_names_its_field(data, field, message):
    assert errors(data) == {field: [message]}


class SentenceForm(forms.Form):
    below = forms.DecimalField(label="Escalate when: below 90%", max_digits=10, decimal_places=3)


def test_a_label_that_is_a_sentence_is_quoted_and_its_percent_sign_kept():
    assert SentenceForm({"below": "90.12345"}).errors["below"] == [
        "Give the value for “Escalate when: below 90%” to at most 3 decimal places."
    ]
    a2_rule = {"measure": "pct_received_within_4h", "op": "<", "value": 100}
    a2_measure = {
        "name": "pct_received_within_4h",
        "label": "Received in time",
        "kind": "percentage",
        "unit": "%",
    }
    form = StepSettingForm(
        a2_rule,
        [a2_measure],
        4,
        {"threshold_0": "90.12345", "response_working_hours": "4.125", "reason": "Tuned."},
    )
    assert form.errors["threshold_0"] == ["Give the threshold to at most 3 decimal places."]
    assert form.errors["response_working_hours"] == [
        "Give the response window (working hours) to at most 2 decimal places."
    ]


@pytest.mark.django_db
def test_a_form_that_chose_its_own_digits_message_keeps_it():
    form = ExposureForm({"expected_reduction_pct": "12.55"}, match=None)
    assert form.errors["expected_reduction_pct"] == [EXPECTED_REDUCTION_TO_ONE_PLACE]


@pytest.mark.django_db
def test_a_location_too_long_names_the_field_and_says_what_to_do(elm_house):
    form = ObservationForm(
        {"location": "x" * (LOCATION_MAX + 1)}, deployment=SimpleNamespace(service=elm_house), steps=[]
    )
    assert form.errors["location"] == [
        f"Shorten the location to {LOCATION_MAX} characters or fewer (it has {LOCATION_MAX + 1})."
    ]
