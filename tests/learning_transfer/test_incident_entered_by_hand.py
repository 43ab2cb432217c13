"""An incident entered by hand keeps the import's rules and leads somewhere the person may go: the
number of people affected is refused outside the import's limits with one message, and after saving a
registered manager (who reviews no incidents) lands on their dashboard, not on a refusal."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from learning_transfer import import_columns, imports
from learning_transfer.models import Incident
from learning_transfer.services import record_incident

from .conftest import LONDON

pytestmark = pytest.mark.django_db
OUT_OF_RANGE = "Give the number of people affected as a whole number from 1 to 10,000."


def incident_form(service, people_affected, reference="HAND-1") -> dict:
    return {
        "service": service.pk,
        "source_reference": reference,
        "occurred_at": "2026-11-02T14:30",
        "theme": "fall",
        "harm_level": "low",
        "people_affected": people_affected,
    }


def test_the_form_and_the_import_share_one_limit():
    assert imports.MAX_PEOPLE_AFFECTED == 10_000  # the message below names the import's own limit
    assert (
        "from 1 to 10,000"
        in next(c for c in import_columns.INCIDENT_COLUMNS if c.name == "people_affected").description
    )


@pytest.mark.parametrize("people", ["0", "-1", "10001", "99999999999", "99999999999999999999"])
def test_any_number_outside_the_imports_limits_gets_one_clear_message(
    client, sign_in, elm_house, quality_director, people
):
    sign_in(quality_director)
    response = client.post("/learning/incidents/new/", incident_form(elm_house, people))
    assert response.status_code == 200
    assert response.context["form"].errors["people_affected"] == [OUT_OF_RANGE]
    assert f'value="{people}"' in response.text  # what was typed stays in the box
    assert not Incident.objects.exists()


@pytest.mark.parametrize("people", [1, 10_000])
def test_the_limits_themselves_are_accepted(client, sign_in, elm_house, quality_director, people):
    sign_in(quality_director)
    response = client.post("/learning/incidents/new/", incident_form(elm_house, people))
    assert response.status_code == 302
    assert Incident.objects.get().people_affected == people


@pytest.mark.parametrize("people", [0, 10_001])
def test_the_service_refuses_what_the_import_refuses(elm_house, quality_director, people):
    with pytest.raises(ValidationError) as error:
        record_incident(
            by=quality_director,
            service=elm_house,
            source_reference="HAND-2",
            occurred_at=datetime(2026, 11, 2, 14, 30, tzinfo=LONDON),
            theme="fall",
            people_affected=people,
        )
    assert error.value.message_dict == {"people_affected": [OUT_OF_RANGE]}
    assert not Incident.objects.exists()


def test_a_registered_manager_goes_to_their_dashboard_after_recording_an_incident(
    client, sign_in, registered_manager, elm_house
):
    sign_in(registered_manager)
    response = client.post("/learning/incidents/new/", incident_form(elm_house, 1), follow=True)
    assert response.status_code == 200
    assert [url for url, _ in response.redirect_chain][-1] == "/dashboard/registered_manager/"
    assert "You cannot open this page" not in response.text
    assert "Incident HAND-1 recorded at Elm House." in response.text
    assert Incident.objects.get().service == elm_house


def test_a_quality_director_goes_to_the_review_list_after_recording_an_incident(
    client, sign_in, quality_director, elm_house
):
    sign_in(quality_director)
    response = client.post("/learning/incidents/new/", incident_form(elm_house, 1), follow=True)
    assert response.redirect_chain[-1][0] == "/learning/review/"
    assert "Incident HAND-1 recorded at Elm House." in response.text


def test_a_double_tap_says_it_was_recorded_and_a_clash_is_refused(
    client, sign_in, quality_director, elm_house
):
    """Tester's walk (quality director), finding 8: the second of two taps showed "This service already
    has an incident with this source reference." although the first had saved it."""
    sign_in(quality_director)
    client.post("/learning/incidents/new/", incident_form(elm_house, 1))
    again = client.post("/learning/incidents/new/", incident_form(elm_house, 1), follow=True)
    assert again.redirect_chain[-1][0] == "/learning/review/"
    assert "Incident HAND-1 was already recorded at Elm House: nothing changed." in again.text
    assert Incident.objects.count() == 1
    clash = client.post("/learning/incidents/new/", incident_form(elm_house, 2))
    assert clash.status_code == 200
    assert "Elm House already has an incident with reference HAND-1." in clash.text
    assert Incident.objects.get().people_affected == 1
