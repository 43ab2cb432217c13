"""The provider administrator gives a role to someone who is already one of the provider's people:
acting-up cover, a second role, or a role back after their last one was removed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers import services
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import ProviderFactory, person_with_role

pytestmark = pytest.mark.django_db

PEOPLE = reverse("people")


@pytest.fixture
def administrator(provider):
    return person_with_role(
        Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin", first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def femi(provider):
    return person_with_role(
        Role.RESIDENT_EXPERIENCE_LEAD,
        provider=provider,
        username="experience.lead",
        first_name="Femi",
        last_name="Adeyemi",
    )


def give_url(person) -> str:
    return reverse("person_give_role", args=[person.pk])


def _remove_last_role(person, by):
    services.remove_role(person.role_assignments.get(), by=by, reason="Left the team", remove_anyway=True)


def test_someone_whose_last_role_was_removed_stays_on_people_with_no_role_now(
    client, sign_in, administrator, femi
):
    _remove_last_role(femi, administrator)
    sign_in(administrator)
    page = client.get(PEOPLE).text
    assert "Femi Adeyemi" in page
    assert "No role now" in page
    assert give_url(femi) in page


def test_every_person_has_a_give_a_role_link_but_the_administrator_has_none_for_themselves(
    client, sign_in, administrator, femi
):
    sign_in(administrator)
    page = client.get(PEOPLE).text
    assert give_url(femi) in page
    assert give_url(administrator) not in page


def test_a_person_with_no_role_now_gets_a_role_back_with_the_reason_in_the_history(
    client, sign_in, administrator, femi, provider
):
    _remove_last_role(femi, administrator)
    sign_in(administrator)
    page = client.get(give_url(femi)).text
    assert "Give Femi Adeyemi a role" in page
    response = client.post(
        give_url(femi), {"role": Role.RESIDENT_EXPERIENCE_LEAD, "reason": "Back from leave"}, follow=True
    )
    assert "Resident Experience Lead for Oakwood Care Group given to Femi Adeyemi" in response.text
    given = RoleAssignment.objects.get(user=femi, role=Role.RESIDENT_EXPERIENCE_LEAD)
    created = given.history.get()
    assert (created.history_user, created.history_change_reason) == (administrator, "Back from leave")
    assert "No role now" not in client.get(PEOPLE).text


def test_a_second_role_at_a_service_for_acting_up_cover(
    client, sign_in, administrator, registered_manager, birch_lodge
):
    sign_in(administrator)
    data = {"role": Role.CLINICAL_LEAD, "service": birch_lodge.pk, "reason": "Acting up for two weeks"}
    client.post(give_url(registered_manager), data)
    roles = set(registered_manager.role_assignments.values_list("role", flat=True))
    assert roles == {Role.REGISTERED_MANAGER, Role.CLINICAL_LEAD}


def test_pressing_give_twice_gives_the_role_once(client, sign_in, administrator, femi):
    sign_in(administrator)
    data = {"role": Role.GOVERNANCE_OFFICER, "reason": "Cover"}
    client.post(give_url(femi), data)
    again = client.post(give_url(femi), data)
    assert "already holds Governance Officer" in again.text
    assert femi.role_assignments.filter(role=Role.GOVERNANCE_OFFICER).count() == 1


def test_a_wrong_scope_or_missing_reason_is_a_field_error(client, sign_in, administrator, femi, north):
    sign_in(administrator)
    response = client.post(give_url(femi), {"role": Role.CLINICAL_LEAD, "region": north.pk, "reason": ""})
    assert "There is a problem" in response.text
    assert 'href="#id_service"' in response.text
    assert 'href="#id_reason"' in response.text
    assert femi.role_assignments.count() == 1


def test_nobody_gives_themselves_a_role(client, sign_in, administrator):
    sign_in(administrator)
    page = client.get(give_url(administrator)).text
    assert "You cannot give yourself a role. Ask another provider administrator to do it." in page
    response = client.post(
        give_url(administrator), {"role": Role.NOMINATED_INDIVIDUAL, "reason": "Promotion"}
    )
    assert response.status_code == 200
    assert not administrator.role_assignments.filter(role=Role.NOMINATED_INDIVIDUAL).exists()


def test_another_providers_person_is_not_found(client, sign_in, administrator):
    elsewhere = ProviderFactory(name="Riverside Homes")
    stranger = person_with_role(Role.QUALITY_DIRECTOR, provider=elsewhere, username="riverside.qd")
    sign_in(administrator)
    assert client.get(give_url(stranger)).status_code == 404
    data = {"role": Role.GOVERNANCE_OFFICER, "reason": "Not mine"}
    assert client.post(give_url(stranger), data).status_code == 404
    assert stranger.role_assignments.count() == 1


def test_only_the_provider_administrator_may_give_a_role(client, sign_in, quality_director, femi):
    sign_in(quality_director)
    assert client.get(give_url(femi)).status_code == 403
    assert client.post(give_url(femi), {"role": Role.GOVERNANCE_OFFICER, "reason": "x"}).status_code == 403
    assert femi.role_assignments.count() == 1


def test_adding_a_person_with_the_username_of_one_of_your_people_points_to_giving_them_a_role(
    client, sign_in, administrator, femi
):
    _remove_last_role(femi, administrator)
    sign_in(administrator)
    data = {
        "first_name": "Femi",
        "last_name": "Adeyemi",
        "username": "Experience.Lead",
        "email": "femi@example.org",
        "role": Role.RESIDENT_EXPERIENCE_LEAD,
        "reason": "Back",
    }
    response = client.post(reverse("person_add"), data)
    assert "experience.lead is Femi Adeyemi, already one of your people" in response.text
    assert "give them a role from People and roles" in response.text


def test_adding_a_person_with_a_colleagues_e_mail_is_refused_beside_the_field(
    client, sign_in, administrator, femi
):
    """Found: Lena Novak was added with the Elm House manager's e-mail address, and Rowan Court's
    escalations then went to his mailbox. Each person needs an address of their own."""
    sign_in(administrator)
    data = {
        "first_name": "Lena",
        "last_name": "Novak",
        "username": "lena.novak",
        "email": femi.email.upper(),
        "role": Role.GOVERNANCE_OFFICER,
        "reason": "New starter",
    }
    response = client.post(reverse("person_add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["email"] == [
        f"{femi.email} is the e-mail address of Femi Adeyemi, already one of your people: each person "
        "needs an address of their own, so what is sent to them reaches them alone."
    ]
    assert response.context["form"]["first_name"].value() == "Lena"
    assert not type(femi).objects.filter(username="lena.novak").exists()


def test_an_e_mail_used_at_another_provider_is_refused_without_naming_anyone(client, sign_in, administrator):
    elsewhere = ProviderFactory(name="Riverside Homes")
    stranger = person_with_role(Role.QUALITY_DIRECTOR, provider=elsewhere, username="riverside.qd")
    with pytest.raises(ValidationError) as refused:
        services.add_person(
            administrator.role_assignments.get().provider,
            by=administrator,
            details={
                "first_name": "Lena",
                "last_name": "Novak",
                "username": "lena.novak",
                "email": stranger.email,
                "job_title": "",
            },
            role=Role.GOVERNANCE_OFFICER,
            reason="New starter",
        )
    assert refused.value.message_dict["email"] == [
        "This e-mail address is already used by another account. Use the person's own address."
    ]


def test_two_people_of_one_name_are_told_apart_in_the_person_box(
    client, sign_in, administrator, femi, provider
):
    """Found: "Give someone a role" listed two identical "Beth Walsh" options, and began with "---------"."""
    namesake = person_with_role(
        Role.CLINICAL_LEAD, provider=provider, username="femi.a2", first_name="Femi", last_name="Adeyemi"
    )
    sign_in(administrator)
    page = client.get(PEOPLE).text
    assert f'<option value="{femi.pk}">Femi Adeyemi (experience.lead)</option>' in page
    assert f'<option value="{namesake.pk}">Femi Adeyemi (femi.a2)</option>' in page
    assert '<option value="" selected>Choose a person</option>' in page


def test_a_commissioners_username_is_not_offered_a_role(client, sign_in, administrator, commissioner):
    """Found: adding a person with a commissioner's username said "give them a role from People and
    roles", where a commissioner is never offered one."""
    sign_in(administrator)
    data = {
        "first_name": "Laura",
        "last_name": "Bennett",
        "username": commissioner.username,
        "email": "laura@example.org",
        "role": Role.RESIDENT_EXPERIENCE_LEAD,
        "reason": "New starter",
    }
    page = client.post(reverse("person_add"), data).text
    assert f"{commissioner.username} is the sign-in of a commissioner" in page
    assert "give them a role" not in page
