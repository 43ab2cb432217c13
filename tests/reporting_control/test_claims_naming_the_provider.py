"""A claim about the whole provider is checked as a provider-wide claim, however it is worded: naming the
provider ("throughout Oakwood Care Group"), "group-wide", "company-wide", "throughout the organisation",
"all our services". A tester's line claiming real-time night checks "throughout Oakwood Care Group",
naming only the one home that had verified, read "Evidenced"."""

import pytest

from reporting_control import services
from reporting_control.choices import LineKind, LineState
from reporting_control.evidence import speaks_for_every_service

from .conftest import verify

TESTER_CLAIM = "Night checks are now recorded in real time throughout Oakwood Care Group."


@pytest.mark.parametrize("kind", [LineKind.NAMED_SERVICE, LineKind.IMPROVEMENT])
def test_a_claim_naming_the_provider_is_not_evidenced_by_one_home(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match, kind
):
    verify(birch_match)  # Birch Lodge verified; Cedar Court, also matched, did not
    line = services.add_line(
        plan(), by=compliance_manager, claim=TESTER_CLAIM, kind=kind, services=[birch_lodge]
    )
    assert line.state == LineState.LACKING
    assert "checked as a provider-wide claim" in line.evidence_note
    assert "Cedar Court has no verified implementation" in line.evidence_note


def test_a_claim_about_the_named_home_alone_stays_a_named_service_claim(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim="Birch Lodge's night checks are recorded in real time.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    assert line.state == LineState.EVIDENCED
    assert "provider-wide" not in line.evidence_note


@pytest.mark.parametrize(
    "claim",
    [
        TESTER_CLAIM,
        "Night checks are now recorded in real time throughout oakwood care group.",
        "Oakwood Care now records night checks in real time.",
        "Oakwood Care Group Ltd records night checks in real time.",
        "Real-time night checks are now group-wide.",
        "Real-time night checks are now groupwide.",
        "Night checks are recorded in real time company-wide.",
        "Night checks are recorded in real time organisation-wide.",
        "Night checks are recorded in real time organization-wide.",
        "Night checks are recorded in real time throughout the group.",
        "Night checks are recorded in real time throughout the organisation.",
        "Night checks are recorded in real time throughout our provider.",
        "Night checks are recorded in real time in all our services.",
        "Night checks are recorded in real time in all homes.",
        "Night checks are recorded in real time at all locations.",
        "Night checks are recorded in real time at every site.",
        "Every home records night checks in real time.",
        "Night checks are recorded in real time across every home.",
        "Across the organisation night checks are recorded in real time.",
        "All our care homes across the group record night checks in real time.",
    ],
)
def test_claims_about_the_whole_provider(claim):
    assert speaks_for_every_service(claim, provider_name="Oakwood Care Group") is True


@pytest.mark.parametrize(
    "claim",
    [
        "Rowan Court's night checks are recorded in real time.",
        "Night checks at Rowan Court are now recorded in real time throughout the night.",
        "All staff at Rowan Court were trained on real-time night checks.",
        "Rowan Court's night team has a new group supervision session.",
        "Oakwood House records night checks in real time.",  # a home sharing only the first word
    ],
)
def test_claims_about_one_home(claim):
    assert speaks_for_every_service(claim, provider_name="Oakwood Care Group") is False


def test_a_provider_whose_short_name_is_one_word_is_caught_by_its_full_name_only():
    # "Care Group" without "Group" would be "Care": far too common a word to mean the provider.
    assert speaks_for_every_service("Care Group homes record night checks.", provider_name="Care Group")
    assert not speaks_for_every_service("Care staff record night checks.", provider_name="Care Group")
