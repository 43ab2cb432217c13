"""The observation and correction forms name what is missing ("Enter the value"), put a figure out of
range on the field it is about, and show every problem at once, so the error summary links each one to
its field and nothing entered is lost."""

import pytest
from django.urls import reverse

from adoption import services
from tests.accessibility import assert_accessible

from .conftest import at, deploy, observation_form

pytestmark = pytest.mark.django_db

RISK_NOTES = "risk_note_updates_same_shift_pct"


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def post_observation(client, deployment, people, fields):
    client.force_login(people.clinical_lead)
    response = client.post(reverse("adoption:deployment_detail", args=[deployment.pk]), fields)
    assert response.status_code == 200
    return response


def test_missing_fields_are_named(client, deployment, teams, people):
    response = post_observation(
        client, deployment, people, observation_form(teams, measure="", value="", observed_at="")
    )
    errors = response.context["form"].errors
    assert errors["measure"] == ["Choose the measure."]
    assert errors["value"] == ["Enter the value."]
    assert errors["observed_at"] == ["Enter when you observed it."]
    assert "This field is required." not in response.text
    for field in ("measure", "value", "observed_at"):
        assert f'href="#id_{field}"' in response.text
    assert_accessible(response.text)


def test_a_percentage_over_100_is_an_error_on_the_value(client, deployment, teams, people):
    fields = observation_form(teams, measure="B1:record_completion_pct", value="150")
    response = post_observation(client, deployment, people, fields)
    form = response.context["form"]
    assert "percentage from 0 to 100" in " ".join(form.errors["value"])
    assert not form.non_field_errors()
    assert 'href="#id_value"' in response.text and "form-non-field-error" not in response.text
    assert not deployment.observations.exists()


def test_every_problem_is_shown_at_once(client, deployment, teams, people):
    fields = observation_form(
        teams, measure="B1:record_completion_pct", value="150", observed_at="", team="", shift_name=""
    )
    form = post_observation(client, deployment, people, fields).context["form"]
    assert set(form.errors) == {"value", "observed_at", "team"}
    # On the team's box (found: the summary's link went to a line above the form, not to a field).
    assert form.errors["team"] == ["Choose the team or the shift, or give the location."]


# --- the correction form ----------------------------------------------------------------------------


@pytest.fixture
def observation(deployment, teams, people):
    return services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 89},
        team=teams["Yew"],
        shift_name="late",
        observed_at=at(23, 15),
    )


def test_the_correction_form_shows_the_missing_reason_and_the_range_error_together(
    client, observation, teams, people
):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:correct_observation", args=[observation.pk])
    fields = {f"value_{RISK_NOTES}": "150", "team": teams["Yew"].pk, "shift_name": "late", "reason": ""}
    response = client.post(url, fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reason"] == ["Give the reason for the correction."]
    assert "percentage from 0 to 100" in " ".join(errors[f"value_{RISK_NOTES}"])
    assert 'href="#id_reason"' in response.text and f'href="#id_value_{RISK_NOTES}"' in response.text
    observation.refresh_from_db()
    assert observation.values == {RISK_NOTES: 89} and observation.history.count() == 1
