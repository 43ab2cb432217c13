"""A verification withdrawn after an update's release, and one changed after the last evidence check.

Found by a tester: a registered manager reopened an implementation line at a service, which withdrew its
verification; the released update whose commissioner pack says that line is evidenced still read
"Evidenced", the update list said nothing, and nobody in reporting was told. And an update's page showed
its lines' evidence as last checked, without saying when, after a verification behind them changed.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation.models import Notification
from learning_transfer.services.verification import withdraw
from providers.choices import Role
from providers.templatetags.nhsuk import on_at
from reporting_control import services
from reporting_control.evidence_mails import KIND
from reporting_control.models import ReleasedPackContent
from reporting_control.packs import render_pack_html
from tests.factories import CommissionerFactory, check_and_sign_off, person_with_role

from .conftest import next_issue_at, verify

pytestmark = pytest.mark.django_db

BECAUSE = "implementation line “Night-round falls checks” is not done"


@pytest.fixture
def council(birch_lodge):
    council = CommissionerFactory(name="Lancashire County Council")
    council.services.add(birch_lodge)
    return council


@pytest.fixture
def released(evidenced_update, council, provider_director):
    """Released with line 1 evidenced by Birch Lodge's verification; the council holds a pack of it."""
    services.release_update(evidenced_update, by=provider_director)
    evidenced_update.refresh_from_db()
    return evidenced_update


@pytest.fixture
def manager(birch_lodge):
    return person_with_role(Role.REGISTERED_MANAGER, service=birch_lodge, username="birch-manager")


def _withdraw(match, manager, hours=2):
    at = timezone.now() + timedelta(hours=hours)
    withdraw(match, because=BECAUSE, by=manager, now=at)
    return at


def _mails():
    return Notification.objects.filter(about__startswith=f"{KIND}:")


def test_the_update_page_says_which_released_line_lost_its_evidence(
    client, sign_in, released, birch_match, manager, compliance_manager
):
    at = _withdraw(birch_match, manager)

    sign_in(compliance_manager)
    page = client.get(released.get_absolute_url()).text

    line = page.split('data-testid="line-1"', 1)[1]
    assert (
        f"Since release: Birch Lodge's verification was withdrawn {on_at(at)} (because {BECAUSE}). "
        "The pack Lancashire County Council holds says this line is evidenced."
    ) in line.replace("&#x27;", "'").replace("&ldquo;", "“").replace("&rdquo;", "”")


def test_the_released_pack_stays_as_released(released, birch_match, manager, council):
    kept = ReleasedPackContent.objects.get(update=released, commissioner=council).content
    _withdraw(birch_match, manager)

    assert ReleasedPackContent.objects.get(update=released, commissioner=council).content == kept
    assert "Birch Lodge: implementation verified" in render_pack_html(released, council)


def test_the_update_list_marks_the_released_update(
    client, sign_in, released, birch_match, manager, compliance_manager
):
    list_url = reverse("reporting_control:update_list")
    sign_in(compliance_manager)
    assert "Evidence withdrawn since release" not in client.get(list_url).text

    _withdraw(birch_match, manager)

    assert "Evidence withdrawn since release: 1 line" in client.get(list_url).text


def test_who_released_it_and_the_compliance_manager_are_mailed_once(
    released, birch_match, manager, provider_director, compliance_manager
):
    _withdraw(birch_match, manager)

    mails = list(_mails())
    assert len(mails) == 2 and {m.user for m in mails} == {provider_director, compliance_manager}
    mail = mails[0]
    assert released.reference in mail.subject and "Birch Lodge" in mail.subject
    assert "Line 1: Since release: Birch Lodge's verification was withdrawn" in mail.body
    assert released.get_absolute_url() in mail.body

    # Verified again and withdrawn again: that verification was not what the release rested on.
    verify(birch_match)
    _withdraw(birch_match, manager, hours=5)
    assert _mails().count() == 2


def test_a_withdrawal_before_release_or_of_an_unreleased_update_mails_nobody(
    evidenced_update, birch_match, manager
):
    _withdraw(birch_match, manager)
    assert not _mails().exists()


def test_a_verification_given_after_release_is_not_what_the_pack_said(
    update_with_a_line,
    provider_director,
    birch_match,
    cedar_match,
    manager,
    cedar_court,
    council,
    compliance_manager,
):
    verify(birch_match)
    update = update_with_a_line()
    check_and_sign_off(update, provider_director)
    services.release_update(update, by=provider_director)
    verify(cedar_match)  # Cedar Court is named by no released line

    withdraw(cedar_match, because=BECAUSE, by=manager, now=timezone.now() + timedelta(hours=1))

    assert not _mails().exists()


def test_the_list_flag_takes_a_fixed_number_of_queries(
    client, sign_in, update_with_a_line, provider_director, birch_match, manager, compliance_manager, council
):
    verify(birch_match)

    def release_one(day):
        update = update_with_a_line(title=f"Update {day}", issue_at=next_issue_at(14 + day))
        check_and_sign_off(update, provider_director)
        services.release_update(update, by=provider_director)

    sign_in(compliance_manager)
    list_url = reverse("reporting_control:update_list")
    release_one(0)
    client.get(list_url)
    with CaptureQueriesContext(connection) as one:
        client.get(list_url)
    for day in range(1, 4):
        release_one(day)
    _withdraw(birch_match, manager)

    with CaptureQueriesContext(connection) as many:
        page = client.get(list_url).text
    assert page.count("Evidence withdrawn since release: 1 line") == 4
    assert len(many) <= len(one) + 1  # the history of the matches is read only once something was released


# --- finding 10: when the evidence was last checked, and whether it is stale ---


def test_the_page_says_when_the_evidence_was_checked_and_when_it_is_stale(
    client, sign_in, update_with_a_line, birch_match, compliance_manager, manager
):
    verify(birch_match)
    update = update_with_a_line()
    services.check_evidence(update, by=compliance_manager)
    update.refresh_from_db()

    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert f"Evidence checked {on_at(update.evidence_checked_at)}." in page
    assert "a verification behind these lines changed" not in page

    _withdraw(birch_match, manager, hours=1)

    page = client.get(update.get_absolute_url()).text
    assert (
        "Since the evidence was last checked, a verification behind these lines changed: check the evidence "
        "again." in page
    )

    services.check_evidence(update, by=compliance_manager, now=timezone.now() + timedelta(hours=2))
    assert "a verification behind these lines changed" not in client.get(update.get_absolute_url()).text


def test_a_change_at_a_service_no_line_names_is_not_stale(
    client, sign_in, update_with_a_line, birch_match, cedar_match, compliance_manager, manager
):
    verify(birch_match)
    verify(cedar_match)
    update = update_with_a_line()
    services.check_evidence(update, by=compliance_manager)

    withdraw(cedar_match, because=BECAUSE, by=manager, now=timezone.now() + timedelta(hours=1))

    sign_in(compliance_manager)
    assert "changed since" not in client.get(update.get_absolute_url()).text
