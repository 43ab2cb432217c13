"""An update spanning two commissioners releases one pack to each, about its own services only.

Birch Lodge is commissioned by the county council, Cedar Court by the integrated care board. Oakwood
reports verified learning at both in one update. Each commissioner receives its own pack, with its own
fingerprint, naming only its own service; two officers of the council share the council's pack; the
provider's staff keep the full pack.
"""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from providers.choices import Role
from reporting_control import services
from reporting_control.choices import LineKind, PackStatus
from reporting_control.models import EvidencePack
from reporting_control.packs import render_pack_html
from reporting_control.tasks import build_evidence_pack
from tests.factories import CommissionerFactory, check_and_sign_off, person_with_role
from tests.reporting_control.conftest import verify


@pytest.fixture
def council(birch_lodge):
    body = CommissionerFactory(name="Northshire County Council")
    body.services.add(birch_lodge)
    return body


@pytest.fixture
def icb(cedar_court):
    body = CommissionerFactory(name="Northshire Integrated Care Board")
    body.services.add(cedar_court)
    return body


@pytest.fixture
def council_officer(council, provider):
    return person_with_role(Role.COMMISSIONER, provider=provider, commissioner=council, username="council")


@pytest.fixture
def icb_officer(icb, provider):
    return person_with_role(Role.COMMISSIONER, provider=provider, commissioner=icb, username="icb")


@pytest.fixture
def two_service_update(plan, compliance_manager, provider_director, birch_match, cedar_match):
    """Verified learning at Birch Lodge (council) and Cedar Court (ICB), one line each, signed off."""
    verify(birch_match)
    verify(cedar_match)
    update = plan(title="Night-time falls: assurance to commissioners")
    for service in (birch_match.service, cedar_match.service):
        services.add_line(
            update,
            by=compliance_manager,
            claim=f"{service.name} checks falls risk at every night round, verified.",
            kind=LineKind.NAMED_SERVICE,
            services=[service],
        )
    check_and_sign_off(update, provider_director)
    return update


