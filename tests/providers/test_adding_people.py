"""The provider administrator adds a person with their first role; the person sets their own password."""

import re

import pytest
from django.urls import reverse

from providers.choices import Role
from providers.models import User
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

URL = reverse("person_add")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def _person(**changes):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "username": "priya.shah",
        "email": "priya.shah@example.org",
        "job_title": "Clinical lead",
        "role": Role.CLINICAL_LEAD,
        "reason": "New starter",
    }
    return {**data, **changes}


def test_a_new_person_gets_their_first_role_and_a_link_to_set_their_password(
    client, sign_in, administrator, elm_house
):
    sign_in(administrator)
    response = client.post(URL, _person(service=elm_house.pk))
    assert response.status_code == 302  # post, redirect, get: a refresh adds nobody twice
    response = client.get(response.url)
    person = User.objects.get(username="priya.shah")
    assert not person.has_usable_password()
    assert person.role_assignments.get().service == elm_house
    assert person.history.get().history_user == administrator
    link = re.search(r'value="(http://testserver/people/set-password/[^"]+)"', response.text).group(1)
    # What to do if it is lost: "remove the role and add them again" ended at "This username is already
    # taken", so the page names the one way that works.
    assert "add them again" not in response.text
    assert "if it is lost, make a new one with “Make a new set-password link”" in response.text

    client.logout()
    form_page = client.get(link, follow=True)
    assert "Choose your password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": "a long and unusual phrase", "new_password2": "a long and unusual phrase"},
        follow=True,
    )
    assert "Your password is set" in done.text
    person.refresh_from_db()
    assert person.check_password("a long and unusual phrase")
    assert "link has expired or was already used" in client.get(link, follow=True).text  # works once


def test_a_username_in_use_is_a_field_error(client, sign_in, administrator, elm_house):
    elsewhere = person_with_role(Role.QUALITY_DIRECTOR, username="riverside.qd")  # another provider's
    sign_in(administrator)
    response = client.post(URL, _person(username=elsewhere.username, service=elm_house.pk))
    assert 'href="#id_username"' in response.text
    assert "already taken" in response.text


def test_a_role_at_the_wrong_scope_adds_no_one(client, sign_in, administrator):
    sign_in(administrator)
    response = client.post(URL, _person())  # a clinical lead needs a service
    assert "Clinical Lead is held for a service: choose one." in response.text
    assert not User.objects.filter(username="priya.shah").exists()


def test_only_the_provider_administrator_may_add_people(client, sign_in, quality_director, elm_house):
    sign_in(quality_director)
    assert client.post(URL, _person(service=elm_house.pk)).status_code == 403
    assert not User.objects.filter(username="priya.shah").exists()
