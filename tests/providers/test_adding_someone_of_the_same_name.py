"""Testers 13 (M2) and 15 (L6): adding a second "Beth Walsh" gave no word that one was already among the
provider's people, so the administrator could make a second account for the same person. Adding a name
already there is asked about first, naming who has it; the person is added once "They are someone
else" is ticked. Nothing is saved until then."""

import pytest
from django.urls import reverse

from providers.choices import Role
from providers.models import User
from tests.factories import person_with_role

from .test_adding_people import _person

pytestmark = pytest.mark.django_db
URL = reverse("person_add")
SOMEONE_ELSE = "same_name_anyway"


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def priya(elm_house):
    person = person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="priya.shah")
    person.first_name, person.last_name = "Priya", "Shah"
    person.save()
    return person


def test_a_name_already_there_is_asked_about_and_nothing_is_saved(
    client, sign_in, administrator, elm_house, priya
):
    sign_in(administrator)
    response = client.post(
        URL, _person(username="priya.shah2", email="p.shah2@example.org", service=elm_house.pk)
    )
    assert response.status_code == 200
    error = response.context["form"].errors[SOMEONE_ELSE][0]
    assert "Priya Shah is already one of your people (priya.shah, Registered Manager at Elm House)" in error
    assert not User.objects.filter(username="priya.shah2").exists()
    assert 'value="priya.shah2"' in response.text  # what was typed is kept

    response = client.post(
        URL,
        _person(
            username="priya.shah2", email="p.shah2@example.org", service=elm_house.pk, **{SOMEONE_ELSE: "on"}
        ),
    )
    assert response.status_code == 302
    assert User.objects.filter(username="priya.shah2").exists()


def test_another_name_is_added_without_asking(client, sign_in, administrator, elm_house, priya):
    sign_in(administrator)
    response = client.post(
        URL,
        _person(
            first_name="Tom",
            last_name="Hale",
            username="tom.hale",
            email="t@example.org",
            service=elm_house.pk,
        ),
    )
    assert response.status_code == 302
