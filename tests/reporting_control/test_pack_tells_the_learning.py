"""An evidence pack says what the provider learned and where the learning reached, not only its lines.

Found by reading the demo's packs as a commissioner would: a pack rested on one verified home and never
said that the learning went to three, nor what had happened and what leaders learned from it.
"""

import pytest

from reporting_control import services
from reporting_control.choices import LineKind, LineState
from reporting_control.packs import render_pack_html
from tests.factories import CommissionerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(trigger):
    """The trigger's story as the quality director recorded it."""
    trigger.what_happened = "A resident fell in a bedroom at night and was found an hour later."
    trigger.root_cause_summary = "Night checks were signed as done while one carer covered two floors."
    trigger.learning_statement = "Night checks must be timed by the person who made them."
    trigger.governance_change = "Night-check timing is reported weekly to the quality committee."
    trigger.measurable_target = "95 % of sampled night checks recorded within 15 minutes"
    trigger.target_date = trigger.confirmed_at.date().replace(year=2027)
    trigger.save()
    return trigger


@pytest.fixture
def two_homes(evidenced_update, cedar_match, compliance_manager, cedar_court):
    """Birch Lodge verified, Cedar Court matched but not verified; Cedar's line deferred."""
    line = services.add_line(
        evidenced_update,
        by=compliance_manager,
        claim="Cedar Court changed its night checks.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    services.decide_line(line, by=compliance_manager, state=LineState.DEFERRED, reason="Not verified yet.")
    return evidenced_update


def test_the_providers_pack_tells_what_happened_what_was_learned_and_where_it_reached(told, two_homes):
    html = render_pack_html(two_homes)

    for words in (
        "A resident fell in a bedroom at night",
        "Night checks were signed as done while one carer covered two floors.",
        "Night checks must be timed by the person who made them.",
        "Night-check timing is reported weekly to the quality committee.",
        "95 % of sampled night checks recorded within 15 minutes",
        "At Elm House",
    ):
        assert words in html
    assert "Issued to 2 comparable services: 1 verified, 1 not verified yet." in html
    assert "<td>Birch Lodge</td><td>Verified" in html and "<td>Cedar Court</td><td>Not verified yet" in html
    assert "Lines left out of this update by a decision (held back, or waiting for proof)</td><td>1" in html


def test_a_commissioner_reads_the_story_of_its_own_service_and_only_counts_of_others(
    told, two_homes, elm_house, birch_lodge
):
    source_commissioner = CommissionerFactory(name="Elm and Birch Council")
    source_commissioner.services.add(elm_house, birch_lodge)
    other = CommissionerFactory(name="Birch Only Council")
    other.services.add(birch_lodge)

    theirs = render_pack_html(two_homes, source_commissioner)
    assert "Night checks must be timed by the person who made them." in theirs
    assert "At Elm House" in theirs

    html = render_pack_html(two_homes, other)
    assert "Of your services, 1 was issued this learning: 1 verified, 0 not verified yet." in html
    assert "Provider-wide context, not only your services: issued to 2 comparable services" in html
    assert "<td>Birch Lodge</td><td>Verified" in html
    for kept_out in ("Cedar Court", "Elm House", "A resident fell"):
        assert kept_out not in html
    assert "began at a service Birch Only Council does not commission" in html
    # The learning itself is every matched service's, so its commissioners read what was learned.
    assert "Night checks must be timed by the person who made them." in html


def test_the_cover_names_the_releasers_role_and_every_page_says_whose_pack_it_is(
    evidenced_update, provider_director, birch_lodge
):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge)
    services.release_update(evidenced_update, by=provider_director)
    evidenced_update.refresh_from_db()

    html = render_pack_html(evidenced_update, council)
    assert f"by {provider_director} (Provider Director)" in html
    # A day's check of the figures not due by the release was not skipped: it was never needed.
    assert "Not needed before release: " in html and "Closed — no longer needed" not in html
    running = f"{evidenced_update.provider} · {evidenced_update.reference} · for Northshire County Council"
    assert f'running">{running}<' in html


def test_a_pack_says_each_lines_state_by_its_name_alone(told, two_homes, birch_lodge, cedar_court):
    """Found: a released pack called a line "Challenge-cleared — ready for sign-off": what to do before
    release, not what a reader of the pack needs."""
    council = CommissionerFactory(name="Birch and Cedar Council")
    council.services.add(birch_lodge, cedar_court)
    theirs = render_pack_html(two_homes, council)
    assert "Line 2 of the update · Named-service outcome · Deferred</strong>" in theirs
    assert " — " not in theirs.split("Line 1 of the update", 1)[1].split("</strong>", 1)[0]
