"""Small words on an update's page: its history says "Update planned" once, then what was named (the
learning and services it covers), and an update whose lines are evidenced reads "Draft: checks to do"."""

import pytest

from providers.history import recent_changes

from .conftest import verify

pytestmark = pytest.mark.django_db


def test_planning_reads_once_then_names_what_it_covers(client, sign_in, plan, compliance_manager):
    update = plan()
    reasons = [row.history_change_reason for row in recent_changes(update)]
    assert reasons.count("Update planned") == 1
    assert "Learning it reports on named" in reasons
    assert "Services it covers named" in reasons

    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert page.count("Update planned") == 1


def test_an_evidenced_draft_says_it_has_checks_to_do(
    client, sign_in, update_with_a_line, compliance_manager, birch_match
):
    verify(birch_match)
    update = update_with_a_line()
    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert "Draft: checks to do" in page
    assert "complete the checks" not in page
