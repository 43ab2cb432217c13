"""An import always finishes: a worker killed mid-import leaves nothing saved and the job is started again
by the sweeper, a bounded number of times, after which the page says why and offers to try again."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from config import background
from learning_transfer import imports, services, tasks
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob, Incident

from .conftest import TESTS_START
from .test_import_limits import HEADER, incident_lines, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock():
    with time_machine.travel(TESTS_START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def queued(quality_director, provider, elm_house, clock, django_capture_on_commit_callbacks):
    """A 50-row incident file handed to the worker (its task not run yet)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.start_import(
            upload("\n".join([HEADER, *incident_lines(50)])),
            provider=provider,
            kind=ImportKind.INCIDENTS,
            by=quality_director,
            background=True,
        )


def worker_dies_while_saving(job: ImportJob) -> None:
    """A worker claims the job, checks it, starts saving, and is killed: its transaction rolls back."""
    claimed = background.claim(ImportJob, job.pk)
    background.finish(claimed, ImportStatus.SAVING)


def sweep(django_capture_on_commit_callbacks, run_tasks=True) -> dict:
    with django_capture_on_commit_callbacks(execute=run_tasks):
        return background.sweep()


def test_an_import_whose_worker_died_is_finished_by_the_sweeper_once(
    queued, clock, django_capture_on_commit_callbacks
):
    worker_dies_while_saving(queued)
    clock.shift(timedelta(minutes=4))
    assert sweep(django_capture_on_commit_callbacks)["requeued"] == 0
    clock.shift(timedelta(minutes=2))
    assert sweep(django_capture_on_commit_callbacks)["requeued"] == 1

    job = ImportJob.objects.get()
    assert (job.status, job.attempts, job.created_count) == (ImportStatus.SUCCEEDED, 2, 50)
    assert Incident.objects.count() == 50 and Incident.history.count() == 50
    assert sweep(django_capture_on_commit_callbacks) == {"sent": 0, "requeued": 0, "failed": 0}
    assert [(h.status, h.history_change_reason) for h in job.history.order_by("history_id")] == [
        (ImportStatus.QUEUED, None),  # uploaded
        (ImportStatus.CHECKING, "Started"),
        (ImportStatus.SAVING, None),  # and then its worker was killed
        (ImportStatus.QUEUED, "Re-queued: no progress"),
        (ImportStatus.CHECKING, "Started"),
        (ImportStatus.SAVING, "Rows checked"),
        (ImportStatus.SUCCEEDED, "Imported"),
    ]


def test_an_import_making_progress_is_left_alone(queued, clock, django_capture_on_commit_callbacks):
    claimed = background.claim(ImportJob, queued.pk)
    clock.shift(timedelta(minutes=4))
    background.heartbeat(claimed, total_rows=50)
    clock.shift(timedelta(minutes=4))
    assert sweep(django_capture_on_commit_callbacks)["requeued"] == 0
    assert ImportJob.objects.get().status == ImportStatus.CHECKING


def test_after_the_last_attempt_the_import_shows_failed_and_the_button_starts_it_again(
    queued, clock, django_capture_on_commit_callbacks, client, sign_in, quality_director
):
    for _ in range(3):
        worker_dies_while_saving(queued)
        clock.shift(timedelta(minutes=6))
        sweep(django_capture_on_commit_callbacks, run_tasks=False)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "3 times" in job.failure and "Nothing from this file was saved." in job.failure
    assert Incident.objects.count() == 0

    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "The import failed" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("learning_transfer:import_retry", args=[job.pk]), follow=True)
    assert "The import will start again shortly." in response.text
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == (ImportStatus.SUCCEEDED, 1, 50)
    assert Incident.objects.count() == 50


def test_only_an_importer_may_retry(queued, registered_manager):
    from django.core.exceptions import PermissionDenied

    ImportJob.objects.filter(pk=queued.pk).update(status=ImportStatus.FAILED)
    with pytest.raises(PermissionDenied):
        services.retry_import(queued, by=registered_manager)


def test_a_worker_given_up_on_saves_nothing_when_it_wakes(
    queued, clock, django_capture_on_commit_callbacks, elm_house
):
    stale = background.claim(ImportJob, queued.pk)  # it only looked dead: a very long pause
    background.finish(stale, ImportStatus.SAVING)
    clock.shift(timedelta(minutes=6))
    sweep(django_capture_on_commit_callbacks, run_tasks=False)  # re-queued for another worker
    with stale.file.open("rb") as handle:
        frame = imports.read_table(handle, stale.original_name)
    lookup = imports.service_lookup([(elm_house.pk, elm_house.cqc_location_id, elm_house.name)])
    with pytest.raises(background.LeaseLost):  # the stale worker wakes and saves its rows
        services.incidents._save_rows(stale, imports.check_incidents(frame, lookup).rows)
    assert Incident.objects.count() == 0  # rolled back with its lost lease
    tasks.run_import(queued.pk)  # the new attempt
    assert Incident.objects.count() == 50 and ImportJob.objects.get().attempts == 2


def test_the_import_task_is_acknowledged_only_when_done():
    assert tasks.run_import.acks_late and tasks.run_import.reject_on_worker_lost


def test_the_sweeper_runs_from_the_beat_schedule(settings):
    from escalation.tasks import sweep_background_work

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_background_work.name]
    assert entry["schedule"] == 60.0


def test_uploading_while_the_broker_is_down_says_it_will_start_shortly_and_the_sweeper_sends_it(
    client,
    sign_in,
    quality_director,
    provider,
    elm_house,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.LEARNING_IMPORT_INLINE_MAX_BYTES = 100  # this file goes to the worker
    monkeypatch.setattr(tasks.run_import, "apply_async", broker_down)
    sign_in(quality_director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning_transfer:import"),
            {"kind": ImportKind.INCIDENTS, "file": upload("\n".join([HEADER, *incident_lines(5)]))},
        )
    assert response.status_code == 302  # not 500
    assert "Waiting to start</strong>: the import will start shortly." in client.get(response.url).text
    assert ImportJob.objects.get().waiting_for_broker

    monkeypatch.undo()
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 1
    assert ImportJob.objects.get().status == ImportStatus.SUCCEEDED and Incident.objects.count() == 5
