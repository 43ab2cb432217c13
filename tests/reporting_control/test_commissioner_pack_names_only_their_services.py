"""A commissioner's pack names no service that commissioner does not commission (journey 4).

A tester's finding: an update covering the integrated care board's nursing homes (Cedar Court, Elm House)
had two lines naming Birch Lodge, which only the county council commissions; one of them claimed shared
learning, so its evidence rows listed every matched service. Every line was frozen and the update
released. The council then received a pack "covering only the services it commissions" whose rows said
"Cedar Court has a learning notice but no verified implementation", and its packs list showed that pack
with an empty "Your services".

The rules: a commissioner gets a pack only when the update covers a service it commissions (none else:
no pack with an empty "Your services"), and a line is in a commissioner's pack only when every service it
speaks for (every row of its evidence) is one it commissions.
"""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from providers.choices import Role
from reporting_control import services
from reporting_control.choices import LineKind, LineState, PackStatus
from reporting_control.models import EvidencePack
from reporting_control.pack_content import pack_content
from reporting_control.packs import commissioners_of, render_pack_html
from tests.factories import CommissionerFactory, check_and_sign_off, person_with_role
from tests.reporting_control.conftest import send_notice

pytestmark = pytest.mark.django_db

SHARED_CLAIM = "Birch Lodge has adopted the shared learning from the night-time fall."


@pytest.fixture
def council(birch_lodge):
    body = CommissionerFactory(name="Northshire County Council")
    body.services.add(birch_lodge)
    return body


@pytest.fixture
def icb(cedar_court, elm_house):
    body = CommissionerFactory(name="Northshire Integrated Care Board")
    body.services.add(cedar_court, elm_house)
    return body


@pytest.fixture
def council_officer(council, provider):
    return person_with_role(Role.COMMISSIONER, provider=provider, commissioner=council, username="council")


@pytest.fixture
def notices_only(trigger, cedar_court, elm_house, quality_director):
    """The fall's matched homes, Cedar Court and Elm House, each with a notice and nothing verified."""
    from learning_transfer.models import MatchedService

    for service in (cedar_court, elm_house):
        send_notice(MatchedService.objects.create(trigger=trigger, service=service), quality_director)


def frozen_update(plan, by, director, covered, birch_lodge, cedar_court):
    """The tester's update: a line at Cedar Court, one about Birch Lodge alone and one claiming shared
    learning in Birch Lodge's name (its rows list every matched service), all frozen, signed off."""
    update = plan(title="Night-time falls: assurance to commissioners", services_covered=covered)
    lines = [
        ("Cedar Court checks falls risk at every night round.", cedar_court),
        ("Birch Lodge reviewed its night checks.", birch_lodge),
        (SHARED_CLAIM, birch_lodge),
    ]
    for claim, service in lines:
        line = services.add_line(update, by=by, claim=claim, kind=LineKind.NAMED_SERVICE, services=[service])
        services.decide_line(line, by=by, state=LineState.FROZEN, reason="Waiting for verification.")
    check_and_sign_off(update, director)
    return update


def release(update, director, capture):
    with capture(execute=True):
        services.release_update(update, by=director)


def said(content: dict) -> str:
    return json.dumps(content)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def portal(client, person):
    client.force_login(person)
    return client.get(reverse("reporting_control:commissioner_packs"))


def test_a_commissioner_of_no_covered_service_gets_no_pack(
    client,
    plan,
    compliance_manager,
    provider_director,
    notices_only,
    council,
    icb,
    council_officer,
    birch_lodge,
    cedar_court,
    elm_house,
):
    """The tester's story: Birch Lodge is named by lines but not covered by the update."""
    update = frozen_update(
        plan, compliance_manager, provider_director, [cedar_court, elm_house], birch_lodge, cedar_court
    )
    assert list(commissioners_of(update)) == [icb]
    content = pack_content(update, council)
    assert content["services"] == [] and content["not_claimed"] == []
    assert [line["claim"] for line in content["lines"]] == ["Birch Lodge reviewed its night checks."]
    assert "Cedar Court" not in said(content) and "Elm House" not in said(content)

    services.release_update(update, by=provider_director)  # the packs queued, not built: not needed here

    assert not EvidencePack.objects.filter(update=update, commissioner=council).exists()
    assert list(portal(client, council_officer).context["packs"]) == []


def test_a_line_speaking_for_every_matched_service_stays_out_of_a_commissioners_pack(
    client,
    plan,
    compliance_manager,
    provider_director,
    notices_only,
    council,
    icb,
    council_officer,
    birch_lodge,
    cedar_court,
    elm_house,
    django_capture_on_commit_callbacks,
):
    """Birch Lodge covered too: the council's pack keeps the line about Birch Lodge alone, never the
    shared-learning line whose rows describe the ICB's homes; the ICB's pack never names Birch Lodge."""
    covered = [birch_lodge, cedar_court, elm_house]
    update = frozen_update(plan, compliance_manager, provider_director, covered, birch_lodge, cedar_court)

    council_content = pack_content(update, council)
    assert [line["claim"] for line in council_content["lines"]] == ["Birch Lodge reviewed its night checks."]
    assert "Cedar Court" not in said(council_content) and "Elm House" not in said(council_content)
    icb_content = pack_content(update, icb)
    assert [line["order"] for line in icb_content["lines"]] == [1]
    assert "Birch Lodge" not in said(icb_content)
    assert [line["order"] for line in pack_content(update)["lines"]] == [1, 2, 3], "the provider's keeps all"

    release(update, provider_director, django_capture_on_commit_callbacks)

    pack = EvidencePack.objects.get(update=update, commissioner=council)
    assert pack.status == PackStatus.READY
    html = render_pack_html(update, council)
    page = portal(client, council_officer)
    assert list(page.context["packs"]) == [pack]
    assert "Your services </span>Birch Lodge</td>" in page.text
    pdf = b"".join(
        client.get(reverse("reporting_control:commissioner_download", args=[pack.pk])).streaming_content
    )
    for text in (html, pdf_text(pdf)):
        assert "Birch Lodge" in text
        for other in ("Cedar Court", "Elm House", "has a learning notice", "shared learning"):
            assert other not in text, other


def test_a_pack_issued_to_a_commissioner_of_no_covered_service_is_neither_listed_nor_downloaded(
    client,
    plan,
    compliance_manager,
    provider_director,
    notices_only,
    council,
    icb,
    council_officer,
    birch_lodge,
    cedar_court,
    elm_house,
):
    """A pack issued before this rule (or before a service's commissioners changed) to a commissioner
    none of whose services the update covers is withdrawn from the portal: no empty "Your services"."""
    update = frozen_update(
        plan, compliance_manager, provider_director, [cedar_court, elm_house], birch_lodge, cedar_court
    )
    services.release_update(update, by=provider_director)
    old, _ = EvidencePack.objects.update_or_create(
        update=update,
        commissioner=council,
        for_release=True,
        defaults={
            "status": PackStatus.READY,
            "requested_by": provider_director,
            "requested_at": update.released_at,
            "sha256": "0" * 64,
        },
    )
    old.file.save(old.filename, ContentFile(b"%PDF-1.7 issued before the rule"))

    assert list(portal(client, council_officer).context["packs"]) == []
    url = reverse("reporting_control:commissioner_download", args=[old.pk])
    assert client.get(url).status_code == 404
