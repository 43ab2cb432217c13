"""A commissioner downloads released packs of the services it commissions, and sees nothing else."""

import hashlib

import pytest
from django.urls import reverse

from providers.choices import Role
from reporting_control import chain, services
from reporting_control.models import EvidencePack
from tests.factories import CHECK_DONE, check_and_sign_off, person_with_role


@pytest.fixture
def birch_commissioner(birch_lodge):
    return person_with_role(Role.COMMISSIONER, service=birch_lodge, username="birch-commissioner")


@pytest.fixture
def cedar_commissioner(cedar_court):
    return person_with_role(Role.COMMISSIONER, service=cedar_court, username="cedar-commissioner")


def release(update, by, capture):
    if chain.step_run(update, chain.SIGN_OFF_STEP).state == "due":
        chain.record_sign_off(update, by=by, check_done=CHECK_DONE)
    with capture(execute=True):
        services.release_update(update, by=by)


def pack_for(update, person) -> EvidencePack:
    """The pack the release issued to the organisation the person works for."""
    organisation = person.role_assignments.get().commissioner
    return EvidencePack.objects.get(update=update, commissioner=organisation)


def test_a_commissioner_downloads_the_released_pack_of_its_service(
    client, evidenced_update, provider_director, birch_commissioner, django_capture_on_commit_callbacks
):
    release(evidenced_update, provider_director, django_capture_on_commit_callbacks)
    pack = pack_for(evidenced_update, birch_commissioner)
    client.force_login(birch_commissioner)

    page = client.get(reverse("reporting_control:commissioner_packs")).text
    assert "Falls learning update for the council" in page

    assert f'data-testid="pack-sha256">{pack.sha256}<' in page, "the fingerprint to check the file against"

    response = client.get(reverse("reporting_control:commissioner_download", args=[pack.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == pack.sha256


def test_a_commissioner_never_sees_another_commissioners_services(
    client,
    plan,
    provider_director,
    birch_commissioner,
    cedar_commissioner,
    cedar_court,
    compliance_manager,
    cedar_match,
    django_capture_on_commit_callbacks,
):
    from tests.reporting_control.conftest import verify

    verify(cedar_match)
    update = plan(title="Cedar only update", services_covered=[cedar_court])
    services.add_line(
        update, by=compliance_manager, claim="Adopted at Cedar.", kind="named_service", services=[cedar_court]
    )
    check_and_sign_off(update, provider_director)
    release(update, provider_director, django_capture_on_commit_callbacks)
    cedar_pack = pack_for(update, cedar_commissioner)
    full_pack = EvidencePack.objects.get(update=update, for_release=True, commissioner=None)

    client.force_login(birch_commissioner)
    assert "Cedar only update" not in client.get(reverse("reporting_control:commissioner_packs")).text
    for pack in (cedar_pack, full_pack):
        url = reverse("reporting_control:commissioner_download", args=[pack.pk])
        assert client.get(url).status_code == 404


def test_a_commissioner_never_sees_a_draft_or_held_update_or_its_packs(
    client, evidenced_update, compliance_manager, birch_commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft_pack = services.request_pack(evidenced_update, by=compliance_manager)
    services.place_hold(evidenced_update, by=compliance_manager, reason="Held for checks.")

    client.force_login(birch_commissioner)
    page = client.get(reverse("reporting_control:commissioner_packs")).text
    assert "Falls learning update" not in page
    assert (
        client.get(reverse("reporting_control:commissioner_download", args=[draft_pack.pk])).status_code
        == 404
    )


def test_a_commissioner_gets_403_on_every_staff_page(client, evidenced_update, birch_commissioner):
    client.force_login(birch_commissioner)
    pk = evidenced_update.pk
    for name, args in [
        ("update_list", []),
        ("update_create", []),
        ("update_detail", [pk]),
        ("line_create", [pk]),
        ("hold_place", [pk]),
        ("hold_lift", [pk]),
    ]:
        assert client.get(reverse(f"reporting_control:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("reporting_control:release", args=[pk])).status_code == 403
    refused = client.post(reverse("reporting_control:pack_request", args=[pk]))
    assert refused.status_code == 403
    assert "ask the provider whose evidence packs you receive" in refused.text


def test_a_commissioner_moved_to_another_organisation_sees_its_packs_at_the_next_page(
    client,
    evidenced_update,
    provider_director,
    birch_commissioner,
    cedar_commissioner,
    django_capture_on_commit_callbacks,
):
    """A commissioner's lists run SQL kept for the roles held: a role moved to another organisation is
    a new key, so the next page shows that organisation's pack and never the old one's."""
    release(evidenced_update, provider_director, django_capture_on_commit_callbacks)
    birch_pack, cedar_pack = (
        pack_for(evidenced_update, birch_commissioner),
        pack_for(evidenced_update, cedar_commissioner),
    )
    packs = reverse("reporting_control:commissioner_packs")
    client.force_login(birch_commissioner)

    def linked(pack) -> bool:
        return reverse("reporting_control:commissioner_download", args=[pack.pk]) in client.get(packs).text

    assert linked(birch_pack) and not linked(cedar_pack)

    role = birch_commissioner.role_assignments.get()
    role.commissioner = cedar_commissioner.role_assignments.get().commissioner
    role.save()
    assert linked(cedar_pack) and not linked(birch_pack)
    assert (
        client.get(reverse("reporting_control:commissioner_download", args=[birch_pack.pk])).status_code
        == 404
    )
