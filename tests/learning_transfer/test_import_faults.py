"""Fault test with real processes: a worker killed with SIGKILL while saving an import. Its transaction
dies with it (nothing saved), and the sweeper has the file imported again, exactly once.
Runs only with PostgreSQL and Redis (CI)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learning_transfer import services
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob, Incident
from tests.workers import forget_unacknowledged_messages, require_real_services, wait_for, workers

from .test_import_limits import HEADER, incident_lines

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROWS = 3000  # saved through COPY in one chunk, whose progress step pauses before the commit


@pytest.fixture(autouse=True)
def _fixed_clock():
    """The workers run on the real clock, so this test does too (overrides the chain A fixture)."""
    yield


@pytest.fixture
def broker(settings, tmp_path):
    require_real_services()
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    app.conf.task_always_eager = False
    yield settings.CELERY_BROKER_URL
    forget_unacknowledged_messages(settings.CELERY_BROKER_URL)


def job_state(job: ImportJob) -> tuple[str, int]:
    return ImportJob.objects.values_list("status", "processed_rows").get(pk=job.pk)


def saving_under_way(job: ImportJob) -> bool:
    status, written = job_state(job)
    return status == ImportStatus.SAVING and written >= 1000


def test_a_worker_killed_while_saving_leaves_nothing_and_the_sweeper_imports_once(
    broker, quality_director, provider, elm_house, tmp_path
):
    content = "\n".join([HEADER, *incident_lines(ROWS)]).encode()
    with workers() as start:
        # Each progress step pauses, so the save is certainly under way when the worker is killed.
        doomed = start(tmp_path / "doomed.log", BACKGROUND_TEST_DELAY_SECONDS=8)
        job = services.start_import(
            SimpleUploadedFile("incidents.csv", content),
            provider=provider,
            kind=ImportKind.INCIDENTS,
            by=quality_director,
            background=True,
        )
        wait_for(lambda: saving_under_way(job), "the first 1,000 rows to be written", explain=doomed.log)
        doomed.kill()
        assert saving_under_way(job)  # what the finding saw: "saving" for good
        assert Incident.objects.count() == 0  # the killed worker's transaction died with it

        rescuer = start(tmp_path / "rescuer.log", beat=True, SWEEP_SECONDS=1, STUCK_AFTER_SECONDS=8)
        wait_for(lambda: job_state(job)[0] == ImportStatus.SUCCEEDED, "the new attempt", explain=rescuer.log)
    job.refresh_from_db()
    assert (job.created_count, job.processed_rows) == (ROWS, ROWS) and job.attempts >= 2
    assert Incident.objects.count() == ROWS and Incident.history.count() == ROWS  # one set of rows
