"""People and roles: the last provider administrator's role is not offered for removal, and
commissioners are listed on their own, without actions (the platform's operators set them up)."""

import pytest
from django.urls import reverse

from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

PEOPLE = reverse("people")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def test_the_last_administrators_remove_page_says_so_and_offers_no_removal(
    client, sign_in, administrator, provider
):
    sign_in(administrator)
    url = reverse("role_remove", args=[administrator.role_assignments.get().pk])
    page = client.get(url).text
    assert "last provider administrator" in page
    assert "Remove anyway" not in page
    assert "Remove the role</button>" not in page
    response = client.post(url, {"reason": "Leaving", "remove_anyway": "on"})
    assert "last provider administrator" in response.text
    assert administrator.role_assignments.exists()


def test_commissioners_are_listed_apart_without_actions(
    client, sign_in, administrator, commissioner, quality_director
):
    sign_in(administrator)
    page = client.get(PEOPLE).text
    assert "set up by the platform's operators" in page
    section = page.split('id="commissioners"')[1]
    assert str(commissioner) in section
    assert str(quality_director) not in section
    assignment = commissioner.role_assignments.get()
    assert reverse("role_remove", args=[assignment.pk]) not in page
    assert reverse("person_give_role", args=[commissioner.pk]) not in page
    assert reverse("person_give_role", args=[quality_director.pk]) in page
    assert client.get(reverse("role_remove", args=[assignment.pk])).status_code == 404
    # Nor can they be given a role here by address.
    give = reverse("person_give_role", args=[commissioner.pk])
    assert "set up by the platform&#x27;s operators" in client.get(give).text
    client.post(give, {"role": Role.GOVERNANCE_OFFICER, "reason": "x"})
    assert commissioner.role_assignments.count() == 1
