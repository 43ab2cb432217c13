"""A real Celery worker with beat, against Redis and PostgreSQL, raises an overdue escalation by itself.

Runs only when CELERY_BROKER_URL is redis:// and the database is PostgreSQL (CI sets both).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation import services
from escalation.models import Escalation
from tests.workers import require_real_services, wait_for, workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    require_real_services()
    with workers() as start:
        yield start(tmp_path / "worker.log", beat=True, TICK_SECONDS=2, NOTIFY_SECONDS=2)


def test_the_worker_raises_an_overdue_escalation_without_anyone_calling_tick(
    chains, provider, elm_house, subject, people, worker
):
    confirmed = timezone.now() - timedelta(days=10)  # every step of chain A is long overdue
    run = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=confirmed, service=elm_house
    )
    overdue = Escalation.objects.filter(chain_run=run, kind="overdue")
    wait_for(overdue.exists, "the worker to raise an escalation", explain=worker.log)
    assert overdue.count() == 5
