"""Ten sessions of the person told answer one escalation at the same moment: it changes once, with
one event and one history row, and the nine others are told why nothing changed.

PostgreSQL only (see tests/concurrency.py).
"""

import pytest

from escalation import engine, notifications, services
from escalation.choices import EventKind
from escalation.models import Escalation
from tests.concurrency import SUBMITS, postgresql_only, submit_at_once

from .conftest import at

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Committed transactions would queue the e-mail sender; nobody is e-mailed in these stories."""
    monkeypatch.setattr(notifications, "_enqueue_sender", lambda: None)


@pytest.fixture
def overdue(chain_a, people) -> Escalation:
    """A2 overdue at 10:19: the Quality Director is told."""
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return escalation


def each_session(action, escalation):
    """What one session does: load the escalation as its page did, then submit."""
    return lambda: action(Escalation.objects.get(pk=escalation.pk))


def events(escalation, kind) -> int:
    return escalation.events.filter(kind=kind).count()


def history(escalation, reason) -> int:
    return escalation.history.filter(history_change_reason=reason).count()


def test_ten_acknowledgements_at_once_acknowledge_once(overdue, people):
    person = people.quality_director
    accepted, refused = submit_at_once(
        each_session(lambda e: services.acknowledge(e, by=person, now=at(23, 11)), overdue)
    )
    assert len(accepted) == 1
    assert refused == ["This escalation has already been acknowledged."] * (SUBMITS - 1)
    overdue.refresh_from_db()
    assert (overdue.state, overdue.acknowledged_by) == ("acknowledged", person)
    assert events(overdue, EventKind.ESCALATION_ACKNOWLEDGED) == 1
    assert history(overdue, "Acknowledged") == 1


def test_ten_actions_recorded_at_once_are_recorded_once(overdue, people):
    person = people.quality_director
    accepted, refused = submit_at_once(
        each_session(
            lambda e: services.record_action(e, by=person, action_taken="Phoned the home.", now=at(23, 11)),
            overdue,
        )
    )
    assert len(accepted) == 1 and len(refused) == SUBMITS - 1
    assert all("already" in message or "just now" in message for message in refused)
    assert events(overdue, EventKind.ACTION_RECORDED) == 1
    assert history(overdue, "Action recorded") == 1


def test_ten_resolutions_at_once_resolve_once(overdue, people):
    person = people.quality_director
    services.record_action(overdue, by=person, action_taken="Phoned the home.", now=at(23, 10, 30))
    accepted, refused = submit_at_once(
        each_session(lambda e: services.resolve(e, by=person, note="Done.", now=at(23, 11)), overdue)
    )
    assert len(accepted) == 1 and len(refused) == SUBMITS - 1
    overdue.refresh_from_db()
    assert (overdue.state, overdue.resolved_by) == ("resolved", person)
    assert events(overdue, EventKind.ESCALATION_RESOLVED) == 1
    assert history(overdue, "Resolved") == 1
