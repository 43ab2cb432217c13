"""Deploying where nobody holds a role that records the adoption checks: the deploy page says which
roles are missing and what happens, and deploying needs an explicit “Deploy anyway”; a check nobody
can record says so in a sentence. Once the learning is live, the deploy page points to it instead of
offering the form again. The clock stands at Tuesday 24 November 2026, noon."""

import pytest
from django.urls import reverse

from adoption import chain
from adoption.models import Deployment
from adoption.unheld_roles import NobodyToRecord
from providers.models import RoleAssignment

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

NO_SIL = "Nobody at Elm House holds the Service Improvement Lead role"


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


@pytest.fixture
def no_service_improvement_lead(people):
    RoleAssignment.objects.filter(user=people.service_improvement_lead).delete()


def form_fields(**changes) -> dict:
    return {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    } | changes


def test_the_service_refuses_until_told_to_deploy_anyway(match, people, no_service_improvement_lead):
    with pytest.raises(NobodyToRecord) as refused:
        deploy(match, people.registered_manager, deploy_anyway=False)
    assert not Deployment.objects.exists()
    (role,) = refused.value.roles
    b1_checks = 3 * 7 + 1  # each shift from Monday 09:00 to Monday 30th, and that day's early shift
    assert str(role).startswith(f"{NO_SIL}, so its {b1_checks} checks (Check the new way of working")
    assert str(role).endswith("would have no one to record them.")
    assert deploy(match, people.registered_manager, deploy_anyway=True).service == match.service


def test_the_deploy_page_warns_before_deploying_and_needs_the_tick(
    client, match, people, no_service_improvement_lead
):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[match.pk])
    page = client.get(url)
    assert NO_SIL in page.text and "Deploy anyway" in page.text
    refused = client.post(url, form_fields())
    assert refused.status_code == 200 and not Deployment.objects.exists()
    assert "Deploy anyway" in refused.context["form"].errors["deploy_anyway"][0]
    assert NO_SIL in refused.text
    assert refused.context["form"]["baseline_completion_pct"].value() == "80"  # kept as typed
    deployed = client.post(url, form_fields(deploy_anyway="on"))
    assert deployed.status_code == 302 and Deployment.objects.get().service == match.service


def test_a_fully_staffed_service_deploys_without_the_question(client, match, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[match.pk])
    assert "Deploy anyway" not in client.get(url).text
    assert client.post(url, form_fields()).status_code == 302


def test_a_check_nobody_can_record_says_so_in_a_sentence(client, match, people, no_service_improvement_lead):
    deploy(match, people.registered_manager, deploy_anyway=True)
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:my_service"), {"show": "all"})
    assert f"{NO_SIL} yet: ask your provider administrator" in page.text
    assert "Nobody holds a role that can do this yet" not in page.text


def test_the_deploy_page_of_live_learning_points_to_the_deployment(client, match, people):
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deploy", args=[match.pk]))
    assert page.status_code == 200
    assert "Already live since Mon 23 Nov 2026, 09:00" in page.text
    assert reverse("adoption:deployment_detail", args=[deployment.pk]) in page.text
    assert "baseline_completion_pct" not in page.text  # no form to fill in for nothing
    assert chain.run_for(deployment) is not None
