"""Learning is deployed only once the service has received it: the dashboard and the adoption page
offer "deploy" after the service's current notice is acknowledged, deploying before is refused, and the
learning cannot have gone live before it reached the service. The clock stands at Tuesday 24 November
2026, noon; Elm House acknowledged its notice on Monday 16th at 12:00."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption import services
from adoption.models import Deployment

from .conftest import at, deploy, make_match, receive_learning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


@pytest.fixture
def unreceived(chains, elm_house, birch_lodge, shifts, people):
    return make_match(elm_house, birch_lodge, people.registered_manager, received=False)


def test_learning_not_yet_received_is_not_offered_for_deploying(client, unreceived, people):
    assert list(services.deployable_matches(people.registered_manager)) == []
    client.force_login(people.registered_manager)
    deploy_url = reverse("adoption:deploy", args=[unreceived.pk])
    assert deploy_url not in client.get(reverse("dashboard", args=["registered_manager"])).text
    assert deploy_url not in client.get(reverse("adoption:my_service")).text
    receive_learning(unreceived, people.registered_manager)
    assert list(services.deployable_matches(people.registered_manager)) == [unreceived]
    assert deploy_url in client.get(reverse("dashboard", args=["registered_manager"])).text


def test_deploying_learning_not_yet_received_is_refused(unreceived, people):
    with pytest.raises(ValidationError, match="acknowledge"):
        deploy(unreceived, people.registered_manager)
    assert not Deployment.objects.exists()


def test_the_deploy_page_says_to_acknowledge_the_notice_first(client, unreceived, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[unreceived.pk])
    page = client.get(url)
    assert "acknowledge" in page.text and 'name="baseline_completion_pct"' not in page.text
    refused = client.post(url, {"deployed_at": "2026-11-23 09:00"})
    assert "acknowledge" in refused.text and not Deployment.objects.exists()


def test_the_learning_cannot_go_live_before_it_reached_the_service(match, people):
    with pytest.raises(ValidationError) as refused:
        deploy(match, people.registered_manager, deployed_at=at(16, 11, 30))
    assert refused.value.message_dict["deployed_at"] == [
        "When the learning went live cannot be before the learning reached Elm House "
        "(Mon 16 Nov 2026, 12:00)."
    ]
    assert deploy(match, people.registered_manager, deployed_at=at(16, 12)).deployed_at == at(16, 12)


def test_the_form_refuses_a_go_live_time_before_receipt_beside_the_field(client, match, people):
    client.force_login(people.registered_manager)
    response = client.post(
        reverse("adoption:deploy", args=[match.pk]),
        {
            "deployed_at": "2026-11-16 11:30",
            "baseline_completion_pct": "80",
            "baseline_omissions_per_100": "2",
            "baseline_wound_care_pct": "86",
            "baseline_risk_note_pct": "88",
            "baseline_drill_pct": "85",
        },
    )
    assert "before the learning reached Elm House" in " ".join(response.context["form"].errors["deployed_at"])
    assert not Deployment.objects.exists()
