"""A leaver whose sign-in was switched off is told so when they try to sign in with their right
password; a wrong password still says only that the username or password is wrong."""

import pytest
from django.urls import reverse

from providers.choices import Role
from tests.factories import UserFactory, person_with_role
from tests.signing_in import signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password-2026"


@pytest.fixture
def leaver():
    person = UserFactory(username="beth.hart")
    person.set_password(PASSWORD)
    person.is_active = False
    person.save()
    return person


def test_the_right_password_of_a_switched_off_account_says_it_is_switched_off(client, leaver):
    page = client.post(reverse("login"), {"username": "beth.hart", "password": PASSWORD}).text
    assert "This account has been switched off. Ask your provider administrator." in page
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_nothing_of_the_account(client, leaver):
    page = client.post(reverse("login"), {"username": "beth.hart", "password": "wrong-password"}).text
    assert "Enter a correct username and password." in page
    assert "switched off" not in page


def test_a_switched_off_person_is_given_no_role_until_switched_back_on(provider, elm_house, leaver):
    """The service refuses it, not only the page: a role given as the sign-in is switched off is refused."""
    from django.core.exceptions import ValidationError

    from providers import services
    from providers.choices import Role
    from providers.models import RoleAssignment
    from tests.factories import person_with_role

    administrator = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    RoleAssignment.objects.create(user=leaver, role=Role.CLINICAL_LEAD, provider=provider, service=elm_house)
    RoleAssignment.objects.filter(user=leaver).delete()  # a leaver: one of the provider's people, no role
    with pytest.raises(ValidationError, match="switched off"):
        services.give_role(
            provider,
            by=administrator,
            person=leaver,
            role=Role.CLINICAL_LEAD,
            reason="Back",
            service=elm_house,
        )
    assert not RoleAssignment.objects.filter(user=leaver).exists()


def test_someone_signed_in_when_switched_off_is_told_why_at_their_next_page(client, elm_house):
    """Found: a manager still signed in on the office PC was sent to a bare "Log in" page; the reason
    appeared only after typing the password again."""
    manager = person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="rm.elm")
    signed_in(client, manager)
    manager.is_active = False
    manager.save()

    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Your sign-in was switched off by your provider administrator" in page.text
    assert "_auth_user_id" not in client.session
