"""An observation is of something already seen since the learning went live: a time in the future, or
before the go-live time, is refused beside "When observed" (a future reading would make a weak shift
look aligned). The clock stands at Tuesday 24 November 2026, noon; the learning went live on Monday
23rd at 09:00."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption import services

from .conftest import at, deploy, observation_form

pytestmark = pytest.mark.django_db

RISK_NOTES = "risk_note_updates_same_shift_pct"


@pytest.fixture
def deployment(match, people, time_machine):
    time_machine.move_to(at(24, 12), tick=False)
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def record(deployment, people, teams, when):
    return services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 96},
        team=teams["Yew"],
        shift_name="early",  # 07:00 to 15:00, so only the times these tests are about are refused
        observed_at=when,
    )


def test_the_service_refuses_a_time_in_the_future(deployment, teams, people):
    with pytest.raises(ValidationError) as refused:
        record(deployment, people, teams, at(24, 13))
    assert "future" in refused.value.message_dict["observed_at"][0]
    assert not deployment.observations.exists()


def test_the_service_refuses_a_time_before_the_learning_went_live(deployment, teams, people):
    with pytest.raises(ValidationError) as refused:
        record(deployment, people, teams, at(23, 8, 59))
    assert "Mon 23 Nov 2026, 09:00" in refused.value.message_dict["observed_at"][0]
    assert not deployment.observations.exists()


def test_the_go_live_time_and_now_are_both_accepted(deployment, teams, people):
    record(deployment, people, teams, at(23, 9))
    record(deployment, people, teams, at(24, 12))
    assert deployment.observations.count() == 2


@pytest.mark.parametrize(
    ("observed_at", "says"),
    [
        ("2027-06-01 10:00", "cannot be in the future"),
        ("2026-11-24 12:30", "cannot be in the future"),
        ("2026-11-23 08:00", "before the learning went live (Mon 23 Nov 2026, 09:00)"),
    ],
)
def test_the_page_shows_the_refusal_beside_when_observed(
    client, deployment, teams, people, observed_at, says
):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[deployment.pk])
    fields = observation_form(teams, measure="B1:record_completion_pct", value="85", observed_at=observed_at)
    response = client.post(url, fields)
    assert response.status_code == 200
    form = response.context["form"]
    assert says in " ".join(form.errors["observed_at"]) and not form.non_field_errors()
    assert 'href="#id_observed_at"' in response.text
    assert form["value"].value() == "85", "what was entered is kept"
    assert not deployment.observations.exists()


def test_a_uk_day_month_year_time_is_accepted(client, deployment, teams, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[deployment.pk])
    response = client.post(url, observation_form(teams, observed_at="23/11/2026 14:00"))
    assert response.status_code == 302
    assert deployment.observations.get().observed_at == at(23, 14)
