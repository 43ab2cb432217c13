"""A real Celery worker with beat, against Redis and PostgreSQL, raises an overdue escalation by itself.

Runs only when CELERY_BROKER_URL is redis:// and the database is PostgreSQL (CI sets both).
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from escalation import services
from escalation.models import Escalation

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
TIMEOUT_SECONDS = 60


def database_url() -> str:
    """The URL of the test database this process uses, for the worker to use too."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://...")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TICK_SECONDS": "2",
        "NOTIFY_SECONDS": "2",
    }
    log = tmp_path / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-B",
        "--pool=solo",
        "--loglevel=INFO",
        "-s",
        str(tmp_path / "beat-schedule"),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield log
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_worker_raises_an_overdue_escalation_without_anyone_calling_tick(
    chains, provider, elm_house, subject, people, worker
):
    confirmed = timezone.now() - timedelta(days=10)  # every step of chain A is long overdue
    run = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=confirmed, service=elm_house
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if Escalation.objects.filter(chain_run=run, kind="overdue").exists():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"No escalation within {TIMEOUT_SECONDS} s. Worker log:\n{worker.read_text()[-4000:]}")
    assert Escalation.objects.filter(chain_run=run, kind="overdue").count() == 5
