"""A service left out of the linked learning never evidences a claim, and a provider-wide claim does not
shrink to the services left in once the learning went out.

Found by a tester on the demo: after learning was issued the quality director left two unverified
homes (Ash Grove, Hawthorn House) out of the trigger ("Not comparable after review"); checking the
evidence again then turned the held update's provider-wide line "Evidenced", and a line naming Ash Grove
alone ("Shared learning from the Elm House fall is complete at Ash Grove.") "Evidenced" too.

The rule (evidence.py): a service left out after its learning notice was issued was judged comparable
when the learning went out, so it still counts for a provider-wide claim; one left out before it was sent
the learning does not. A line naming a left-out service is never evidenced by it.
"""

import pytest

from learning_transfer.services import adjust_match
from reporting_control import services
from reporting_control.choices import LineKind, LineState

from .conftest import send_notice, verify

pytestmark = pytest.mark.django_db

REASON = "Not comparable after review"
PROVIDER_WIDE = "Learning from the Elm House fall has been shared and adopted across every comparable home."


def leave_out(trigger, service, quality_director):
    """The quality director leaves the service out of the learning, with the tester's reason."""
    adjust_match(trigger, service, False, REASON, by=quality_director)


@pytest.fixture
def issued(trigger, birch_match, cedar_match, quality_director):
    """Learning issued to Birch Lodge and Cedar Court (13 Nov 2026); only Birch Lodge verified it."""
    send_notice(birch_match, quality_director)
    send_notice(cedar_match, quality_director)
    verify(birch_match)
    return trigger


def test_a_provider_wide_line_still_counts_a_service_left_out_after_its_notice(
    plan, compliance_manager, quality_director, issued, birch_lodge, cedar_court
):
    update = plan()
    line = services.add_line(
        update,
        by=compliance_manager,
        claim=PROVIDER_WIDE,
        kind=LineKind.PROVIDER_WIDE,
        services=[birch_lodge],
    )
    assert line.state == LineState.LACKING

    leave_out(issued, cedar_court, quality_director)
    services.check_evidence(update, by=compliance_manager)

    line.refresh_from_db()
    assert line.state == LineState.LACKING
    assert (
        "Cedar Court was left out of the learning on 23 Nov 2026, after its learning notice was issued on "
        f"13 Nov 2026: {REASON}; it still counts for a provider-wide claim and has no verified implementation"
    ) in line.evidence_note


def test_a_line_naming_a_left_out_service_is_never_evidenced_by_it(
    plan, compliance_manager, quality_director, issued, cedar_court
):
    update = plan()
    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Shared learning from the Elm House fall is complete at Cedar Court.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )

    leave_out(issued, cedar_court, quality_director)
    services.check_evidence(update, by=compliance_manager)

    line.refresh_from_db()
    assert line.state == LineState.LACKING
    assert (
        f"Cedar Court was left out of the learning on 23 Nov 2026: {REASON}; "
        "it has no verified implementation"
    ) in line.evidence_note


def test_a_verification_given_before_leaving_out_does_not_evidence_a_line_naming_the_service(
    plan, compliance_manager, quality_director, issued, cedar_match, cedar_court
):
    verify(cedar_match)
    leave_out(issued, cedar_court, quality_director)
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim="Cedar Court checks falls risk at every night round.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    assert line.state == LineState.LACKING
    assert f"Cedar Court was left out of the learning on 23 Nov 2026: {REASON}" in line.evidence_note


def test_a_service_left_out_before_it_was_sent_the_learning_does_not_count_for_a_provider_wide_claim(
    plan, compliance_manager, quality_director, trigger, birch_match, cedar_match, birch_lodge, cedar_court
):
    leave_out(trigger, cedar_court, quality_director)  # before any notice went out
    send_notice(birch_match, quality_director)
    verify(birch_match)
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim=PROVIDER_WIDE,
        kind=LineKind.PROVIDER_WIDE,
        services=[birch_lodge],
    )
    assert line.state == LineState.EVIDENCED
    assert "Cedar Court" not in line.evidence_note
