"""An observation that names a shift was made during that shift: a "night shift" figure at 13:30 is
refused beside "When observed", saying when the night shift runs, and nothing is saved. Elm House's
night shift runs 21:30 to 07:30, across midnight; both ends belong to the shift. The clock stands at
Wednesday 25 November 2026, noon; the learning went live on Monday 23rd at 09:00."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption import services

from .conftest import at, deploy, observation_form

pytestmark = pytest.mark.django_db

COMPLETION = "record_completion_pct"


@pytest.fixture
def deployment(match, people, time_machine):
    time_machine.move_to(at(25, 12), tick=False)
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def record(deployment, people, teams, shift_name, when):
    return services.record_team_observation(
        deployment,
        by=people.service_improvement_lead,
        step_code="B1",
        values={COMPLETION: 90},
        team=teams["Oak"],
        shift_name=shift_name,
        observed_at=when,
    )


@pytest.mark.parametrize(
    "when",
    [
        at(23, 21, 30),  # the night shift's first minute
        at(23, 23, 59),  # before midnight
        at(24, 0, 0),  # midnight
        at(24, 3, 15),  # after midnight
        at(24, 7, 30),  # its last minute
    ],
    ids=["21:30", "23:59", "00:00", "03:15", "07:30"],
)
def test_a_night_shift_observation_on_either_side_of_midnight_is_recorded(deployment, people, teams, when):
    record(deployment, people, teams, "night", when)
    assert deployment.observations.get().observed_at == when


@pytest.mark.parametrize(
    ("shift_name", "when", "says"),
    [
        ("night", at(23, 13, 30), "The night shift runs 21:30 to 07:30; 13:30 is not in it."),
        ("night", at(23, 21, 29), "The night shift runs 21:30 to 07:30; 21:29 is not in it."),
        ("night", at(24, 7, 31), "The night shift runs 21:30 to 07:30; 07:31 is not in it."),
        ("early", at(24, 6, 59), "The early shift runs 07:00 to 15:00; 06:59 is not in it."),
        ("early", at(24, 15, 1), "The early shift runs 07:00 to 15:00; 15:01 is not in it."),
    ],
)
def test_a_time_outside_the_named_shift_is_refused_and_nothing_is_saved(
    deployment, people, teams, shift_name, when, says
):
    with pytest.raises(ValidationError) as refused:
        record(deployment, people, teams, shift_name, when)
    assert refused.value.message_dict["observed_at"] == [says]
    assert not deployment.observations.exists()


def test_an_observation_naming_no_shift_may_be_at_any_time(deployment, people, teams):
    record(deployment, people, teams, "", at(23, 13, 30))
    assert deployment.observations.count() == 1


def test_the_page_shows_the_shift_hours_beside_when_observed_and_keeps_what_was_entered(
    client, deployment, teams, people
):
    client.force_login(people.service_improvement_lead)
    url = reverse("adoption:deployment_detail", args=[deployment.pk])
    fields = observation_form(
        teams,
        measure="B1:record_completion_pct",
        value="85",
        shift_name="night",
        observed_at="23/11/2026 13:30",
    )
    response = client.post(url, fields)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["observed_at"] == ["The night shift runs 21:30 to 07:30; 13:30 is not in it."]
    assert 'href="#id_observed_at"' in response.text
    assert form["value"].value() == "85" and form["shift_name"].value() == "night"
    assert not deployment.observations.exists()
    assert '<option value="night" selected>night (21:30 to 07:30)</option>' in response.text


def test_a_correction_cannot_move_an_observation_to_a_shift_it_was_not_in(client, deployment, teams, people):
    observation = record(deployment, people, teams, "early", at(23, 13, 30))
    with pytest.raises(ValidationError) as refused:
        services.correct_observation(
            observation,
            by=people.service_improvement_lead,
            reason="It was the night shift.",
            values={COMPLETION: 90},
            team=teams["Oak"],
            shift_name="night",
        )
    assert refused.value.message_dict["shift_name"] == [
        "The night shift runs 21:30 to 07:30; 13:30 is not in it."
    ]
    observation.refresh_from_db()
    assert observation.shift_name == "early"

    client.force_login(people.service_improvement_lead)
    url = reverse("adoption:correct_observation", args=[observation.pk])
    response = client.post(
        url,
        {
            "reason": "It was the night shift.",
            f"value_{COMPLETION}": "90",
            "team": teams["Oak"].pk,
            "shift_name": "night",
            "location": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["shift_name"] == [
        "The night shift runs 21:30 to 07:30; 13:30 is not in it."
    ]
    observation.refresh_from_db()
    assert observation.shift_name == "early"
