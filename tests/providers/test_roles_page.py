"""The provider administrator gives people roles and takes them away, in the app, at their own provider."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers import services
from providers import sign_in as sign_ins
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import (
    ProviderFactory,
    RegionFactory,
    ServiceFactory,
    UserFactory,
    give_role,
    person_with_role,
)

pytestmark = pytest.mark.django_db

URL = reverse("people")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def elsewhere():
    """Another provider, with its own region, service and person."""
    provider = ProviderFactory(name="Riverside Homes")
    region = RegionFactory(provider=provider, name="Riverside region")
    service = ServiceFactory(provider=provider, region=region, name="Faraway Manor")
    person = person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="riverside.qd")
    return {"provider": provider, "region": region, "service": service, "person": person}


def _add(person, role, *, region=None, service=None, reason="Covers the late shift"):
    data = {"person": person.pk, "role": role, "reason": reason}
    if region is not None:
        data["region"] = region.pk
    if service is not None:
        data["service"] = service.pk
    return data


def test_the_page_lists_the_providers_people_and_their_roles_only(
    client, sign_in, administrator, quality_director, registered_manager, elsewhere
):
    sign_in(administrator)
    page = client.get(URL).text
    assert str(quality_director) in page and "Quality Director" in page
    assert str(registered_manager) in page and "Elm House" in page
    assert str(elsewhere["person"]) not in page
    # On a phone each role stacks as a list of its details, each labelled.
    assert 'class="nhsuk-table-responsive"' in page
    assert '<span class="nhsuk-table-responsive__heading">Held for </span>Elm House' in page


def test_the_administrator_gives_a_person_a_service_role_and_the_history_says_who_and_why(
    client, sign_in, administrator, registered_manager, birch_lodge
):
    sign_in(administrator)
    response = client.post(
        URL, _add(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge), follow=True
    )
    assert "Clinical Lead for Birch Lodge given to" in response.text
    added = RoleAssignment.objects.get(user=registered_manager, role=Role.CLINICAL_LEAD)
    assert added.service == birch_lodge
    created = added.history.get()
    assert (created.history_user, created.history_change_reason) == (administrator, "Covers the late shift")


def test_a_role_at_the_wrong_scope_is_a_field_error(
    client, sign_in, administrator, registered_manager, north
):
    sign_in(administrator)
    response = client.post(URL, _add(registered_manager, Role.CLINICAL_LEAD, region=north))
    assert "There is a problem" in response.text
    assert "Clinical Lead is held for a service: choose one." in response.text
    assert not RoleAssignment.objects.filter(role=Role.CLINICAL_LEAD).exists()


def test_an_administrator_cannot_give_themselves_a_role(client, sign_in, administrator):
    sign_in(administrator)
    response = client.post(URL, _add(administrator, Role.NOMINATED_INDIVIDUAL))
    assert "You cannot give yourself a role. Ask another provider administrator to do it." in response.text
    assert not administrator.role_assignments.filter(role=Role.NOMINATED_INDIVIDUAL).exists()


def test_a_role_already_held_is_a_clear_error(client, sign_in, administrator, quality_director):
    sign_in(administrator)
    response = client.post(URL, _add(quality_director, Role.QUALITY_DIRECTOR))
    assert "already holds" in response.text
    assert RoleAssignment.objects.filter(user=quality_director).count() == 1


@pytest.mark.parametrize("what", ["person", "region", "service"])
def test_another_providers_person_region_or_service_is_a_field_error(
    client, sign_in, administrator, registered_manager, elsewhere, what
):
    sign_in(administrator)
    if what == "person":
        data = _add(elsewhere["person"], Role.GOVERNANCE_OFFICER)
    elif what == "region":
        data = _add(registered_manager, Role.DEPUTY_REGIONAL_MANAGER, region=elsewhere["region"])
    else:
        data = _add(registered_manager, Role.CLINICAL_LEAD, service=elsewhere["service"])
    response = client.post(URL, data)
    assert response.status_code == 200
    assert f'href="#id_{what}"' in response.text
    assert RoleAssignment.objects.filter(provider=elsewhere["provider"]).count() == 1


def test_the_service_refuses_a_role_at_another_provider(administrator, elsewhere):
    with pytest.raises(PermissionDenied):
        services.give_role(
            elsewhere["provider"],
            by=administrator,
            person=elsewhere["person"],
            role=Role.GOVERNANCE_OFFICER,
            reason="Not mine",
        )


def test_removing_a_role_needs_a_reason_and_takes_effect_at_the_persons_next_request(
    client, sign_in, administrator, quality_director
):
    from django.test import Client

    theirs = Client()
    sign_in(quality_director, theirs)
    assert theirs.get(reverse("organisation")).status_code == 200
    assignment = quality_director.role_assignments.get()
    url = reverse("role_remove", args=[assignment.pk])

    sign_in(administrator)
    assert "Quality Director" in client.get(url).text
    response = client.post(url, {"reason": " "})
    assert "Give the reason for the change" in response.text
    # The only Quality Director: removing needs "Remove anyway" (test_removing_the_only_holder.py).
    response = client.post(url, {"reason": "Left the organisation", "remove_anyway": "on"}, follow=True)
    assert "removed" in response.text
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    deleted = RoleAssignment.history.get(id=assignment.pk, history_type="-")
    assert (deleted.history_user, deleted.history_change_reason) == (administrator, "Left the organisation")

    assert theirs.get(reverse("organisation")).status_code == 403  # same session, roles read afresh


def test_another_providers_role_cannot_be_removed(client, sign_in, administrator, elsewhere):
    assignment = elsewhere["person"].role_assignments.get()
    sign_in(administrator)
    url = reverse("role_remove", args=[assignment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Not mine"}).status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_last_provider_administrator_cannot_be_removed(administrator, provider):
    with pytest.raises(ValidationError, match="last provider administrator"):
        services.remove_role(administrator.role_assignments.get(), by=administrator, reason="Leaving")
    second = UserFactory(username="second.admin")
    give_role(second, Role.PROVIDER_ADMINISTRATOR, provider=provider)
    services.remove_role(administrator.role_assignments.get(), by=second, reason="Leaving")
    assert not administrator.role_assignments.exists()


def test_only_the_provider_administrator_may_use_the_pages(
    client, sign_in, quality_director, registered_manager
):
    sign_in(quality_director)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _add(registered_manager, Role.GOVERNANCE_OFFICER)).status_code == 403
    url = reverse("role_remove", args=[registered_manager.role_assignments.get().pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert registered_manager.role_assignments.count() == 1


def test_the_administrator_dashboard_links_to_the_page(client, sign_in, administrator):
    sign_in(administrator)
    assert URL in client.get(reverse("dashboard", args=[Role.PROVIDER_ADMINISTRATOR])).text


def test_the_page_asks_the_database_the_same_number_of_times_for_ten_people_as_for_one(
    client, sign_in, administrator, provider, elm_house
):
    sign_in(administrator)

    def queries_to_show_the_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="first")
    with_one = queries_to_show_the_page()
    for number in range(10):
        person_with_role(Role.SENIOR_CARER_LATE, service=elm_house, username=f"carer-{number}")
    assert queries_to_show_the_page() == with_one


def test_the_person_list_offers_neither_the_administrator_nor_a_switched_off_person(
    client, sign_in, administrator, registered_manager, provider
):
    """Found: "Give someone a role" offered the administrator themself and a person whose sign-in was
    switched off, both refused only after submitting."""
    leaver = person_with_role(Role.GOVERNANCE_OFFICER, provider=provider, username="leaver")
    services.remove_role(leaver.role_assignments.get(), by=administrator, reason="Left", remove_anyway=True)
    sign_ins.switch_off(provider, leaver, by=administrator, reason="Left Oakwood")
    sign_in(administrator)
    form = client.get(URL).text.split('name="person"', 1)[1].split("</select>", 1)[0]
    assert f'value="{registered_manager.pk}"' in form
    assert f'value="{administrator.pk}"' not in form
    assert f'value="{leaver.pk}"' not in form


def test_removing_your_own_administrator_role_says_it_is_yours(client, sign_in, administrator, provider):
    """Found: the page read as if about someone else, and the administrator's next page was "You hold
    no role here now"."""
    second = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin2")
    sign_in(administrator)
    own = administrator.role_assignments.get()
    page = client.get(reverse("role_remove", args=[own.pk])).text
    assert 'data-testid="your-own-role"' in page
    assert "only another provider administrator can" in page
    other = client.get(reverse("role_remove", args=[second.role_assignments.get().pk])).text
    assert 'data-testid="your-own-role"' not in other


def test_a_first_provider_level_role_says_two_step_login_comes_next(
    client, sign_in, administrator, registered_manager
):
    """Found: a deputy given Compliance Manager was sent, mid-shift, to set up an authenticator app, while
    the administrator was told only "It works from their next page"."""
    sign_in(administrator)
    page = client.post(URL, _add(registered_manager, Role.COMPLIANCE_MANAGER), follow=True).text
    assert f"from their next page {registered_manager} is asked to set up two-step login" in page
    page = client.post(URL, _add(registered_manager, Role.GOVERNANCE_OFFICER), follow=True).text
    assert "Governance Officer for" in page and "first role for the whole provider" not in page
