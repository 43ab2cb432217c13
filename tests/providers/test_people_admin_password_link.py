"""The set-password link: shown once after adding a person (a refresh never adds them again), and made
anew by the provider administrator for someone who has not chosen a password yet."""

import re

import pytest
from django.urls import reverse

from providers.choices import Role
from providers.models import User
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

ADD = reverse("person_add")
PEOPLE = reverse("people")
LINK = re.compile(r'value="(http://testserver/people/set-password/[^"]+)"')


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def priya(client, sign_in, administrator, elm_house):
    """Priya, added by the administrator: she has no password yet."""
    sign_in(administrator)
    client.post(
        ADD,
        {
            "first_name": "Priya",
            "last_name": "Shah",
            "username": "priya.shah",
            "email": "priya.shah@example.org",
            "role": Role.CLINICAL_LEAD,
            "service": elm_house.pk,
            "reason": "New starter",
        },
    )
    return User.objects.get(username="priya.shah")


def new_link_url(person):
    return reverse("person_password_link", args=[person.pk])


def test_adding_a_person_redirects_and_shows_the_link_once(client, sign_in, administrator, elm_house):
    sign_in(administrator)
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "username": "priya.shah",
        "email": "priya.shah@example.org",
        "role": Role.CLINICAL_LEAD,
        "service": elm_house.pk,
        "reason": "New starter",
    }
    response = client.post(ADD, data)
    assert response.status_code == 302  # a refresh of the answer sends no form again
    shown = client.get(response.url).text
    assert "Priya Shah is added" in shown
    assert LINK.search(shown)
    assert "Make a new set-password link" in shown  # what to do if it is lost
    assert "platform operator" not in shown
    again = client.get(response.url).text
    assert not LINK.search(again)
    assert User.objects.filter(username="priya.shah").count() == 1


def test_a_new_link_works_and_the_lost_one_stops_working(client, sign_in, administrator, priya):
    assert new_link_url(priya) in client.get(PEOPLE).text
    page = client.get(new_link_url(priya)).text
    assert "Make a new set-password link for Priya Shah" in page
    response = client.post(new_link_url(priya))
    assert response.status_code == 302
    first = LINK.search(client.get(response.url).text).group(1)
    assert not LINK.search(client.get(response.url).text)  # shown once
    latest = priya.history.latest()
    assert latest.history_user == administrator
    assert "set-password link" in latest.history_change_reason
    second = LINK.search(client.get(client.post(new_link_url(priya)).url).text).group(1)

    client.logout()
    lost = client.get(first, follow=True).text
    assert "This link does not work" in lost
    assert "Ask your provider administrator for a new one" in lost
    form = client.get(second, follow=True)
    assert "Choose your password" in form.text
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long and unusual phrase", "new_password2": "a long and unusual phrase"},
    )
    priya.refresh_from_db()
    assert priya.check_password("a long and unusual phrase")


def test_no_new_link_for_someone_with_a_password_or_themselves(
    client, sign_in, administrator, quality_director
):
    sign_in(administrator)
    people = client.get(PEOPLE).text
    assert new_link_url(quality_director) not in people
    assert new_link_url(administrator) not in people
    page = client.get(new_link_url(quality_director)).text
    assert "already chosen their password" in page
    client.post(new_link_url(quality_director))
    quality_director.refresh_from_db()
    assert quality_director.has_usable_password()
    assert client.get(new_link_url(administrator)).status_code == 404


def test_another_providers_person_is_a_404_and_only_the_administrator_may(
    client, sign_in, administrator, priya, quality_director
):
    stranger = person_with_role(Role.QUALITY_DIRECTOR, username="stranger")
    assert client.post(new_link_url(stranger)).status_code == 404
    sign_in(quality_director)
    assert client.post(new_link_url(priya)).status_code == 403


def test_the_new_person_is_told_their_username(client, sign_in, administrator, elm_house):
    """Found: neither the page that shows the link nor the page it opens said the username, yet the
    new person was then told "Sign in with your username"."""
    sign_in(administrator)
    data = {
        "first_name": "Tom",
        "last_name": "Hale",
        "username": "tom.hale",
        "email": "tom.hale@example.org",
        "role": Role.CLINICAL_LEAD,
        "service": elm_house.pk,
        "reason": "New starter",
    }
    shown = client.get(client.post(ADD, data).url).text
    assert "Give Tom this link and their username, <strong>tom.hale</strong>," in shown
    link = LINK.search(shown).group(1)
    client.logout()

    page = client.get(link, follow=True)
    assert "Your username is <strong>tom.hale</strong>" in page.text
    new_password = "a-long-new-password-2026"
    done = client.post(
        page.request["PATH_INFO"], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Your password is set. Sign in as tom.hale with your new password." in done.text
