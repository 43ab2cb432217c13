"""Once a deployment is closed, monitoring has ended: an observation sent to its page afterwards (a form
left open in another tab, a second person still on the page) is refused with a plain message on the
normal page, and nothing is saved."""

import pytest
from django.urls import reverse

from adoption import services
from tests.accessibility import assert_accessible

from .conftest import at, deploy, observation_form, ready_to_close

pytestmark = pytest.mark.django_db

ENDED = "Monitoring has ended at Elm House"


@pytest.fixture
def closed(match, people):
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    ready_to_close(deployment, people)  # one observation, and the final review recorded
    services.close_deployment(deployment, by=people.registered_manager, reason="Every team aligned.")
    return deployment


def test_an_observation_sent_to_a_closed_deployment_is_refused_with_a_message(client, closed, teams, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[closed.pk])
    fields = observation_form(teams, measure="B1:record_completion_pct", value="85")
    response = client.post(url, fields, follow=True)
    assert response.status_code == 200
    assert ENDED in response.text and "observations can no longer be recorded" in response.text
    assert response.context["form"] is None, "no form is offered for a closed deployment"
    assert closed.observations.count() == 1, "only the one recorded before closing"
    assert_accessible(response.text)


def test_a_blank_observation_sent_to_a_closed_deployment_is_refused_the_same_way(
    client, closed, teams, people
):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[closed.pk])
    blank = dict.fromkeys(observation_form(teams), "")
    response = client.post(url, blank, follow=True)
    assert response.status_code == 200 and ENDED in response.text
    assert closed.observations.count() == 1, "only the one recorded before closing"


def test_an_observation_racing_a_close_is_refused_with_the_same_message(
    client, match, teams, people, monkeypatch
):
    """The page was checked while the deployment was live, but it closed before the observation was
    saved: the service refuses it, and the person gets the same message rather than an error page."""
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    ready_to_close(deployment, people)
    record = services.record_team_observation

    def close_first(deployment, **kwargs):
        services.close_deployment(deployment, by=people.registered_manager, reason="Every team aligned.")
        return record(deployment, **kwargs)

    monkeypatch.setattr(services, "record_team_observation", close_first)
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[deployment.pk])
    response = client.post(url, observation_form(teams), follow=True)
    assert response.status_code == 200 and ENDED in response.text
    assert deployment.observations.count() == 1, "only the one recorded before closing"
