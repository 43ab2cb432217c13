"""The provider administrator switches off the sign-in of a leaver who holds no role now, and back on."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from providers import services
from providers import sign_in as signing
from providers.actions import AlreadyDone
from providers.choices import Role
from tests.factories import ProviderFactory, give_role, person_with_role

pytestmark = pytest.mark.django_db

PEOPLE = reverse("people")
PASSWORD = "correct-horse-battery"  # the factories' password


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def beth(provider, administrator):
    """A leaver: her only role was removed, so People shows her with "No role now"."""
    beth = person_with_role(
        Role.GOVERNANCE_OFFICER, provider=provider, username="beth.hart", first_name="Beth", last_name="Hart"
    )
    assignment = beth.role_assignments.get()
    services.remove_role(assignment, by=administrator, reason="Left", remove_anyway=True)
    return beth


def off_url(person):
    return reverse("sign_in_off", args=[person.pk])


def on_url(person):
    return reverse("sign_in_on", args=[person.pk])


def can_sign_in(person) -> bool:
    other = Client()
    other.post(reverse("login"), {"username": person.username, "password": PASSWORD})
    return "_auth_user_id" in other.session


def test_a_leaver_is_switched_off_with_the_reason_and_can_no_longer_sign_in(
    client, sign_in, administrator, beth
):
    assert can_sign_in(beth)
    sign_in(administrator)
    assert off_url(beth) in client.get(PEOPLE).text
    assert "Switch off Beth Hart" in client.get(off_url(beth)).text
    assert "Give the reason" in client.post(off_url(beth), {"reason": " "}).text
    response = client.post(off_url(beth), {"reason": "Left the organisation"}, follow=True)
    assert "Beth Hart can no longer sign in" in response.text
    beth.refresh_from_db()
    assert not beth.is_active
    latest = beth.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (administrator, "Left the organisation")
    assert not can_sign_in(beth)
    page = client.get(PEOPLE).text
    assert "Sign-in switched off" in page
    assert on_url(beth) in page and off_url(beth) not in page


def test_a_double_submit_changes_nothing(client, sign_in, administrator, beth):
    sign_in(administrator)
    client.post(off_url(beth), {"reason": "Left"})
    rows = beth.history.count()
    response = client.post(off_url(beth), {"reason": "Left"}, follow=True)
    # Found: a double click showed only "Nothing changed", as if the first press had failed: it names
    # who switched it off, and when.
    assert f"Beth Hart&#x27;s sign-in is already switched off, by {administrator} on " in response.text
    assert beth.history.count() == rows


def test_switched_back_on_with_the_reason(client, sign_in, administrator, beth):
    sign_in(administrator)
    client.post(off_url(beth), {"reason": "Left"})
    response = client.post(on_url(beth), {"reason": "Came back"}, follow=True)
    assert "Beth Hart can sign in again" in response.text
    beth.refresh_from_db()
    assert beth.is_active
    assert beth.history.latest().history_change_reason == "Came back"
    assert can_sign_in(beth)


def test_a_switched_off_person_is_signed_out_at_their_next_page(client, sign_in, administrator, beth):
    theirs = Client()
    sign_in(beth, theirs)
    sign_in(administrator)
    client.post(off_url(beth), {"reason": "Left"})
    assert not theirs.get(reverse("home")).wsgi_request.user.is_authenticated


def test_someone_holding_a_role_is_not_offered_it_and_is_refused(
    client, sign_in, administrator, quality_director
):
    sign_in(administrator)
    assert off_url(quality_director) not in client.get(PEOPLE).text
    page = client.get(off_url(quality_director)).text
    assert "remove their roles first" in page and "<form" not in page.split("<main")[-1]
    client.post(off_url(quality_director), {"reason": "Left"})
    quality_director.refresh_from_db()
    assert quality_director.is_active


def test_someone_holding_a_role_at_another_provider_keeps_their_sign_in(administrator, beth):
    give_role(beth, Role.QUALITY_DIRECTOR, provider=ProviderFactory(name="Riverside"))
    with pytest.raises(ValidationError, match="another provider"):
        signing.switch_off(administrator.role_assignments.get().provider, beth, by=administrator, reason="x")
    beth.refresh_from_db()
    assert beth.is_active


def test_nobody_switches_themselves_off(administrator, provider):
    with pytest.raises(ValidationError, match="your own sign-in"):
        signing.switch_off(provider, administrator, by=administrator, reason="x")


def test_another_providers_person_is_a_404_and_only_the_administrator_may(
    client, sign_in, administrator, beth, quality_director
):
    stranger = person_with_role(Role.QUALITY_DIRECTOR, username="stranger")
    sign_in(administrator)
    assert client.get(off_url(stranger)).status_code == 404
    assert client.post(off_url(stranger), {"reason": "x"}).status_code == 404
    sign_in(quality_director)
    assert client.post(off_url(beth), {"reason": "x"}).status_code == 403
    beth.refresh_from_db()
    assert beth.is_active


def test_a_switched_off_person_is_given_no_role_until_switched_back_on(
    client, sign_in, administrator, beth, provider
):
    sign_in(administrator)
    client.post(off_url(beth), {"reason": "Left"})
    give = reverse("person_give_role", args=[beth.pk])
    page = client.get(give).text
    assert "Switch their sign-in back on first" in page
    role = {"role": Role.GOVERNANCE_OFFICER, "reason": "Back"}
    client.post(give, role)
    response = client.post(PEOPLE, {"person": beth.pk, **role})
    assert "Switch their sign-in back on first" in response.text
    assert not beth.role_assignments.exists()
    with pytest.raises(AlreadyDone):
        signing.switch_off(provider, beth, by=administrator, reason="Again")
