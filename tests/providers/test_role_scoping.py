"""People see only what their roles reach; another provider's data is never visible."""

import pytest
from django.urls import reverse

from providers import permissions
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def test_a_registered_manager_sees_only_their_own_service(registered_manager, elm_house, birch_lodge):
    assert list(permissions.visible_services(registered_manager)) == [elm_house]


def test_a_deputy_regional_manager_sees_every_service_in_their_region(
    north, elm_house, birch_lodge, cedar_court
):
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north)
    assert set(permissions.visible_services(deputy)) == {elm_house, birch_lodge}


def test_a_provider_role_sees_the_whole_provider_and_nothing_of_another(
    quality_director, elm_house, birch_lodge, cedar_court, other_provider_service
):
    assert set(permissions.visible_services(quality_director)) == {elm_house, birch_lodge, cedar_court}


def test_a_commissioner_sees_no_service_as_staff(commissioner, elm_house):
    assert not permissions.visible_services(commissioner).exists()
    assert list(permissions.commissioned_services(commissioner)) == [elm_house]


def test_a_registered_manager_cannot_open_another_providers_service(
    client, registered_manager, other_provider_service
):
    client.force_login(registered_manager)
    response = client.get(reverse("service_detail", args=[other_provider_service.pk]))
    assert response.status_code == 404


def test_a_registered_manager_can_open_their_own_service(client, registered_manager, elm_house):
    client.force_login(registered_manager)
    response = client.get(reverse("service_detail", args=[elm_house.pk]))
    assert response.status_code == 200
    assert "Elm House" in response.text


def test_the_named_role_holder_closest_to_the_service_is_chosen(provider, north, elm_house, birch_lodge):
    provider_wide = person_with_role(Role.ON_CALL_MANAGER, service=birch_lodge)
    at_elm = person_with_role(Role.ON_CALL_MANAGER, service=elm_house)
    assert permissions.people_holding(Role.ON_CALL_MANAGER, service=elm_house) == [at_elm]
    assert permissions.people_holding(Role.ON_CALL_MANAGER, service=birch_lodge) == [provider_wide]


def test_a_role_nobody_holds_is_a_gap(elm_house):
    assert permissions.people_holding(Role.CLINICAL_LEAD, service=elm_house) == []
