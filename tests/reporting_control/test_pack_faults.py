"""Fault tests with real processes: a worker killed with SIGKILL mid-build, and a broker stopped while
a pack is requested. Each pack is still built, exactly once. Runs only with PostgreSQL and Redis (CI)."""

import hashlib
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import PackStatus
from reporting_control.models import EvidencePack
from tests.signing_in import signed_in
from tests.workers import (
    RedisServer,
    forget_unacknowledged_messages,
    require_real_services,
    wait_for,
    workers,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
THROWAWAY_REDIS_PORT = 6392  # never the shared server's port: this test stops its broker


@pytest.fixture(autouse=True)
def _fixed_clock():
    """The workers run on the real clock, so this test does too (overrides the chain C fixture)."""
    yield


@pytest.fixture
def broker():
    """Tasks go through the real broker to real workers, not run in this process."""
    require_real_services()
    from config.celery import app

    app.conf.task_always_eager = False
    yield settings.CELERY_BROKER_URL
    forget_unacknowledged_messages(settings.CELERY_BROKER_URL)


def status(pack: EvidencePack) -> str:
    return EvidencePack.objects.values_list("status", flat=True).get(pk=pack.pk)


def assert_built_once(pack: EvidencePack) -> None:
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY
    [pdf] = Path(settings.MEDIA_ROOT).rglob("*.pdf")  # one file: nothing left by the killed attempt
    assert pdf == Path(pack.file.path)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == pack.sha256


def test_a_worker_killed_mid_build_leaves_a_pack_the_sweeper_builds_once(
    broker, evidenced_update, compliance_manager, tmp_path
):
    with workers() as start:
        # Each progress step pauses, so the build is certainly under way when the worker is killed.
        doomed = start(tmp_path / "doomed.log", BACKGROUND_TEST_DELAY_SECONDS=8)
        pack = services.request_pack(evidenced_update, by=compliance_manager)
        wait_for(lambda: status(pack) == PackStatus.BUILDING, "the build to start", explain=doomed.log)
        doomed.kill()
        assert status(pack) == PackStatus.BUILDING  # what the finding saw: "building" for good

        rescuer = start(tmp_path / "rescuer.log", beat=True, SWEEP_SECONDS=1, STUCK_AFTER_SECONDS=8)
        wait_for(lambda: status(pack) == PackStatus.READY, "the sweeper's rebuild", explain=rescuer.log)
    assert_built_once(pack)
    assert pack.attempts >= 2


@pytest.fixture
def own_broker(tmp_path):
    """A throwaway Redis this test may stop, with this process's Celery app publishing to it."""
    require_real_services()
    from config.celery import app

    server = RedisServer(THROWAWAY_REDIS_PORT, tmp_path / "redis.log")
    server.start()
    _publish_to(app, server.url)
    try:
        yield server
    finally:
        _publish_to(app, None)
        server.stop()


def _publish_to(app, url: str | None) -> None:
    """Publish to `url` (None: back to the configured broker). The write URL, because the environment's
    CELERY_BROKER_URL would override a changed broker_url."""
    app.conf.task_always_eager = False
    app.conf.broker_write_url = url
    app._pool = None  # kombu keeps a pool per broker: the next publish takes the new broker's
    app.amqp._producer_pool = None


def test_a_pack_requested_while_the_broker_is_down_is_built_once_it_is_back(
    own_broker, client, evidenced_update, compliance_manager, tmp_path
):
    with workers() as start:
        worker = start(tmp_path / "worker.log", broker_url=own_broker.url, beat=True, SWEEP_SECONDS=1)
        wait_for(lambda: "ready." in worker.log(), "the worker to start", explain=worker.log)
        own_broker.stop()

        signed_in(client, compliance_manager)
        started = time.monotonic()
        response = client.post(reverse("reporting_control:pack_request", args=[evidenced_update.pk]))
        assert response.status_code == 302  # not 500
        assert time.monotonic() - started < 10  # and no long hang waiting for Redis
        page = client.get(response.url).text
        assert "Evidence pack requested: it will start shortly" in page and "Waiting to start" in page
        pack = EvidencePack.objects.get()
        assert (pack.status, pack.dispatched_at) == (PackStatus.QUEUED, None)

        own_broker.start()
        wait_for(lambda: status(pack) == PackStatus.READY, "the pack once Redis is back", explain=worker.log)
    assert_built_once(pack)
    assert pack.attempts == 1
