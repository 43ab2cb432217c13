"""A trigger logged from an incident happened where the incident happened: an incident from another of
the provider's services is refused on its field, naming both services."""

import pytest
from django.core.exceptions import ValidationError

from learning_transfer.models import LearningTrigger
from learning_transfer.services.triggers import LOG_AGAIN

from .conftest import trigger_form

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
        trigger_form(falls_provider, source_incident=fall_at_ash.pk, what_happened="Found on the floor."),
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


def _post(client, falls_provider, incident, title, **extra):
    form = trigger_form(
        falls_provider,
        source_service=falls_provider["ash"].pk,
        source_incident=incident.pk,
        title=title,
        what_happened="Found on the floor.",
    )
    return client.post("/learning/triggers/new/", form | extra)


def test_an_incident_logged_already_is_named_and_a_second_case_asked_for(
    client, sign_in, log_falls_trigger, falls_provider, fall_at_ash, quality_director
):
    """Found by a tester: the "Log as trigger" link of an incident opened again (an old tab, a
    colleague's screen) logged the same incident as a second serious failure with no word, starting a
    second case with its own deadlines and escalations."""
    first = log_falls_trigger(source_service=falls_provider["ash"], source_incident=fall_at_ash)
    sign_in(quality_director)
    form = client.get(f"/learning/triggers/new/?incident={fall_at_ash.pk}").text
    assert (
        f'This incident is already logged as <a href="{first.get_absolute_url()}">{first.reference}' in form
    )

    response = _post(client, falls_provider, fall_at_ash, "The same fall, logged again")
    assert response.status_code == 200
    assert response.context["form"].errors[LOG_AGAIN] == [
        f"Incident {fall_at_ash.source_reference} is already logged as {first.reference} {first.title}: "
        "logging it again starts a second case, with its own deadlines and escalations. Open that one, "
        "or tick the box if this is another serious failure from the same incident."
    ]
    assert LearningTrigger.objects.count() == 1

    response = _post(
        client,
        falls_provider,
        fall_at_ash,
        "A second failure: the call bell",
        **{LOG_AGAIN: "on", "log_late": "on"},  # confirmed days ago, as the first: its steps start overdue
    )
    assert response.status_code == 302, response.context["form"].errors
    assert LearningTrigger.objects.count() == 2
