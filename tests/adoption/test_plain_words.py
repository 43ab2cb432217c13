"""The adoption pages speak to care staff in plain words: what a check is about comes first, and a step
code (B1) follows only where it helps the governance team; no "chain B", seed numbers or talk of the
escalation engine."""

import pytest
from django.urls import reverse

from adoption import services

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

# The layout's own warning when the engine has not run names it: that is for every page, not ours.
JARGON = ["chain B", "Chain B", "seed 004", "in the escalation engine"]


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def assert_plain(text: str) -> None:
    for word in JARGON:
        assert word not in text, f"{word!r} is jargon to care staff"


def test_a_service_without_live_learning_says_so_plainly(client, elm_house, people):
    client.force_login(people.registered_manager)
    text = client.get(reverse("adoption:service", args=[elm_house.pk])).text
    assert "No adoption checks yet: the learning is not live at this service." in text
    assert_plain(text)
    text = client.get(reverse("adoption:my_service")).text
    assert "No adoption checks yet: the learning is not live at your service." in text
    assert_plain(text)


def test_the_deployment_page_speaks_plainly(client, deployment, people):
    client.force_login(people.registered_manager)
    text = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert "Adoption checks, in date order" in text and "See the whole case" in text
    assert_plain(text)


def test_the_measures_name_what_is_measured_before_the_step_code(client, deployment, people):
    client.force_login(people.clinical_lead)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]))
    choices = dict(page.context["form"].fields["measure"].choices)
    assert choices["B1:record_completion_pct"] == (
        "Care-record completion for the revised process in the previous 6 hours (B1)"
    )
    assert all(label.endswith(f"({value[:2]})") for value, label in choices.items())


def test_the_closing_warning_speaks_plainly(client, deployment, teams, people):
    services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={"risk_note_updates_same_shift_pct": 80},
        team=teams["Yew"],
        observed_at=at(23, 15),
    )
    client.force_login(people.registered_manager)
    text = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert "Keep enhanced review in place until every weak group aligns." in text
    assert_plain(text)


def test_the_deploy_page_speaks_plainly(client, match, people):
    client.force_login(people.registered_manager)
    text = client.get(reverse("adoption:deploy", args=[match.pk])).text
    assert_plain(text)
