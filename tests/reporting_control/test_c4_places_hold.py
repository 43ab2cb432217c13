"""C4: unsupported statements plus contradictions over 3 escalate, and the update is held."""

import pytest
from django.db.models.signals import post_save

from escalation import computations, services
from escalation.models import StepRecord
from reporting_control import chain
from reporting_control.choices import UpdateStatus
from reporting_control.models import IssueHold
from tests.house import project_receivers


def test_a_breached_c4_places_the_issue_hold_automatically(evidenced_update, operations_director):
    record = chain.record(
        evidenced_update,
        "C4",
        by=operations_director,
        values={"unsupported_statements": 3, "contradictions": 1, "deferred_sections": 0},
    )

    assert record.breached and record.escalation is not None
    hold = IssueHold.objects.get(update=evidenced_update, lifted_at__isnull=True)
    assert hold.step_record == record
    assert hold.placed_by == operations_director
    assert "Challenge the claims before issue (C4) breached" in hold.reason
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD


def test_a_c4_within_threshold_places_no_hold(evidenced_update, operations_director):
    chain.record(
        evidenced_update,
        "C4",
        by=operations_director,
        values={"unsupported_statements": 2, "contradictions": 1, "deferred_sections": 0},
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

    for match in (birch_match, cedar_match):
        notice = send_notice(match, quality_director)
        notice.due_at = match.implementation_confirmed_at or notice.issued_at
        notice.due_at += timedelta(days=30)
        notice.save()

    assert computations.compute(chain.step_run(evidenced_update, "C1")).values == {
        "provider_wide_adoption_lines": 0,
        "lines_lacking_service_evidence": 0,
        "open_risk_without_current_data": 0,
    }
    # Birch Lodge verified before its due time; Cedar Court not verified at all.
    c2 = computations.compute(chain.step_run(evidenced_update, "C2")).values
    assert c2 == {"pct_completing_in_time": 50.0}


BREACHING = {
    "C4": {"unsupported_statements": 3, "contradictions": 1, "deferred_sections": 0},
    "C5": {"lines_challenge_cleared": 1, "residual_defects": 2, "deferred_sections": 1},
}


@pytest.mark.parametrize("code", ["C4", "C5"])
def test_the_engine_holds_the_update_itself_with_no_signal_listening(
    code, evidenced_update, operations_director, provider_director
):
    """The hold is chain C's `recorded` hook, called by the engine's own record_step in the same
    transaction: nothing of ours listens for a step record being saved."""
    assert project_receivers(post_save, StepRecord) == []
    recorder = {"C4": operations_director, "C5": provider_director}[code]

    record = services.record_step(chain.step_run(evidenced_update, code), by=recorder, values=BREACHING[code])

    assert record.breached
    hold = IssueHold.objects.get(update=evidenced_update, lifted_at__isnull=True)
    assert hold.step_record == record and hold.placed_by == recorder
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD
