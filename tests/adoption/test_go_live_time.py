"""When the learning went live is a time already past (a few minutes of clock difference allowed) and
not before the learning reached the service (its notice acknowledged): otherwise the deploy form
refuses it beside the field, keeps what was entered, and the learning can still be deployed. UK
day/month/year times are accepted. The clock stands at Tuesday 24 November 2026, noon; the failure was
confirmed on Monday 16th at 10:00 and Elm House acknowledged the learning at 12:00."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption.models import Deployment

from .conftest import at, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


def fields(deployed_at) -> dict:
    return {
        "deployed_at": deployed_at,
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    }


def test_the_service_refuses_a_go_live_time_in_the_future(match, people):
    with pytest.raises(ValidationError) as refused:
        deploy(match, people.registered_manager, deployed_at=at(24, 13))
    assert "future" in refused.value.message_dict["deployed_at"][0]
    assert not Deployment.objects.exists()


def test_the_service_refuses_a_go_live_time_before_the_learning_reached_the_service(match, people):
    with pytest.raises(ValidationError) as refused:
        deploy(match, people.registered_manager, deployed_at=at(16, 9))
    assert "Mon 16 Nov 2026, 12:00" in refused.value.message_dict["deployed_at"][0]
    assert not Deployment.objects.exists()


def test_a_few_minutes_of_clock_difference_are_allowed(match, people):
    assert deploy(match, people.registered_manager, deployed_at=at(24, 12, 3)).deployed_at == at(24, 12, 3)


@pytest.mark.parametrize(
    ("deployed_at", "says"),
    [
        ("2099-01-01 10:00", "cannot be in the future"),
        ("2026-11-16 09:00", "before the learning reached Elm House (Mon 16 Nov 2026, 12:00)"),
    ],
)
def test_the_form_refuses_the_time_beside_the_field_and_the_match_can_still_be_deployed(
    client, match, people, deployed_at, says
):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[match.pk])
    refused = client.post(url, fields(deployed_at))
    assert refused.status_code == 200
    form = refused.context["form"]
    assert says in " ".join(form.errors["deployed_at"]) and not form.non_field_errors()
    assert 'href="#id_deployed_at"' in refused.text
    assert form["baseline_omissions_per_100"].value() == "2.1", "what was entered is kept"
    assert not Deployment.objects.exists()
    assert client.post(url, fields("2026-11-23 09:00")).status_code == 302
    assert Deployment.objects.get().deployed_at == at(23, 9)


def test_a_uk_day_month_year_time_is_accepted(client, match, people):
    client.force_login(people.registered_manager)
    response = client.post(reverse("adoption:deploy", args=[match.pk]), fields("23/11/2026 09:00"))
    assert response.status_code == 302
    assert Deployment.objects.get().deployed_at == at(23, 9)


def test_the_time_refused_is_shown_with_the_other_errors(client, match, people):
    client.force_login(people.registered_manager)
    response = client.post(
        reverse("adoption:deploy", args=[match.pk]),
        fields("2099-01-01 10:00") | {"baseline_drill_pct": "150"},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"deployed_at", "baseline_drill_pct"}


def test_the_deploy_page_says_the_shift_in_progress_has_no_check_of_its_own(client, match, people):
    """Found: the page promised "a check in the first 4 hours of each shift", but the shift in which the
    learning went live had none: the first check is of the next shift to start."""
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deploy", args=[match.pk])).text
    assert "the shift in progress at that moment has no check of its own" in page
