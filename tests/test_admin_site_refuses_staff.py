"""The Django admin is for platform operators: a signed-in person who is not one gets the site's own
403 page there (not the admin's unstyled sign-in form asking them to sign in as someone else), and a
visitor who is not signed in is sent to the site's own sign-in page."""

import pytest
from django.conf import settings
from django.urls import reverse

from providers.choices import Role
from tests.factories import UserFactory, person_with_role
from tests.signing_in import signed_in

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["admin:index", "admin:login", "admin:providers_service_changelist"]
ADMIN_FORM = "You are authenticated as"


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_a_signed_in_person_who_is_no_operator_gets_the_sites_403_page(client, elm_house, name):
    analyst = person_with_role(
        Role.PERFORMANCE_ANALYST, provider=elm_house.provider, username="performance.analyst"
    )
    signed_in(client, analyst)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert ADMIN_FORM not in response.text and 'name="password"' not in response.text
    assert "403.html" in [template.name for template in response.templates]


def test_a_staff_member_who_is_no_superuser_is_refused_too(client, elm_house):
    staff = UserFactory(username="staff", is_staff=True)
    signed_in(client, staff)
    assert client.get(reverse("admin:index")).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_a_visitor_not_signed_in_goes_to_the_sites_own_sign_in_page(client, name):
    response = client.get(reverse(name), follow=True)
    last, _ = response.redirect_chain[-1]
    assert last.split("?")[0] == reverse(settings.LOGIN_URL)
    assert "next=/admin/" in last  # and comes back to the admin once signed in
    assert ADMIN_FORM not in response.text


def test_a_platform_operator_keeps_the_admin(client):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    signed_in(client, operator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login")).url == reverse("admin:index")


def test_the_administrator_is_not_sent_to_themselves(client, elm_house):
    """Found: the refusal told the provider administrator to "ask your provider administrator"."""
    administrator = person_with_role(
        Role.PROVIDER_ADMINISTRATOR, provider=elm_house.provider, username="admin"
    )
    signed_in(client, administrator)
    page = client.get(reverse("admin:index")).text
    assert "ask your provider administrator" not in page
    assert "ask another provider administrator or the platform's operators" in page
