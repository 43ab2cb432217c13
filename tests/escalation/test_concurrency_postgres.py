"""Two scans at the same moment, each on its own database connection, raise each escalation once.

PostgreSQL only: SQLite serialises writers, so there is no race to lose there.
"""

import pytest
from django.core import mail

from escalation import engine, notifications, services
from escalation.models import Escalation, Notification
from tests.concurrency import postgresql_only, submit_at_once

from .conftest import at

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
CASES = 25


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Committed transactions would queue the sender on the broker; these tests call it themselves."""
    monkeypatch.setattr(notifications, "_enqueue_sender", lambda: None)


def at_once(function, *args, workers: int = 2) -> list:
    """Run `function(*args)` in several threads released together, each with its own connection."""
    results, _ = submit_at_once(lambda: function(*args), times=workers, in_transaction=False)
    return results


@pytest.fixture
def many_cases(chains, provider, elm_house, subject, people):
    for _ in range(CASES):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=elm_house
        )


def test_two_ticks_at_once_raise_each_overdue_escalation_once(many_cases):
    reports = at_once(engine.tick, at(23, 16, 30))  # A1, A2, A3 and A4 of every case are overdue
    assert sum(len(r.overdue) for r in reports) == 4 * CASES
    assert Escalation.objects.count() == 4 * CASES
    assert Notification.objects.count() == 4 * CASES


def test_two_ticks_at_once_raise_each_follow_up_once(many_cases):
    engine.tick(at(23, 16, 30))
    reports = at_once(engine.tick, at(24, 15, 0), workers=3)
    assert sum(len(r.follow_ups) for r in reports) == 4 * CASES
    assert Escalation.objects.filter(kind="follow_up").count() == 4 * CASES


def test_two_senders_at_once_e_mail_each_person_once(many_cases):
    engine.tick(at(23, 16, 30))
    sent = at_once(notifications.send_pending, at(23, 16, 31), workers=3)
    assert sum(sent) == 4 * CASES
    assert len(mail.outbox) == 4 * CASES
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
