"""Dates outside 2000–2100 and ids no record has are field errors, never server errors.

A date in the year 9999 or 1 used to reach the working-time calendar and the rate analysis and
overflow there; an id of twenty nines in a multi-select used to overflow SQLite's integers.
"""

import pytest

from providers.choices import Role
from tests.factories import person_with_role
from tests.signing_in import signed_in

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999"
YEAR_ERROR = "Enter a date between 2000 and 2100."
CHOICE_ERROR = "Select a valid choice"


@pytest.fixture
def compliance_manager(provider):
    return person_with_role(Role.COMPLIANCE_MANAGER, provider=provider, username="compliance")


def log_trigger(client, elm_house, confirmed_at: str):
    return client.post(
        "/learning/triggers/new/",
        {
            "source_service": elm_house.pk,
            "title": "Unwitnessed fall",
            "theme": "fall",
            "risk_tags": ["falls"],
            "what_happened": "Found on the floor.",
            "confirmed_at": confirmed_at,
        },
    )


@pytest.mark.parametrize("confirmed_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_failure_confirmed_in_the_year_9999_or_1_is_a_field_error(
    client, elm_house, quality_director, confirmed_at
):
    signed_in(client, quality_director)
    response = log_trigger(client, elm_house, confirmed_at)
    assert response.status_code == 200
    assert response.context["form"].errors["confirmed_at"] == [YEAR_ERROR]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_register_filtered_from_the_year_9999_or_1_shows_a_field_error(
    client, elm_house, quality_director, day
):
    signed_in(client, quality_director)
    response = client.get("/learning/", {"confirmed_from": day, "confirmed_to": day})
    assert response.status_code == 200
    assert YEAR_ERROR in response.text


def test_the_register_filtered_by_a_huge_service_id_shows_a_field_error(client, elm_house, quality_director):
    signed_in(client, quality_director)
    response = client.get("/learning/", {"service": HUGE_ID})
    assert response.status_code == 200
    assert "Choose one of the choices listed under “Where it happened”." in response.text


def test_an_update_covering_a_huge_service_id_is_a_field_error(client, elm_house, compliance_manager):
    signed_in(client, compliance_manager)
    response = client.post(
        "/reporting/new/",
        {
            "title": "Falls learning update",
            "audience": "commissioner",
            "issue_at": "2099-01-01T10:00",
            "services": [elm_house.pk, HUGE_ID],
            "triggers": ["-" + HUGE_ID],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert CHOICE_ERROR in errors["services"][0] and CHOICE_ERROR in errors["triggers"][0]


@pytest.mark.parametrize("issue_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_update_issued_in_the_year_9999_or_1_is_a_field_error(client, compliance_manager, issue_at):
    signed_in(client, compliance_manager)
    response = client.post(
        "/reporting/new/",
        {"title": "Falls learning update", "audience": "commissioner", "issue_at": issue_at},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["issue_at"] == [YEAR_ERROR]


def test_a_username_longer_than_any_account_is_a_field_error(client):
    response = client.post("/login/", {"username": "🙂" * 300, "password": "not-a-password"})
    assert response.status_code == 200
    # In the house's words (config/forms.py), not Django's "Ensure this value has at most …".
    assert "Shorten the username to 150 characters or fewer (it has 300)." in response.text