@pytest.fixture
def released(two_service_update, provider_director, council, icb, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(two_service_update, by=provider_director)
    return two_service_update


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def portal_packs(client, person) -> list[int]:
    client.force_login(person)
    return [pack.pk for pack in client.get(reverse("reporting_control:commissioner_packs")).context["packs"]]


def download(client, person, pack) -> bytes:
    client.force_login(person)
    response = client.get(reverse("reporting_control:commissioner_download", args=[pack.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_commissioner_never_sees_another_commissioners_service(
    client, released, council, icb, council_officer, icb_officer
):
    council_pack = EvidencePack.objects.get(update=released, commissioner=council)
    icb_pack = EvidencePack.objects.get(update=released, commissioner=icb)
    assert council_pack.status == icb_pack.status == PackStatus.READY

    assert portal_packs(client, council_officer) == [council_pack.pk]
    assert portal_packs(client, icb_officer) == [icb_pack.pk]

    council_pdf = download(client, council_officer, council_pack)
    icb_pdf = download(client, icb_officer, icb_pack)
    council_text, icb_text = pdf_text(council_pdf), pdf_text(icb_pdf)
    assert "Birch Lodge" in council_text and "Cedar Court" not in council_text
    assert "Cedar Court" in icb_text and "Birch Lodge" not in icb_text
    assert "Northshire County Council" in council_text, "the pack says whom it was prepared for"

    client.force_login(council_officer)
    url = reverse("reporting_control:commissioner_download", args=[icb_pack.pk])
    assert client.get(url).status_code == 404
    client.force_login(icb_officer)
    url = reverse("reporting_control:commissioner_download", args=[council_pack.pk])
    assert client.get(url).status_code == 404

    assert council_pack.sha256 != icb_pack.sha256
    assert hashlib.sha256(council_pdf).hexdigest() == council_pack.sha256
    assert hashlib.sha256(icb_pdf).hexdigest() == icb_pack.sha256


def test_two_officers_of_one_commissioner_share_its_pack(
    client, released, council, council_officer, provider
):
    colleague = person_with_role(Role.COMMISSIONER, provider=provider, commissioner=council, username="c2")
    council_pack = EvidencePack.objects.get(update=released, commissioner=council)

    assert portal_packs(client, colleague) == portal_packs(client, council_officer) == [council_pack.pk]


def test_a_commissioners_role_at_one_provider_opens_no_pack_of_another(
    client, released, council, other_provider_service
):
    """The council's officer for another provider does not receive Oakwood's packs."""
    officer = person_with_role(
        Role.COMMISSIONER,
        provider=other_provider_service.provider,
        commissioner=council,
        username="council-elsewhere",
    )
    council_pack = EvidencePack.objects.get(update=released, commissioner=council)

    assert portal_packs(client, officer) == []
    url = reverse("reporting_control:commissioner_download", args=[council_pack.pk])
    assert client.get(url).status_code == 404


def test_the_provider_keeps_its_full_pack_which_no_commissioner_sees(
    client, sign_in, released, council_officer, icb_officer, compliance_manager
):
    full = EvidencePack.objects.get(update=released, for_release=True, commissioner=None)
    assert full.status == PackStatus.READY
    text = pdf_text(full.file.read())
    assert "Birch Lodge" in text and "Cedar Court" in text

    for officer in (council_officer, icb_officer):
        client.force_login(officer)
        url = reverse("reporting_control:commissioner_download", args=[full.pk])
        assert client.get(url).status_code == 404

    sign_in(compliance_manager)
    page = client.get(released.get_absolute_url()).text
    assert "for Northshire County Council" in page and "for Northshire Integrated Care Board" in page


def test_building_the_release_packs_twice_makes_each_pack_once(released, council, icb):
    released_packs = EvidencePack.objects.filter(update=released, for_release=True)
    packs = {pack.commissioner: pack for pack in released_packs}
    assert set(packs) == {None, council, icb}

    assert services.queue_release_packs(released, by=released.released_by) == []
    for pack in packs.values():
        build_evidence_pack(pack.pk)  # a task delivered twice
        again = EvidencePack.objects.get(pk=pack.pk)
        assert (again.sha256, again.built_at, again.file.name) == (pack.sha256, pack.built_at, pack.file.name)
    assert EvidencePack.objects.filter(update=released).count() == 3

    with pytest.raises(IntegrityError), transaction.atomic():
        EvidencePack.objects.create(
            update=released,
            commissioner=council,
            for_release=True,
            requested_by=released.released_by,
            requested_at=released.released_at,
        )


def test_a_line_that_also_speaks_for_another_commissioners_service_stays_out_of_both_packs(
    two_service_update, compliance_manager, provider_director, council, icb, birch_lodge, cedar_court
):
    services.place_hold(two_service_update, by=compliance_manager, reason="Cedar Court's figures look odd.")
    services.lift_hold(two_service_update, by=provider_director, reason="Cedar Court's figures checked.")
    services.add_line(
        two_service_update,
        by=compliance_manager,
        claim="Birch Lodge and Cedar Court both changed their night rounds.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge, cedar_court],
    )

    council_html = render_pack_html(two_service_update, council)
    assert "Birch Lodge checks falls risk" in council_html
    assert "Cedar Court" not in council_html, "neither its line, nor the shared line, nor a hold reason"
    icb_html = render_pack_html(two_service_update, icb)
    assert "Cedar Court checks falls risk" in icb_html and "Birch Lodge" not in icb_html

    full_html = render_pack_html(two_service_update)
    assert "Birch Lodge and Cedar Court both changed" in full_html
    assert "Cedar Court&#x27;s figures checked." in full_html


def test_an_update_with_no_commissioned_service_releases_only_the_providers_pack(
    evidenced_update, provider_director, commissioner
):
    services.release_update(evidenced_update, by=provider_director)

    packs = EvidencePack.objects.filter(update=evidenced_update)
    assert list(packs.values_list("commissioner", flat=True)) == [None]


def test_packs_released_before_a_commissioner_was_named_are_issued_to_it_by_the_operator(
    client, evidenced_update, provider_director, council, council_officer, django_capture_on_commit_callbacks
):
    """Released while Birch Lodge had no commissioner (as before commissioning organisations existed);
    once the council is named, the operator's command issues the council's pack, once."""
    council.services.clear()
    services.release_update(evidenced_update, by=provider_director)
    council.services.add(evidenced_update.services.get(name="Birch Lodge"))
    assert portal_packs(client, council_officer) == []

    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_release_packs", stdout=io.StringIO())
    output = io.StringIO()
    call_command("issue_release_packs", stdout=output)

    pack = EvidencePack.objects.get(update=evidenced_update, commissioner=council)
    assert portal_packs(client, council_officer) == [pack.pk]
    assert "Birch Lodge" in pdf_text(download(client, council_officer, pack))
    assert "0 packs queued." in output.getvalue()
