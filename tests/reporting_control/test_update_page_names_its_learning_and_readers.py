"""The update's page and the packs say what a person releasing or filing them needs.

Found by a tester walking the nominated individual's release and the commissioners' downloads:
- the update's page never said which learning it reports on or which services it covers, though they
  decide what the pack says and who receives one (Birch Lodge is commissioned by two bodies);
- planning an update, the service checkboxes did not say who commissions each service;
- a held update's packs section had no build button and did not say why;
- a pack built before release was listed as "Full pack for the provider" once the update was released;
- the commissioners' list had no update reference or issue date, and files downloaded as
  "RU-0003-evidence-pack-7.pdf" (an internal number).
"""

import pytest
from django.urls import reverse

from providers.choices import Role
from reporting_control import services
from reporting_control.choices import PackStatus
from reporting_control.models import EvidencePack
from tests.factories import CommissionerFactory, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(birch_lodge, cedar_court):
    body = CommissionerFactory(name="Lancashire County Council")
    body.services.add(birch_lodge)
    return body


@pytest.fixture
def icb(birch_lodge):
    body = CommissionerFactory(name="NHS Integrated Care Board")
    body.services.add(birch_lodge)
    return body


def test_the_update_page_names_its_learning_and_who_commissions_each_service(
    client, sign_in, evidenced_update, trigger, council, icb, nominated_individual
):
    sign_in(nominated_individual)
    page = client.get(evidenced_update.get_absolute_url()).text
    learning = page.split('data-testid="update-learning"', 1)[1].split("</dd>", 1)[0]
    assert f'<a href="{trigger.get_absolute_url()}">{trigger.reference} {trigger.title}</a>' in learning
    covers = page.split('data-testid="update-covers"', 1)[1].split("</dd>", 1)[0]
    assert "Birch Lodge<span" in covers
    assert "commissioned by Lancashire County Council and NHS Integrated Care Board" in covers
    assert "Cedar Court<span" in covers and "no commissioner on record" in covers


def test_planning_says_who_commissions_each_service(client, sign_in, compliance_manager, council, icb):
    sign_in(compliance_manager)
    page = client.get(reverse("reporting_control:update_create")).text
    assert "Birch Lodge — commissioned by Lancashire County Council and NHS Integrated Care Board" in page


def test_a_held_update_says_why_no_pack_can_be_built(client, sign_in, evidenced_update, compliance_manager):
    services.place_hold(evidenced_update, by=compliance_manager, reason="The falls figures do not agree.")
    sign_in(compliance_manager)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert "No evidence pack can be built while the issue hold is in force" in page
    assert "Build an evidence pack (PDF)" not in page


def test_a_pack_built_before_release_stays_a_draft_in_the_list(
    client,
    sign_in,
    evidenced_update,
    compliance_manager,
    provider_director,
    council,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.request_pack(evidenced_update, by=compliance_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(evidenced_update, by=provider_director)
    sign_in(compliance_manager)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert "Draft pack for the provider, built before release: not for sharing" in page
    draft.refresh_from_db()
    assert draft.status == PackStatus.READY
    assert draft.download_name == f"{evidenced_update.reference}-evidence-pack-draft-{draft.pk}.pdf"


def test_a_commissioner_files_a_pack_by_reference_and_issue_date(
    client, evidenced_update, provider, provider_director, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(evidenced_update, by=provider_director)
    officer = person_with_role(Role.COMMISSIONER, provider=provider, commissioner=council, username="officer")
    client.force_login(officer)
    page = client.get(reverse("reporting_control:commissioner_packs")).text
    assert f"{evidenced_update.reference} · {evidenced_update.title}" in page
    assert "Issue date " in page
    pack = EvidencePack.objects.get(update=evidenced_update, commissioner=council)
    response = client.get(reverse("reporting_control:commissioner_download", args=[pack.pk]))
    name = f"{evidenced_update.reference}-evidence-pack-lancashire-county-council.pdf"
    assert f'filename="{name}"' in response["Content-Disposition"]
