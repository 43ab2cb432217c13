"""A claim of adoption that speaks for every service is checked as a provider-wide claim, however it is
worded and whatever kind it was added as, and C1 counts it among the provider-wide lines.

Found by a tester: "Lessons from Elm House have been embedded in practice in all 14 of our services."
(added as a named-service outcome naming only the verified home) and "Every home has adopted the revised
falls protocol." (added as an open-risk statement) both read "Evidenced"."""

import pytest

from reporting_control import evidence, services
from reporting_control.choices import LineKind, LineState
from reporting_control.evidence import speaks_for_every_service

from .conftest import verify

pytestmark = pytest.mark.django_db

ALL_14 = "Lessons from Elm House have been embedded in practice in all 14 of our services."
EVERY_HOME_ADOPTED = "Every home has adopted the revised falls protocol."


@pytest.mark.parametrize(
    "claim",
    [
        ALL_14,
        "The new handover is used in all our services.",
        "Every one of our homes now checks falls risk at night.",
        "Each of our care homes has changed practice.",
        "All of the services have adopted it.",
    ],
)
def test_wordings_that_speak_for_every_service(claim):
    assert speaks_for_every_service(claim) is True


def test_an_embedded_in_all_14_services_claim_naming_one_home_is_checked_as_provider_wide(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    line = services.add_line(
        plan(), by=compliance_manager, claim=ALL_14, kind=LineKind.NAMED_SERVICE, services=[birch_lodge]
    )
    assert line.state == LineState.LACKING
    assert "checked as a provider-wide claim" in line.evidence_note
    assert "Cedar Court has no verified implementation" in line.evidence_note


def test_an_open_risk_statement_claiming_adoption_everywhere_is_checked_as_provider_wide(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim=EVERY_HOME_ADOPTED,
        kind=LineKind.OPEN_RISK,
        services=[birch_lodge],
    )
    assert line.state == LineState.LACKING
    assert "Current cross-service data" not in line.evidence_note
    # The line says why it was checked that way.
    assert "although it was added as an open-risk statement" in line.evidence_note
    assert "“adopted”" in line.evidence_note and "“Every home”" in line.evidence_note
    assert "Cedar Court has no verified implementation" in line.evidence_note


def test_an_open_risk_statement_about_every_home_without_claiming_adoption_stays_one(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim="Falls risk at night remains open in every home until the audit ends.",
        kind=LineKind.OPEN_RISK,
        services=[birch_lodge],
    )
    assert line.state == LineState.EVIDENCED
    assert "Current cross-service data" in line.evidence_note


def test_c1_counts_them_among_the_provider_wide_lines_lacking_service_evidence(
    plan, compliance_manager, birch_lodge, birch_match, cedar_match
):
    verify(birch_match)
    update = plan()
    for claim, kind in [(ALL_14, LineKind.NAMED_SERVICE), (EVERY_HOME_ADOPTED, LineKind.OPEN_RISK)]:
        services.add_line(update, by=compliance_manager, claim=claim, kind=kind, services=[birch_lodge])
    services.add_line(
        update,
        by=compliance_manager,
        claim="Birch Lodge checks falls risk at every night round.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    measures = services.check_evidence(update, by=compliance_manager)
    assert measures == {
        "provider_wide_lines": 2,
        "lines_lacking_service_evidence": 2,  # an adoption claim, whatever kind it was added as
        "open_risk_lines_without_data": 0,
    }
    assert evidence.c1_measures(evidence.judge_update(update))["provider_wide_lines"] == 2
