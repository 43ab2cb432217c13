"""Ten people placing or lifting a hold on one update, or releasing it, at the same moment: the update
changes once, with one history row, and the nine others are told why nothing changed.

PostgreSQL only (see tests/concurrency.py).
"""

import pytest

from reporting_control import services
from reporting_control.models import EvidencePack, IssueHold, ReportingUpdate
from tests.concurrency import SUBMITS, postgresql_only, submit_at_once

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def each_session(action, update):
    """What one session does: load the update as its page did, then submit."""
    return lambda: action(ReportingUpdate.objects.get(pk=update.pk))


def history(update, reason) -> int:
    return update.history.filter(history_change_reason__startswith=reason).count()


def test_ten_holds_placed_at_once_hold_once(evidenced_update, compliance_manager):
    accepted, refused = submit_at_once(
        each_session(
            lambda u: services.place_hold(u, by=compliance_manager, reason="Figures disputed."),
            evidenced_update,
        )
    )
    assert len(accepted) == 1 and len(refused) == SUBMITS - 1
    assert all("held" in message for message in refused)
    assert IssueHold.objects.filter(update=evidenced_update).count() == 1
    assert history(evidenced_update, "Held") == 1


def test_ten_lifts_at_once_lift_once(evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed.")
    accepted, refused = submit_at_once(
        each_session(
            lambda u: services.lift_hold(u, by=provider_director, reason="Figures reconciled."),
            evidenced_update,
        )
    )
    assert len(accepted) == 1
    assert refused == ["This update is not held."] * (SUBMITS - 1)
    [hold] = IssueHold.objects.filter(update=evidenced_update)
    assert hold.lifted_by == provider_director
    assert hold.history.filter(history_change_reason="Hold lifted").count() == 1
    assert history(evidenced_update, "Hold lifted") == 1


def test_ten_releases_at_once_release_once(evidenced_update, provider_director):
    accepted, refused = submit_at_once(
        each_session(lambda u: services.release_update(u, by=provider_director), evidenced_update)
    )
    # The nine later submits change nothing and say so ("already released"), as a double click does.
    assert sorted(accepted) == [False] * (SUBMITS - 1) + [True] and refused == []
    assert history(evidenced_update, "Released") == 1
    assert EvidencePack.objects.filter(update=evidenced_update).count() == 1
