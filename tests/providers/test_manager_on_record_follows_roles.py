"""The registered manager on record (`Service.registered_manager`) follows the Registered Manager role:
giving the role at a service with no one on record puts its holder on record there, and removing it
from the person on record puts the longest-standing other holder there (or no one), in the same
transaction, with history. A second holder (cover, a deputy, a new starter) does not replace the
manager on record: found when cover at Holly Court, and a new starter who could not sign in yet at
Rowan Court, silently became the registered manager and the owner of new learning notices.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning_transfer.services.notices import default_owner
from providers import services
from providers.choices import Role
from providers.models import RoleAssignment, Service
from tests.factories import ServiceFactory, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def hawthorn_house(north):
    return ServiceFactory(region=north, name="Hawthorn House")


@pytest.fixture
def kofi(elm_house, administrator):
    """Elm House's registered manager, given the role by the administrator (so on record there)."""
    kofi = person_with_role(
        Role.SENIOR_CARER_LATE,
        service=elm_house,
        username="rm.elmhouse",
        first_name="Kofi",
        last_name="Price",
    )
    give(kofi, elm_house, administrator)
    return kofi


@pytest.fixture
def lena(elm_house):
    return person_with_role(
        Role.SENIOR_CARER_LATE, service=elm_house, username="lena", first_name="Lena", last_name="Novak"
    )


def give(person, service, by, reason="Registered with CQC for this location"):
    return services.give_role(
        service.provider, by=by, person=person, role=Role.REGISTERED_MANAGER, reason=reason, service=service
    )


def remove(person, service, by, reason="Moved to another home"):
    assignment = RoleAssignment.objects.get(user=person, role=Role.REGISTERED_MANAGER, service=service)
    services.remove_role(assignment, by=by, reason=reason, remove_anyway=True)


def on_record(service):
    return Service.objects.get(pk=service.pk).registered_manager


def test_giving_the_role_puts_the_person_on_record_with_history(elm_house, kofi, administrator):
    assert on_record(elm_house) == kofi
    change = Service.history.filter(id=elm_house.pk).latest("history_date")
    assert change.registered_manager_id == kofi.pk
    assert change.history_user == administrator
    assert change.history_change_reason == (
        "Registered manager on record now Kofi Price: Registered with CQC for this location"
    )


def test_moving_a_manager_leaves_each_service_with_its_current_manager_on_record(
    client, sign_in, elm_house, hawthorn_house, kofi, lena, administrator
):
    give(kofi, hawthorn_house, administrator)
    remove(kofi, elm_house, administrator)
    assert on_record(hawthorn_house) == kofi
    assert on_record(elm_house) is None

    give(lena, elm_house, administrator)
    assert on_record(elm_house) == lena
    assert default_owner(Service.objects.get(pk=elm_house.pk)) == lena

    sign_in(administrator)
    detail = client.get(reverse("service_detail", args=[elm_house.pk])).text
    assert "Lena Novak" in detail.split("Registered manager", 1)[1].split("</dd>", 1)[0]
    organisation = client.get(reverse("organisation")).text
    assert "Kofi Price" in organisation.split("Hawthorn House", 1)[1].split("</tr>", 1)[0]


def test_removing_the_manager_on_record_puts_the_longest_standing_other_holder_on_record(
    elm_house, kofi, lena, administrator
):
    amir = person_with_role(Role.SENIOR_CARER_LATE, service=elm_house, first_name="Amir", last_name="Shah")
    give(amir, elm_house, administrator, reason="Covering while Kofi is on leave")
    give(lena, elm_house, administrator)
    assert on_record(elm_house) == kofi  # cover and a second holder do not replace him
    assert default_owner(Service.objects.get(pk=elm_house.pk)) == kofi

    remove(kofi, elm_house, administrator, reason="Kofi retired")
    assert on_record(elm_house) == amir  # held it longest among those left
    change = Service.history.filter(id=elm_house.pk).latest("history_date")
    assert (change.history_user, change.history_change_reason) == (
        administrator,
        "Registered manager on record now Amir Shah: Kofi retired",
    )


def test_removing_another_holder_leaves_the_manager_on_record_alone(elm_house, kofi, lena, administrator):
    changes = Service.history.filter(id=elm_house.pk).count()
    give(lena, elm_house, administrator)
    remove(lena, elm_house, administrator)
    assert on_record(elm_house) == kofi
    assert Service.history.filter(id=elm_house.pk).count() == changes


def test_a_refused_role_change_leaves_the_record_unchanged(elm_house, kofi, administrator):
    changes = Service.history.filter(id=elm_house.pk).count()
    with pytest.raises(ValidationError):
        give(kofi, elm_house, administrator)  # he already holds it there
    assert on_record(elm_house) == kofi
    assert Service.history.filter(id=elm_house.pk).count() == changes


def test_giving_a_second_holder_the_role_says_who_stays_on_record(
    client, sign_in, elm_house, kofi, lena, administrator
):
    sign_in(administrator)
    url = reverse("person_give_role", args=[lena.pk]) + f"?provider={elm_house.provider_id}"
    data = {"role": Role.REGISTERED_MANAGER, "service": elm_house.pk, "reason": "Covering Kofi's leave"}
    page = client.post(url, data, follow=True).text
    assert "Kofi Price stays the registered manager on record there." in page
    assert on_record(elm_house) == kofi
