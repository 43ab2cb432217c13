"""An evidence pack always finishes: a worker that dies mid-build, or a broker that is down when the pack
is requested, never leaves it "building 10%" or "queued" for good, and never answers 500."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from kombu.exceptions import OperationalError

from config import background
from reporting_control import packs, services, tasks
from reporting_control.choices import PackStatus
from reporting_control.models import EvidencePack

from .conftest import LONDON

START = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    """A frozen clock the test moves by hand."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def requested(evidenced_update, compliance_manager, django_capture_on_commit_callbacks, clock):
    """A pack requested while its task is not run (what a worker would pick up)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.request_pack(evidenced_update, by=compliance_manager)


def worker_dies_mid_build(pack: EvidencePack) -> EvidencePack:
    """A worker claims the pack, reports its first progress, and is killed."""
    claimed = background.claim(EvidencePack, pack.pk)
    background.heartbeat(claimed, progress=10)
    return claimed


def sweep(django_capture_on_commit_callbacks, run_tasks=True) -> dict:
    with django_capture_on_commit_callbacks(execute=run_tasks):
        return background.sweep()


def test_a_pack_whose_worker_died_is_built_by_the_sweeper_once(
    requested, clock, django_capture_on_commit_callbacks
):
    worker_dies_mid_build(requested)
    clock.shift(timedelta(minutes=4))
    assert sweep(django_capture_on_commit_callbacks)["requeued"] == 0  # not stuck yet
    clock.shift(timedelta(minutes=2))  # more than five minutes without progress
    assert sweep(django_capture_on_commit_callbacks)["requeued"] == 1

    pack = EvidencePack.objects.get()
    assert (pack.status, pack.progress, pack.attempts) == (PackStatus.READY, 100, 2)
    assert pack.file.read().startswith(b"%PDF")
    assert sweep(django_capture_on_commit_callbacks) == {"sent": 0, "requeued": 0, "failed": 0}
    assert [h.status for h in pack.history.order_by("history_id")] == [
        PackStatus.QUEUED,  # requested
        PackStatus.BUILDING,  # the first worker started
        PackStatus.QUEUED,  # re-queued by the sweeper
        PackStatus.BUILDING,
        PackStatus.READY,
    ]


def test_a_build_making_progress_is_left_alone(requested, clock, django_capture_on_commit_callbacks):
    claimed = worker_dies_mid_build(requested)
    clock.shift(timedelta(minutes=4))
    background.heartbeat(claimed, progress=40)  # alive: a long render, still moving
    clock.shift(timedelta(minutes=4))
    assert sweep(django_capture_on_commit_callbacks) == {"sent": 0, "requeued": 0, "failed": 0}
    pack = EvidencePack.objects.get()
    assert (pack.status, pack.progress, pack.attempts) == (PackStatus.BUILDING, 40, 1)


def test_after_the_last_attempt_the_pack_shows_failed_with_why_and_can_be_tried_again(
    requested,
    clock,
    django_capture_on_commit_callbacks,
    client,
    sign_in,
    compliance_manager,
    evidenced_update,
):
    for _ in range(3):  # MAX_ATTEMPTS: each time the worker handed the pack dies too
        worker_dies_mid_build(requested)
        clock.shift(timedelta(minutes=6))
        sweep(django_capture_on_commit_callbacks, run_tasks=False)
    pack = EvidencePack.objects.get()
    assert (pack.status, pack.attempts) == (PackStatus.FAILED, 3)
    assert "stopped making progress on this 3 times (no progress for 5 minutes each time)" in pack.failure

    sign_in(compliance_manager)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert "The pack could not be built" in page and "Try again" in page
    retry_url = reverse("reporting_control:pack_retry", args=[evidenced_update.pk, pack.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, follow=True)
    assert "The evidence pack will be built again shortly." in response.text
    pack.refresh_from_db()
    assert (pack.status, pack.attempts, pack.failure) == (PackStatus.READY, 1, "")
    assert pack.history.filter(history_change_reason="Tried again", history_user=compliance_manager).exists()


def test_only_someone_who_may_request_a_pack_may_retry_it(requested, registered_manager):
    from django.core.exceptions import PermissionDenied

    EvidencePack.objects.filter(pk=requested.pk).update(status=PackStatus.FAILED)
    with pytest.raises(PermissionDenied):
        services.retry_pack(requested, by=registered_manager)
    assert EvidencePack.objects.get().status == PackStatus.FAILED


def test_a_worker_given_up_on_changes_nothing_when_it_wakes(
    requested, clock, django_capture_on_commit_callbacks
):
    stale = worker_dies_mid_build(requested)  # it only looked dead: a very long pause
    clock.shift(timedelta(minutes=6))
    sweep(django_capture_on_commit_callbacks)  # the second attempt builds the pack
    built = EvidencePack.objects.get()
    packs.build_pack(stale)  # the first worker wakes up and carries on
    after = EvidencePack.objects.get()
    assert (after.status, after.sha256, after.file.name) == (PackStatus.READY, built.sha256, built.file.name)
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == [Path(after.file.path)]  # one file, its own


def test_requesting_a_pack_while_the_broker_is_down_never_answers_500(
    client, sign_in, evidenced_update, compliance_manager, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_evidence_pack, "apply_async", broker_down)
    sign_in(compliance_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting_control:pack_request", args=[evidenced_update.pk]))
    assert response.status_code == 302
    page = client.get(response.url).text
    assert "Evidence pack requested: it will start shortly" in page
    assert "Waiting to start" in page
    pack = EvidencePack.objects.get()
    assert (pack.status, pack.dispatched_at) == (PackStatus.QUEUED, None)

    monkeypatch.undo()  # the broker is back: the next sweep sends it
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 1
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 1


def test_the_pack_task_is_acknowledged_only_when_done():
    task = tasks.build_evidence_pack
    assert task.acks_late and task.reject_on_worker_lost
