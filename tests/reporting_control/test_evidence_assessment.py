"""A claim of adoption counts only where a named service has verified implementation; a notice never does."""

from reporting_control import services
from reporting_control.choices import LineKind, LineState, UpdateStatus
from tests.reporting_control.conftest import send_notice, verify


def test_a_claim_resting_only_on_an_acknowledged_notice_lacks_evidence(
    plan, compliance_manager, birch_match, birch_lodge, quality_director
):
    send_notice(birch_match, quality_director)
    update = plan()

    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Birch Lodge has adopted the night falls checks.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )

    assert line.state == LineState.LACKING
    assert line.notice_only
    assert "a notice is not adoption evidence" in line.evidence_note


def test_a_named_service_with_verified_implementation_evidences_the_claim(
    plan, compliance_manager, birch_match, birch_lodge
):
    verify(birch_match)
    update = plan()

    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Adopted at Birch Lodge.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )

    assert line.state == LineState.EVIDENCED
    assert "Birch Lodge: implementation verified" in line.evidence_note


def test_a_service_that_is_not_matched_cannot_evidence_a_claim(
    plan, compliance_manager, elm_house, birch_match
):
    verify(birch_match)
    update = plan()

    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Adopted at Elm House.",
        kind=LineKind.IMPROVEMENT,
        services=[elm_house],
    )

    assert line.state == LineState.LACKING
    assert "was not one of the services the linked learning was sent to" in line.evidence_note


def test_provider_wide_adoption_needs_every_included_matched_service_verified(
    plan, compliance_manager, birch_match, cedar_match
):
    verify(birch_match)
    update = plan()
    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Adopted across the provider.",
        kind=LineKind.PROVIDER_WIDE,
        services=[birch_match.service, cedar_match.service],
    )
    assert line.state == LineState.LACKING
    assert "Cedar Court has no verified implementation" in line.evidence_note

    verify(cedar_match)
    measures = services.check_evidence(update, by=compliance_manager)

    line.refresh_from_db()
    assert line.state == LineState.EVIDENCED
    assert measures == {
        "provider_wide_lines": 1,
        "lines_lacking_service_evidence": 0,
        "open_risk_lines_without_data": 0,
    }
    update.refresh_from_db()
    assert update.status == UpdateStatus.IN_PREPARATION


def test_the_c1_measures_count_lines_lacking_evidence(plan, compliance_manager, birch_match, birch_lodge):
    update = plan()
    for n in range(3):
        services.add_line(
            update,
            by=compliance_manager,
            claim=f"Claim {n}",
            kind=LineKind.NAMED_SERVICE,
            services=[birch_lodge],
        )

    measures = services.check_evidence(update, by=compliance_manager)

    assert measures["lines_lacking_service_evidence"] == 3


def test_a_frozen_line_keeps_its_state_when_evidence_is_checked_again(
    plan, compliance_manager, birch_match, birch_lodge
):
    update = plan()
    line = services.add_line(
        update, by=compliance_manager, claim="Adopted.", kind=LineKind.NAMED_SERVICE, services=[birch_lodge]
    )
    services.decide_line(line, by=compliance_manager, state=LineState.FROZEN, reason="No proof yet.")

    services.check_evidence(update, by=compliance_manager)

    line.refresh_from_db()
    assert line.state == LineState.FROZEN
    assert line.history.first().history_user == compliance_manager
