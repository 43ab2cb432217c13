"""A quality director sees the whole provider, so a password alone never lets them in; a registered
manager, who sees one service, may choose two-step login but is not made to."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from providers.choices import Role
from tests.accessibility import assert_accessible
from tests.factories import UserFactory, give_role

from .conftest import code_from_app, log_in

pytestmark = pytest.mark.django_db


def test_a_quality_director_without_an_app_is_sent_to_set_one_up_then_gets_in(client, quality_director):
    log_in(client, "quality")
    response = client.get(reverse("organisation"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))

    page = client.get(response.url)
    assert "Set up your authenticator app" in page.text
    assert "<svg" in page.text, "the QR code is drawn in the page"
    assert_accessible(page.text)

    device = TOTPDevice.objects.get(user=quality_director, confirmed=False)
    saved = client.post(response.url, {"code": code_from_app(device), "next": reverse("organisation")})
    assert "Save your recovery codes" in saved.text
    assert client.get(reverse("organisation")).status_code == 200


def test_a_wrong_set_up_code_is_refused_with_an_error_summary(client, quality_director):
    log_in(client, "quality")
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "There is a problem" in response.text and "The code is not right" in response.text
    assert_accessible(response.text)
    assert not TOTPDevice.objects.filter(user=quality_director, confirmed=True).exists()
    assert client.get(reverse("organisation")).status_code == 302


def test_a_quality_director_with_an_app_is_asked_for_a_code_after_the_password(
    client, enrolled_quality_director
):
    device = TOTPDevice.objects.get(user=enrolled_quality_director)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        log_in(client, "quality")
        response = client.get(reverse("organisation"))
        assert response.url.startswith(reverse("two_factor_verify"))
        assert "Enter your security code" in client.get(response.url).text

        wrong = client.post(reverse("two_factor_verify"), {"code": "123456"})
        assert "The code is not right" in wrong.text
        assert_accessible(wrong.text)
        too_soon = client.post(reverse("two_factor_verify"), {"code": code_from_app(device)})
        assert "Wait 1 second before you try another code" in too_soon.text, "a guesser is slowed down"

        clock.shift(timedelta(seconds=2))
        right = client.post(
            reverse("two_factor_verify"), {"code": code_from_app(device), "next": reverse("organisation")}
        )
        assert right.status_code == 302 and right.url == reverse("organisation")
        assert client.get(reverse("organisation")).status_code == 200


def test_a_stolen_password_cannot_replace_the_app(client, enrolled_quality_director):
    log_in(client, "quality")
    response = client.get(reverse("two_factor_setup"))
    assert response.url.startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize("url_name", ["home", "organisation", "two_factor_account", "admin:index"])
def test_before_the_second_step_only_set_up_check_and_log_out_open(
    client, enrolled_quality_director, url_name
):
    log_in(client, "quality")
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))


def test_a_superuser_needs_the_second_step_too(client):
    UserFactory(username="operator", is_superuser=True, is_staff=True)
    log_in(client, "operator")
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("two_factor_setup"))


def test_log_out_works_before_the_second_step(client, enrolled_quality_director):
    log_in(client, "quality")
    client.post(reverse("logout"))
    assert client.get(reverse("organisation")).url.startswith(reverse("login"))


def test_a_registered_manager_gets_in_with_the_password_alone(client, registered_manager):
    log_in(client, "elm-manager")
    assert (
        client.get(
            reverse("service_detail", args=[registered_manager.role_assignments.get().service_id])
        ).status_code
        == 200
    )


def test_a_registered_manager_who_chose_two_step_login_is_asked_for_a_code(client, registered_manager):
    TOTPDevice.objects.create(user=registered_manager, name="Authenticator app", confirmed=True)
    log_in(client, "elm-manager")
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_verify"))


def test_a_new_provider_level_role_takes_effect_at_the_next_page(client, registered_manager, provider):
    log_in(client, "elm-manager")
    assert client.get(reverse("home")).status_code == 302  # to the dashboard
    give_role(registered_manager, Role.COMPLIANCE_MANAGER, provider=provider)
    assert client.get(reverse("organisation")).url.startswith(reverse("two_factor_setup"))


def test_the_second_step_check_reads_the_roles_the_page_reads(client, registered_manager):
    """Whether a password-only person owes the second step is asked on every page: it reads their
    roles once with the page's own permission checks, not in a query of its own."""
    log_in(client, "elm-manager")
    url = reverse("service_detail", args=[registered_manager.role_assignments.get().service_id])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    theirs = f'"providers_roleassignment"."user_id" = {registered_manager.pk}'
    role_queries = [q["sql"] for q in captured if theirs in q["sql"]]
    assert len(role_queries) == 1, role_queries


def test_htmx_requests_are_told_to_load_the_check_page(client, enrolled_quality_director):
    log_in(client, "quality")
    response = client.get(reverse("organisation"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("two_factor_verify"))
