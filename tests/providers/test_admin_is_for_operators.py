"""The Django admin lists every provider's rows unscoped, so it is for platform operators only: a staff
member who is not a superuser gets nothing from any admin URL, whatever model permissions they hold."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from providers.choices import Role
from tests.factories import UserFactory, give_role
from tests.providers.authorisation.test_authorisation_matrix import admin_url, url_patterns
from tests.signing_in import signed_in

pytestmark = pytest.mark.django_db

SIGN_IN_PAGES = {"admin:login", "admin:logout"}


def test_staff_non_superuser_gets_nothing_from_admin(client, elm_house):
    staff = UserFactory(username="staff-with-every-permission", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    give_role(staff, Role.QUALITY_DIRECTOR, provider=elm_house.provider)
    signed_in(client, staff)
    answered = []
    for name, pattern in url_patterns().items():
        if not name.startswith("admin:") or name in SIGN_IN_PAGES:
            continue
        url = admin_url(name, pattern)
        for response in (client.get(url), client.post(url)):
            refused = response.status_code in (302, 403) and (
                response.status_code == 403 or response["Location"].startswith(reverse("admin:login"))
            )
            if not refused:
                answered.append(f"{response.request['REQUEST_METHOD']} {url}: {response.status_code}")
    assert answered == []
    assert elm_house.name not in client.get(reverse("admin:providers_service_changelist"), follow=True).text


def test_a_platform_operator_uses_the_admin(client, elm_house):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    signed_in(client, operator)
    assert client.get(reverse("admin:index")).status_code == 200
    services = client.get(reverse("admin:providers_service_changelist"))
    assert services.status_code == 200 and elm_house.name in services.text


def test_an_operator_is_not_provider_staff_in_the_app(client, elm_house):
    """Operating the platform is not a role at a provider: a superuser with no role acts on nothing."""
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    assert not operator.has_perm("providers.view_service", elm_house)
    assert not operator.has_perm("learning_transfer.log_trigger", elm_house.provider)
    signed_in(client, operator)
    assert client.get(reverse("service_detail", args=[elm_house.pk])).status_code == 403
