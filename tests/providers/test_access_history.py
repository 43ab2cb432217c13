"""Found: every role and sign-in form says its reason is "kept in the history", but no page showed who
gave Claire Dawson the Compliance Manager role, when and why, or who switched off Yusuf Price's sign-in.
The access history lists both, for the administrator and the Nominated Individual only, a page at a
time in the same few queries however long the history is."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from providers import services
from providers import sign_in as sign_ins
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(provider):
    return person_with_role(
        Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin", first_name="Sam", last_name="Patel"
    )


@pytest.fixture
def claire(north):
    return person_with_role(
        Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm", first_name="Claire", last_name="Dawson"
    )


def page_text(client, provider) -> str:
    response = client.get(reverse("access_history") + f"?provider={provider.pk}")
    assert response.status_code == 200
    return " ".join(unescape(strip_tags(response.text)).split())


def test_roles_given_and_removed_and_sign_ins_switched_off_say_who_when_and_why(
    client, sign_in, provider, administrator, claire, nominated_individual
):
    services.give_role(
        provider,
        by=administrator,
        person=claire,
        role=Role.COMPLIANCE_MANAGER,
        reason="Covering Aisha's leave",
    )
    for assignment in RoleAssignment.objects.filter(user=claire):
        services.remove_role(assignment, by=administrator, reason="Left Oakwood", remove_anyway=True)
    sign_ins.switch_off(provider, claire, by=administrator, reason="Left Oakwood on 7 Dec")

    for reader in (administrator, nominated_individual):
        sign_in(reader)
        text = page_text(client, provider)
        given = f"Claire Dawson Change Given: Compliance Manager for {provider} By Sam Patel Why Covering"
        assert f"{given} Aisha's leave" in text
        assert "Claire Dawson Change Removed: Deputy Regional Manager for North By Sam Patel Why Left" in text
        assert "Claire Dawson Change Sign-in switched off By Sam Patel Why Left Oakwood on 7 Dec" in text


def test_only_the_administrator_and_the_nominated_individual_read_it(
    client, sign_in, provider, quality_director, claire
):
    for person in (quality_director, claire):
        sign_in(person)
        assert client.get(reverse("access_history") + f"?provider={provider.pk}").status_code == 403


def test_the_page_reads_the_same_queries_however_long_the_history(
    client, sign_in, provider, administrator, north
):
    sign_in(administrator)
    url = reverse("access_history") + f"?provider={provider.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        person = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username=f"drm{n}")
        services.give_role(
            provider, by=administrator, person=person, role=Role.GOVERNANCE_OFFICER, reason="Cover"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
