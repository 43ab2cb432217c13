"""Two scans at the same moment, each on its own database connection, raise each escalation once.

PostgreSQL only: SQLite serialises writers, so there is no race to lose there.
"""

import threading

import pytest
from django.core import mail
from django.db import connection

from escalation import engine, notifications, services
from escalation.models import Escalation, Notification

from .conftest import at

pytestmark = [pytest.mark.django_db(transaction=True)]
CASES = 25


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Committed transactions would queue the sender on the broker; these tests call it themselves."""
    monkeypatch.setattr(notifications, "_enqueue_sender", lambda: None)


def at_once(function, *args, workers: int = 2) -> list:
    """Run `function(*args)` in several threads released together, each with its own connection."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(function(*args))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
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
