"""A role nobody holds is said for where it is held: a provider-wide role (the Quality Director) for
the provider, never for the service or region where the work waits; a service's role for the service."""

import pytest

from providers.who_acts import nobody_holds

pytestmark = pytest.mark.django_db


def test_a_provider_wide_role_is_said_for_the_provider_not_the_service(elm_house):
    words = nobody_holds(elm_house, "Quality Director")
    assert words == (
        "Nobody at Oakwood Care Group holds the Quality Director role yet: ask your provider administrator"
    )
    assert "Elm House" not in words


def test_a_provider_wide_role_is_said_for_the_provider_not_the_region(north):
    words = nobody_holds(north, "Governance Officer")
    assert "Nobody at Oakwood Care Group holds the Governance Officer role yet" in words
    assert "North" not in words


def test_a_services_role_keeps_the_service(elm_house):
    words = nobody_holds(elm_house, "Clinical Lead")
    assert words.startswith("Nobody at Elm House holds the Clinical Lead role yet")


def test_a_provider_wide_role_asked_of_the_provider_names_it_once(provider):
    assert nobody_holds(provider, "Quality Director").startswith(
        "Nobody at Oakwood Care Group holds the Quality Director role yet"
    )
