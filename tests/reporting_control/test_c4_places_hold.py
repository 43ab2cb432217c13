"""C4: unsupported statements plus contradictions over 3 escalate, and the update is held."""

import pytest
from django.db.models.signals import post_save

from escalation import computations, services
from escalation.models import StepRecord
from reporting_control import chain
from reporting_control import services as reporting
from reporting_control.choices import LineKind, UpdateStatus
from reporting_control.models import IssueHold
from tests.factories import CHECK_DONE
from tests.house import project_receivers

# The Operations Director's challenge counts more than the system finds: each figure typed over the
# system's says why, or it is refused.
CHALLENGED = {
    "unsupported_statements": "The three Cedar Court lines rest on a notice alone.",
    "contradictions": "Cedar Court's line contradicts its own review.",
}
UNEVIDENCED_CLAIMS = (
    "Cedar Court checks falls risk at every night round.",
    "Cedar Court reviews every fall within a day.",
    "Cedar Court briefs agency staff on the falls learning.",
)


@pytest.fixture
def challenged_update(evidenced_update, compliance_manager, cedar_court):
    """The evidenced update with three claims about Cedar Court, which is not a matched service of the
    falls trigger: four lines, three of them residual evidence defects. A challenge can count up to
    four lines against it, and its sign-off (C5) breaches."""
    for claim in UNEVIDENCED_CLAIMS:
        reporting.add_line(
            evidenced_update,
            by=compliance_manager,
            claim=claim,
            kind=LineKind.NAMED_SERVICE,
            services=[cedar_court],
        )
    return evidenced_update


def test_a_breached_c4_places_the_issue_hold_automatically(challenged_update, operations_director):
    evidenced_update = challenged_update
    record = chain.record(
        evidenced_update,
        "C4",
        by=operations_director,
        values={"unsupported_statements": 3, "contradictions": 1, "deferred_sections": 0},
        reasons=CHALLENGED,
        check_done=CHECK_DONE,
    )

    assert record.breached and record.escalation is not None
    hold = IssueHold.objects.get(update=evidenced_update, lifted_at__isnull=True)
    assert hold.step_record == record
    assert hold.placed_by == operations_director
    assert "Challenge the claims before issue (C4) breached" in hold.reason
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD


def test_a_c4_within_threshold_places_no_hold(challenged_update, operations_director):
    evidenced_update = challenged_update
    chain.record(
        evidenced_update,
        "C4",
        by=operations_director,
        values={"unsupported_statements": 2, "contradictions": 1, "deferred_sections": 0},
        reasons=CHALLENGED,
        check_done=CHECK_DONE,
    )
    assert not IssueHold.objects.filter(update=evidenced_update).exists()


def test_c4_is_prefilled_from_the_lines(evidenced_update):
    step = chain.step_run(evidenced_update, "C4")
    assert computations.compute(step).values == {
        "unsupported_statements": 0,
        "contradictions": 0,
        "deferred_sections": 0,
    }


def test_c1_and_c2_are_prefilled_from_the_transfer_records(
    evidenced_update, birch_match, cedar_match, quality_director
):
    from datetime import timedelta

    from tests.reporting_control.conftest import send_notice

    # Each notice was due within 5 days: Cedar Court's, sent 10 days ago, has fallen due unverified.
    for match in (birch_match, cedar_match):
        notice = send_notice(match, quality_director)
        notice.due_at = match.implementation_confirmed_at or notice.issued_at
        notice.due_at += timedelta(days=5)
        notice.save()

    assert computations.compute(chain.step_run(evidenced_update, "C1")).values == {
        "provider_wide_adoption_lines": 0,
        "lines_lacking_service_evidence": 0,
        "open_risk_without_current_data": 0,
    }
    # Birch Lodge verified before its due time; Cedar Court not verified at all.
    c2 = computations.compute(chain.step_run(evidenced_update, "C2")).values
    assert c2 == {"pct_completing_in_time": 50.0}


# C4's counts are the Operations Director's challenge; C5's are what the lines show (3 residual defects).
BREACHING = {
    "C4": {"unsupported_statements": 3, "contradictions": 1, "deferred_sections": 0},
    "C5": {"lines_challenge_cleared": 0, "residual_defects": 3, "deferred_sections": 0},
}


@pytest.mark.parametrize("code", ["C4", "C5"])
def test_the_engine_holds_the_update_itself_with_no_signal_listening(
    code, challenged_update, operations_director, provider_director
):
    """The hold is chain C's `recorded` hook, called by the engine's own record_step in the same
    transaction: nothing of ours listens for a step record being saved."""
    evidenced_update = challenged_update
    assert project_receivers(post_save, StepRecord) == []
    recorder = {"C4": operations_director, "C5": provider_director}[code]

    record = services.record_step(
        chain.step_run(evidenced_update, code),
        by=recorder,
        values=BREACHING[code],
        reasons=CHALLENGED,
        check_done=CHECK_DONE,
    )

    assert record.breached
    hold = IssueHold.objects.get(update=evidenced_update, lifted_at__isnull=True)
    assert hold.step_record == record and hold.placed_by == recorder
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD
