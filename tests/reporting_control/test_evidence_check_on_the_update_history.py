"""Checking the evidence says on the update's history which lines changed verdict and why, in words.

Found by a tester: after "Check the evidence again" turned lines from "Lacking evidence" to "Evidenced",
the update's history showed only "Evidence checked at: not set → Mon 7 Dec 2026, 04:30" ("not set" was
misleading: each line was checked when it was added); and the button read "Check the evidence again"
beside "The evidence of these lines has not been checked as a whole yet."
"""

import pytest

from providers.history import recent_changes
from reporting_control import services

from .conftest import verify

pytestmark = pytest.mark.django_db


def history_of(client, update) -> str:
    return client.get(update.get_absolute_url()).text.split("<h2>History</h2>", 1)[1]


def test_a_line_changing_verdict_gets_a_row_saying_old_and_new_and_why(
    client, sign_in, update_with_a_line, compliance_manager, birch_match
):
    update = update_with_a_line()  # Birch Lodge not verified yet: lacking
    verify(birch_match)
    services.check_evidence(update, by=compliance_manager)

    reasons = [row.history_change_reason for row in recent_changes(update)]
    (row,) = [reason for reason in reasons if reason.startswith("Line 1 evidence")]
    assert row.startswith(
        "Line 1 evidence checked again: Lacking evidence → Evidenced. Birch Lodge: implementation"
    )

    sign_in(compliance_manager)
    history = history_of(client, update)
    assert "Line 1 evidence checked again: Lacking evidence → Evidenced." in history
    assert "Evidence of every line checked again" in history
    assert "Evidence checked at" not in history
    assert "not set" not in history


def test_a_check_changing_no_verdict_writes_no_line_row(update_with_a_line, compliance_manager):
    update = update_with_a_line()
    services.check_evidence(update, by=compliance_manager)
    reasons = [row.history_change_reason for row in recent_changes(update)]
    assert not any("evidence checked again" in reason for reason in reasons)


def test_the_button_says_again_only_once_the_evidence_was_checked_as_a_whole(
    client, sign_in, update_with_a_line, compliance_manager
):
    update = update_with_a_line()
    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert "The evidence of these lines has not been checked as a whole yet." in page
    assert ">Check the evidence</button>" in page

    services.check_evidence(update, by=compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert ">Check the evidence again</button>" in page
