"""A pack of a released update says what was signed off, whom it is for, and what it does not claim.

Found by a tester reading the demo's packs: a pack built after release followed today's data ("Issued
to 4 comparable services") under the old release line; a commissioner of the source service never read
the fix made there; what the pack did not claim was told only through step codes and "frozen or
deferred"; the checks table listed four checks that never happened and wrapped its dates; and the
update page listed packs oldest first without saying whom each was for.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learning_transfer.models import MatchedService
from providers.templatetags.nhsuk import london
from reporting_control import services
from reporting_control.models import ReleasedPackContent
from reporting_control.packs import render_pack_html
from tests.factories import CommissionerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(evidenced_update, cedar_match, provider_director):
    """Released with Birch Lodge verified and Cedar Court matched but not verified yet."""
    services.release_update(evidenced_update, by=provider_director)
    evidenced_update.refresh_from_db()
    return evidenced_update


def test_a_pack_built_after_release_says_what_was_released(released, trigger, elm_house):
    before = render_pack_html(released)
    assert "Issued to 2 comparable services: 1 verified, 1 not verified yet." in before

    MatchedService.objects.create(trigger=trigger, service=elm_house, reason="Added after release.")

    after = render_pack_html(released)
    assert "Issued to 2 comparable services: 1 verified, 1 not verified yet." in after
    assert f"from the update as released on {london(released.released_at)}" in after


def test_a_pack_of_an_update_released_before_snapshots_says_its_figures_are_todays(released):
    ReleasedPackContent.objects.filter(update=released).delete()

    html = render_pack_html(released)

    assert f"after release on {london(released.released_at)}: the services or figures may have" in html


def test_a_commissioner_of_the_source_service_reads_the_fix_made_there(
    released, trigger, elm_house, birch_lodge
):
    trigger.local_fix = "A second night carer on the first floor."
    trigger.save()
    source = CommissionerFactory(name="Elm and Birch Council")
    source.services.add(elm_house, birch_lodge)
    other = CommissionerFactory(name="Birch Only Council")
    other.services.add(birch_lodge)

    theirs = render_pack_html(released, source)
    assert "The fix at Elm House" in theirs and "A second night carer on the first floor." in theirs
    assert "Fix recorded" in theirs
    assert "A second night carer" not in render_pack_html(released, other)


def test_the_pack_says_plainly_where_the_learning_is_not_claimed(released, birch_lodge):
    html = render_pack_html(released)
    assert "This pack does not claim the learning is in place at Cedar Court: not verified yet." in html
    assert "frozen" not in html.lower()

    council = CommissionerFactory(name="Birch Only Council")
    council.services.add(birch_lodge)
    theirs = render_pack_html(released, council)
    assert "does not claim" not in theirs and "Cedar Court" not in theirs


def test_checks_not_needed_before_release_take_one_line_and_the_sign_off_names_who(
    released, provider_director
):
    html = render_pack_html(released)

    assert html.count("Not needed before release:") == 1
    assert "Not needed: released before it fell due" not in html
    sign_off = re.search(r"Signed off by ([^<]+)<", html).group(1)
    assert sign_off.startswith(f"{provider_director}, Provider Director, ")


def test_the_update_page_lists_packs_newest_first_each_named_by_its_audience(
    released, client, sign_in, compliance_manager, birch_lodge, django_capture_on_commit_callbacks
):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge)
    services.queue_release_packs(released, by=released.released_by)
    later = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        own = services.request_pack(released, by=compliance_manager, now=later)

    sign_in(compliance_manager)
    page = client.get(reverse("reporting_control:update_detail", args=[released.pk])).text

    listed = [int(n) for n in re.findall(r'id="pack-(\d+)"', page)]
    assert listed == sorted(listed, reverse=True) and listed[0] == own.pk
    assert "Full pack for the provider" in page and "Pack for Northshire County Council" in page
    assert "for issue</strong>" not in page
    assert f"Prepared for: <strong>{released.provider} (the provider&#x27;s full pack)" in render_pack_html(
        released
    )
    council_pack = render_pack_html(released, council)
    assert "Prepared for: <strong>Northshire County Council</strong>" in council_pack
    assert f"<title>{released} – evidence pack for Northshire County Council</title>" in council_pack
