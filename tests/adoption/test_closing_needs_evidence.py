"""Live monitoring ends only on evidence that practice aligned: at least one team, shift or location
observed, and the final review "Confirm the change has lasted" (B5) recorded. The page says why closing
is not available yet, linking to the review; a close without a reason shows the NHS error summary
linked to the reason box. The clock stands at Tuesday 24 November 2026, noon."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption import services
from escalation.choices import StepRunState
from tests.accessibility import assert_accessible

from .conftest import at, deploy, lasting_review, ready_to_close, record_lasting_review

pytestmark = pytest.mark.django_db

NOTHING_OBSERVED = "No team, shift or location has been observed yet: nothing shows practice aligned."


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def observe_aligned(deployment, people):
    services.record_team_observation(
        deployment,
        by=people.service_improvement_lead,
        step_code="B1",
        values={"record_completion_pct": 95},
        location="First floor",
        observed_at=at(23, 11),
    )


def close(deployment, people, reason="Every group aligned."):
    return services.close_deployment(deployment, by=people.registered_manager, reason=reason)


def test_closing_straight_after_deploying_is_refused(deployment, people):
    with pytest.raises(ValidationError) as refused:
        close(deployment, people, reason="ok")
    assert NOTHING_OBSERVED in refused.value.messages
    deployment.refresh_from_db()
    assert deployment.status == "active"
    assert lasting_review(deployment).state == StepRunState.DUE, "the final review stays open"


def test_closing_before_the_final_review_is_refused_naming_it_and_when_it_is_due(deployment, people):
    observe_aligned(deployment, people)
    with pytest.raises(ValidationError) as refused:
        close(deployment, people)
    assert refused.value.messages == [
        "Monitoring cannot end before the final review “Confirm the change has lasted” (B5) is "
        "recorded: it is due by Thu 26 Nov 2026, 09:36."
    ]
    deployment.refresh_from_db()
    assert deployment.status == "active"


def test_with_an_observation_and_the_final_review_recorded_monitoring_can_end(deployment, people):
    observe_aligned(deployment, people)
    record_lasting_review(deployment, people.registered_manager)
    close(deployment, people)
    deployment.refresh_from_db()
    assert deployment.status == "closed"


def test_the_page_says_why_closing_is_not_available_and_links_to_the_final_review(client, deployment, people):
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert "No team, shift or location is weak now" not in page
    assert NOTHING_OBSERVED in page
    assert reverse("escalation:step_run", args=[lasting_review(deployment).pk]) in page
    assert "Confirm the change has lasted" in page and "Thu 26 Nov 2026, 09:36" in page
    assert 'action="' + reverse("adoption:close", args=[deployment.pk]) not in page
    assert_accessible(page)


def test_once_ready_the_page_offers_closing(client, deployment, people):
    ready_to_close(deployment, people)
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert 'action="' + reverse("adoption:close", args=[deployment.pk]) in page
    assert NOTHING_OBSERVED not in page


def test_closing_with_no_reason_shows_the_error_summary_linked_to_the_reason_box(client, deployment, people):
    ready_to_close(deployment, people)
    client.force_login(people.registered_manager)
    response = client.post(reverse("adoption:close", args=[deployment.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    form = response.context["close_form"]
    assert form.errors["reason"] == ["Give the reason monitoring can end."]
    assert f'href="#{form["reason"].id_for_label}"' in response.text
    assert "nhsuk-textarea--error" in response.text
    deployment.refresh_from_db()
    assert deployment.status == "active"
    assert_accessible(response.text)


def test_a_refusal_of_the_service_shows_in_the_error_summary(client, deployment, people):
    client.force_login(people.registered_manager)
    response = client.post(reverse("adoption:close", args=[deployment.pk]), {"reason": "ok"})
    assert response.status_code == 200
    assert "There is a problem" in response.text and NOTHING_OBSERVED in response.text
    deployment.refresh_from_db()
    assert deployment.status == "active"
