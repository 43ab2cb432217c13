"""A session ends after 30 idle minutes (a care-home PC left signed in) and after 8 hours in any case;
the person is told why when they sign in again. Signed-in pages are never stored by the browser."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_idle_for_longer_than_the_limit_signs_the_person_out(client, registered_manager, elm_house):
    page = reverse("service_detail", args=[elm_house.pk])
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(registered_manager)
        clock.shift(timedelta(minutes=29))
        assert client.get(page).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(page).status_code == 200, "29 idle minutes twice: still signed in"
        clock.shift(timedelta(minutes=31))
        response = client.get(page)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login_page = client.get(response.url)
    assert "you had not used the service for 30 minutes" in login_page.text
    assert client.get(page).url.startswith(reverse("login")), "signed out, not only sent away once"


def test_the_idle_limit_is_configurable(client, settings, registered_manager, elm_house):
    settings.SESSION_IDLE_SECONDS = 5 * 60
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(registered_manager)
        clock.shift(timedelta(minutes=6))
        response = client.get(reverse("service_detail", args=[elm_house.pk]))
    assert response.url.startswith(reverse("login"))
    assert "for 5 minutes" in client.get(response.url).text


def test_a_busy_session_still_ends_after_eight_hours(client, registered_manager, elm_house):
    page = reverse("service_detail", args=[elm_house.pk])
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(registered_manager)
        for _ in range(16):
            clock.shift(timedelta(minutes=29))
            assert client.get(page).status_code == 200
        clock.shift(timedelta(minutes=29))  # 8 h 13 min after signing in
        response = client.get(page)
    assert response.url.startswith(reverse("login"))
    assert "you had been signed in for 8 hours" in client.get(response.url).text


def test_signed_in_pages_are_not_stored(client, registered_manager, elm_house):
    client.force_login(registered_manager)
    response = client.get(reverse("service_detail", args=[elm_house.pk]))
    assert "no-store" in response["Cache-Control"]


def test_the_verify_page_is_not_stored_either(client, quality_director):
    client.force_login(quality_director)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
