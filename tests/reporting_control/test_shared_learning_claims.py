"""Shared learning may never be reported as complete unless the evidence shows it across the services.
A claim that speaks of shared learning, or of every or all homes, is checked as a provider-wide claim
whatever kind it was given: naming the one service that did adopt it does not make it evidenced."""

import pytest

from reporting_control import services
from reporting_control.choices import LineKind, LineState
from reporting_control.evidence import speaks_for_every_service

from .conftest import verify

SHARED = "Shared learning on night checks is complete across every comparable home."


def add(update, by, claim, service, kind=LineKind.NAMED_SERVICE):
    return services.add_line(update, by=by, claim=claim, kind=kind, services=[service])


def test_a_shared_learning_claim_naming_one_verified_service_lacks_evidence(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)  # Birch Lodge adopted it; Cedar Court, also matched, did not
    line = add(plan(), compliance_manager, SHARED, birch_lodge)
    assert line.state == LineState.LACKING
    assert "checked as a provider-wide claim" in line.evidence_note
    assert "Cedar Court has no verified implementation" in line.evidence_note


def test_it_is_evidenced_once_every_matched_service_has_verified_it(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    verify(cedar_match)
    line = add(plan(), compliance_manager, SHARED, birch_lodge)
    assert line.state == LineState.EVIDENCED
    assert "checked as a provider-wide claim" in line.evidence_note


def test_a_claim_about_the_named_service_alone_is_judged_on_that_service(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    line = add(
        plan(), compliance_manager, "Birch Lodge now checks falls risk at every night round.", birch_lodge
    )
    assert line.state == LineState.EVIDENCED


@pytest.mark.parametrize(
    "claim, provider_wide",
    [
        (SHARED, True),
        ("The learning is now embedded in all our homes.", True),
        ("Every service has adopted the new handover.", True),
        ("Falls checks are done provider-wide.", True),
        ("Birch Lodge now checks falls risk at every night round.", False),
        ("All staff at Birch Lodge were trained.", False),
    ],
)
def test_which_claims_speak_for_every_service(claim, provider_wide):
    assert speaks_for_every_service(claim) is provider_wide
