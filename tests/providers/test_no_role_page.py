"""A signed-in person who holds no role now (their last one was removed) is told so, with a way to sign
out, instead of a refusal whose "Go to your dashboard" link leads back to the same refusal."""

import pytest
from django.urls import reverse

from providers import services
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

NO_ROLE = "You hold no role here now. Ask your provider administrator to give you one."


@pytest.fixture
def former_manager(provider, elm_house):
    """Elm House's registered manager, whose only role the administrator has removed."""
    administrator = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")
    person = person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="rm.elmhouse")
    services.remove_role(
        person.role_assignments.get(), by=administrator, reason="Left the service", remove_anyway=True
    )
    return person


def main_of(response) -> str:
    return response.text.split('id="maincontent"', 1)[1].split("</main>", 1)[0]


def test_the_home_page_says_they_hold_no_role_with_a_sign_out_button(client, sign_in, former_manager):
    sign_in(former_manager)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    main = main_of(response)
    assert NO_ROLE in main
    assert f'action="{reverse("logout")}"' in main
    assert 'href="/"' not in main  # no link back to this very page


def test_a_page_their_old_role_opened_says_the_same_rather_than_sending_them_home(
    client, sign_in, former_manager
):
    sign_in(former_manager)
    for url in [reverse("dashboard", args=[Role.REGISTERED_MANAGER]), reverse("organisation")]:
        response = client.get(url)
        assert response.status_code == 403
        main = main_of(response)
        assert NO_ROLE in main
        assert "Go to your dashboard" not in main


def test_someone_with_a_role_still_gets_the_ordinary_refusal(client, sign_in, registered_manager):
    sign_in(registered_manager)
    response = client.get(reverse("dashboard", args=[Role.QUALITY_DIRECTOR]))
    assert response.status_code == 403
    assert "You cannot open this page" in response.text
    assert NO_ROLE not in response.text
