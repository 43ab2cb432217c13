"""Staff see and act on their own provider's updates only; service-level staff see none."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from providers.choices import Role
from reporting_control import services
from tests.factories import person_with_role


@pytest.fixture
def outsider(other_provider_service):
    """The Provider Director of another provider."""
    return person_with_role(
        Role.PROVIDER_DIRECTOR, provider=other_provider_service.provider, username="outsider-director"
    )


def test_staff_of_another_provider_get_404_and_see_nothing(client, sign_in, evidenced_update, outsider):
    sign_in(outsider)
    assert "Falls learning" not in client.get(reverse("reporting_control:update_list")).text
    pk = evidenced_update.pk
    assert client.get(reverse("reporting_control:update_detail", args=[pk])).status_code == 404
    assert client.post(reverse("reporting_control:release", args=[pk])).status_code == 404
    assert (
        client.post(reverse("reporting_control:hold_lift", args=[pk]), {"reason": "Mine now"}).status_code
        == 404
    )


def test_the_rules_hold_in_the_services_too(evidenced_update, outsider):
    with pytest.raises(PermissionDenied):
        services.place_hold(evidenced_update, by=outsider, reason="Not yours.")
    with pytest.raises(PermissionDenied):
        services.release_update(evidenced_update, by=outsider)
    with pytest.raises(PermissionDenied):
        services.request_pack(evidenced_update, by=outsider)


def test_a_registered_manager_has_no_reporting_pages(client, evidenced_update, registered_manager):
    client.force_login(registered_manager)
    assert client.get(reverse("reporting_control:update_list")).status_code == 403
    assert (
        client.get(reverse("reporting_control:update_detail", args=[evidenced_update.pk])).status_code == 403
    )


def test_a_quality_director_reads_but_cannot_release(client, sign_in, evidenced_update, quality_director):
    sign_in(quality_director)
    assert (
        client.get(reverse("reporting_control:update_detail", args=[evidenced_update.pk])).status_code == 200
    )
    assert client.post(reverse("reporting_control:release", args=[evidenced_update.pk])).status_code == 403
