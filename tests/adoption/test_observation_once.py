"""The same observation sent twice (a double tap on "Save") is recorded once: it counted twice in the
comparison by team, shift and location."""

import pytest
from django.urls import reverse

from .conftest import at, deploy, observation_form

pytestmark = pytest.mark.django_db


def test_the_same_observation_sent_twice_is_recorded_once(client, match, teams, people, time_machine):
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(23, 15), tick=False)
    client.force_login(people.clinical_lead)
    url = reverse("adoption:deployment_detail", args=[deployment.pk])

    client.post(url, observation_form(teams))
    again = client.post(url, observation_form(teams), follow=True)

    assert deployment.observations.count() == 1
    assert "This observation is already recorded: nothing was saved twice." in again.text
    client.post(url, observation_form(teams, value="91"))
    assert deployment.observations.count() == 2, "another figure for the same moment is a correction to see"
