"""A trigger logged from an incident happened where the incident happened: an incident from another of
the provider's services is refused on its field, naming both services."""

import pytest
from django.core.exceptions import ValidationError

from learning_transfer.models import LearningTrigger

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db


@pytest.fixture
def fall_at_ash(falls_provider):
    """One of Ash Grove's falls (the hand-worked example gives it seven)."""
    return falls_provider["ash"].incidents.order_by("pk").first()


def test_an_incident_from_another_service_is_refused(log_falls_trigger, fall_at_ash):
    with pytest.raises(ValidationError) as error:
        log_falls_trigger(source_incident=fall_at_ash)  # the trigger's source service is Elm House
    assert error.value.message_dict == {
        "source_incident": ["This incident happened at Ash Grove, not Elm House."]
    }
    assert not LearningTrigger.objects.exists()


def test_an_incident_from_the_source_service_is_accepted(log_falls_trigger, falls_provider, fall_at_ash):
    trigger = log_falls_trigger(source_service=falls_provider["ash"], source_incident=fall_at_ash)
    assert trigger.source_incident == fall_at_ash


def test_the_trigger_form_shows_the_refusal_on_the_incident(
    client, sign_in, falls_provider, fall_at_ash, quality_director
):
    sign_in(quality_director)
    response = client.post(
        "/learning/triggers/new/",
        {
            "source_service": falls_provider["elm"].pk,
            "source_incident": fall_at_ash.pk,
            "title": "Unwitnessed fall",
            "theme": "fall",
            "risk_tags": ["falls"],
            "match_same_service_type": "on",
            "what_happened": "Found on the floor.",
            "confirmed_at": CONFIRMED.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["source_incident"] == [
        "This incident happened at Ash Grove, not Elm House."
    ]
    assert "This incident happened at Ash Grove, not Elm House." in response.text
    assert not LearningTrigger.objects.exists()


def test_a_failure_is_never_confirmed_before_its_incident_happened(
    log_falls_trigger, falls_provider, fall_at_ash
):
    """Tester's walk (quality director), finding 13: a trigger confirmed a week before its incident."""
    from datetime import timedelta

    before = fall_at_ash.occurred_at - timedelta(days=7)
    with pytest.raises(ValidationError) as error:
        log_falls_trigger(
            source_service=falls_provider["ash"], source_incident=fall_at_ash, confirmed_at=before
        )
    assert error.value.message_dict["confirmed_at"][0].startswith(
        "The failure cannot be confirmed before its incident happened ("
    )
    assert not LearningTrigger.objects.exists()
