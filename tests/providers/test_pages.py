"""Signing in and landing on the right dashboard."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_needs_login(client):
    for url in [reverse("home"), reverse("organisation"), reverse("dashboard", args=["quality_director"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_login_page_rejects_a_wrong_password_with_a_clear_message(client, quality_director):
    response = client.post(reverse("login"), {"username": "quality", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter a correct username and password" in response.text


def test_a_quality_director_lands_on_their_dashboard(client, sign_in, quality_director):
    sign_in(quality_director)  # password and second step (tests/accounts follows each step)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["quality_director"])
    assert "Log serious failures" in response.text


def test_a_commissioner_lands_on_evidence_packs_and_cannot_see_staff_pages(client, commissioner):
    client.force_login(commissioner)
    assert client.get(reverse("home")).url == reverse("reporting_control:commissioner_packs")
    assert client.get(reverse("organisation")).status_code == 403
    assert client.get(reverse("dashboard", args=["commissioner"])).status_code == 403


def test_nobody_opens_a_dashboard_for_a_role_they_do_not_hold(client, registered_manager):
    client.force_login(registered_manager)
    assert client.get(reverse("dashboard", args=["nominated_individual"])).status_code == 403


def test_the_organisation_page_lists_regions_services_managers_and_risk_profiles(
    client, sign_in, quality_director, elm_house, cedar_court, other_provider_service
):
    sign_in(quality_director)
    page = client.get(reverse("organisation")).text
    assert "North" in page and "South" in page
    assert "Elm House" in page and "Medication" in page
    assert "Faraway Manor" not in page


def test_the_organisation_page_makes_the_same_number_of_queries_for_3_or_30_services(
    client, sign_in, quality_director, north
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from providers.choices import RiskTag
    from tests.factories import ServiceFactory

    def queries_for_page():
        sign_in(quality_director)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("organisation")).status_code == 200
        return len(captured)

    ServiceFactory.create_batch(3, region=north, tags=[RiskTag.FALLS])
    few = queries_for_page()
    ServiceFactory.create_batch(27, region=north, tags=[RiskTag.FALLS, RiskTag.MEDICATION])
    assert queries_for_page() == few


def test_repeated_wrong_passwords_lock_that_account_but_not_a_colleague_on_the_same_network(
    client, settings, quality_director, nominated_individual
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "quality", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "quality", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "Your account is locked for now" in locked.text
    colleague = client.post(reverse("login"), {"username": "ni", "password": "correct-horse-battery"})
    assert colleague.status_code == 302
