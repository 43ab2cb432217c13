"""The limits of an import: values the database columns cannot hold are reported by line before anything
is saved, a database failure while saving leaves nothing of the file behind, a task run twice changes
nothing twice, and a 100,000-row file imports through the background worker without duplicates."""

import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection

from learning_transfer import import_columns, imports, services, tasks
from learning_transfer.choices import ImportKind, ImportStatus, IncidentTheme
from learning_transfer.models import CareHours, ImportJob, Incident

from .conftest import save_in_chunks_of

pytestmark = pytest.mark.django_db

HEADER = "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected"
HOURS_HEADER = "service,day,hours"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str, name: str = "file.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def messages(job):
    return [(e["line"], e["message"]) for e in job.errors]


def incident_lines(count: int, prefix: str = "INC") -> list[str]:
    """`count` good incident rows at Elm House, one a minute from 1 January 2025."""
    start = datetime(2025, 1, 1)
    return [
        f"{prefix}-{n},Elm House,{start + timedelta(minutes=n):%Y-%m-%d %H:%M},fall,low,no,1"
        for n in range(count)
    ]


def hours_lines(count: int) -> list[str]:
    """`count` good care-hours rows at Elm House, one a day from 1 January 2020."""
    return [f"Elm House,{date(2020, 1, 1) + timedelta(days=n)},100" for n in range(count)]


# Bug 1: values that pass a loose check but that the database cannot hold ---------------------------


def test_one_infinite_value_among_1500_good_rows_rejects_the_whole_file(
    quality_director, provider, elm_house
):
    """The audit's file: before, 1,000 rows were saved and the job failed naming no line."""
    rows = hours_lines(1500)
    rows.insert(1200, "Elm House,2019-06-01,inf")  # line 1,202: after the first 1,000-row chunk
    job = services.import_care_hours(upload("\n".join([HOURS_HEADER, *rows])), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [(1202, "hours 'inf' is not a number.")]
    assert CareHours.objects.count() == 0


TOO_MANY_HOURS = ", the most one service can deliver in a day (24 hours for each of 1,000 people)."


@pytest.mark.parametrize(
    "hours, message",
    [
        ("inf", "hours 'inf' is not a number."),
        ("-inf", "hours '-inf' is not a number."),
        ("Infinity", "hours 'Infinity' is not a number."),
        ("NaN", "hours 'NaN' is not a number."),
        ("twelve", "hours 'twelve' is not a number."),
        ('"1,20"', "hours '1,20' is not a number: " + imports.NUMBER_HINT),  # not a thousands grouping
        ("-0.5", "hours cannot be negative (got -0.5)."),
        ("50000000", "hours '50000000' is more than 24,000" + TOO_MANY_HOURS),
        ("24000.01", "hours '24000.01' is more than 24,000" + TOO_MANY_HOURS),
        ("", "hours is empty."),
    ],
)
def test_care_hours_the_database_cannot_hold_are_reported_by_line(
    quality_director, provider, elm_house, hours, message
):
    text = (
        f"{HOURS_HEADER}\nElm House,2026-11-01,10\nElm House,2026-11-02,{hours}\nElm House,2026-11-03,24000\n"
    )
    job = services.import_care_hours(upload(text), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [(3, message)]
    assert CareHours.objects.count() == 0


def test_the_upper_bounds_fit_the_database_columns():
    hours = CareHours._meta.get_field("hours")
    most_hours, most_people = import_columns.MAX_CARE_HOURS_PER_DAY, imports.MAX_PEOPLE_AFFECTED
    reference_length = import_columns.SOURCE_REFERENCE_LENGTH
    assert most_hours < 10 ** (hours.max_digits - hours.decimal_places)  # DECIMAL(8, 2): below 10**6
    assert most_people <= 2_147_483_647  # PositiveIntegerField's limit on PostgreSQL
    assert reference_length == Incident._meta.get_field("source_reference").max_length


TOO_MANY_PEOPLE = " is more than 10,000, more people than any one service supports."


@pytest.mark.parametrize(
    "people, message",
    [
        ("99999999999", "people_affected '99999999999'" + TOO_MANY_PEOPLE),
        ("1e20", "people_affected '1e20'" + TOO_MANY_PEOPLE),
        ("10001", "people_affected '10001'" + TOO_MANY_PEOPLE),
        ("inf", "people_affected 'inf' is not a number."),
        ("NaN", "people_affected 'NaN' is not a number."),
        ("several", "people_affected 'several' is not a number."),
        ("2.5", "people_affected '2.5' is not a whole number."),
        ("-3", "people_affected cannot be negative (got -3)."),
        ("0", "people_affected must be at least 1."),
    ],
)
def test_people_affected_the_database_cannot_hold_are_reported_by_line(
    quality_director, provider, elm_house, people, message
):
    good = "INC-1,Elm House,2026-11-02 10:00,fall,low,no,10000"
    bad = f"INC-2,Elm House,2026-11-02 11:00,fall,low,no,{people}"
    job = services.import_incidents(upload(f"{HEADER}\n{good}\n{bad}\n"), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [(3, message)]
    assert Incident.objects.count() == 0


def test_text_longer_than_its_column_is_reported_and_echoed_values_are_shortened(
    quality_director, provider, elm_house
):
    longest = "R" * 60
    text = (
        f"{HEADER}\n"
        f"{longest},Elm House,2026-11-02 10:00,fall,low,no,1\n"  # exactly the column's length: fine
        f"{longest}X,Elm House,2026-11-02 10:00,fall,low,no,1\n"
        f"INC-3,{'Z' * 500},2026-11-02 10:00,fall,low,no,1\n"
    )
    job = services.import_incidents(upload(text), provider, quality_director)
    assert messages(job) == [
        (3, "source_reference is longer than 60 characters."),
        (4, f"Unknown service '{'Z' * 40}…': use the CQC location ID or name of one of your services."),
    ]
    assert Incident.objects.count() == 0


def test_a_null_character_in_a_cell_is_reported_by_line_and_nothing_is_saved(
    quality_director, provider, elm_house
):
    """PostgreSQL cannot store a NUL byte (\\x00) in text: before, the save failed as a whole with a
    database error naming no line. A quoted cell shows it escaped, so the message itself can be stored."""
    header = f"{HEADER},description"
    text = (
        f"{header}\n"
        "INC-1,Elm House,2026-11-02 10:00,fall,low,no,1,Fine\n"
        "INC-2,Elm House,2026-11-02 10:05,fall,low,no,1,Found\x00 on the floor\n"
        "INC-\x003,Elm House,2026-11-02 10:10,fall,low,no,1,\n"
        "INC-4,Elm House,2026-11-02 10:15,fa\x00ll,low,no,1,\n"
    )
    job = services.import_incidents(upload(text), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [
        (3, "description contains a null character (\\x00), which cannot be saved: remove it."),
        (4, "source_reference contains a null character (\\x00), which cannot be saved: remove it."),
        (5, "Unknown theme 'fa\\x00ll'. Use one of: " + import_columns.named_choices(IncidentTheme) + "."),
    ]
    assert Incident.objects.count() == 0


def test_a_column_named_twice_is_reported_against_the_header(quality_director, provider, elm_house):
    text = "service,day,hours,Hours\nElm House,2026-11-02,4,5\n"
    job = services.import_care_hours(upload(text), provider, quality_director)
    assert messages(job) == [(1, "Column hours appears more than once.")]


# Bug 2: a database failure while saving leaves nothing of the file ---------------------------------


def fail_on_second_chunk(monkeypatch):
    """Make the database refuse the second chunk of rows, as a constraint or a lost connection would,
    whichever way the chunks are saved (COPY on PostgreSQL, the ORM on SQLite)."""
    original = services.incidents._chunk_saver
    calls = []

    @contextmanager
    def failing_saver(*args):
        with original(*args) as (save, size):

            def save_or_fail(chunk):
                calls.append(len(chunk))
                if len(calls) == 2:
                    raise IntegrityError("simulated: the database refused the row")
                return save(chunk)

            yield save_or_fail, size

    monkeypatch.setattr(services.incidents, "_chunk_saver", failing_saver)
    save_in_chunks_of(monkeypatch, 40)
    return calls


def assert_failed_with_nothing_saved(job, first_line: int, last_line: int):
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert f"Saving stopped at lines {first_line}–{last_line}" in job.failure
    assert "IntegrityError: simulated: the database refused the row" in job.failure
    assert "nothing from this file was saved" in job.failure
    assert (job.processed_rows, job.created_count, job.updated_count) == (0, 0, 0)


def test_a_database_error_mid_save_of_a_background_import_saves_nothing(
    quality_director, provider, elm_house, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.LEARNING_IMPORT_INLINE_MAX_BYTES = 100
    calls = fail_on_second_chunk(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):  # queues the task, which runs eagerly
        job = services.start_import(
            upload("\n".join([HEADER, *incident_lines(100)])),
            provider=provider,
            kind=ImportKind.INCIDENTS,
            by=quality_director,
        )
    assert calls == [40, 40]  # the first chunk was written before the second failed
    assert_failed_with_nothing_saved(job, 42, 81)
    assert Incident.objects.count() == 0 and Incident.history.count() == 0


def test_a_database_error_mid_save_of_care_hours_saves_nothing_and_a_retry_works(
    quality_director, provider, elm_house, monkeypatch
):
    fail_on_second_chunk(monkeypatch)
    text = "\n".join([HOURS_HEADER, *hours_lines(100)])
    job = services.import_care_hours(upload(text), provider, quality_director)
    assert_failed_with_nothing_saved(job, 42, 81)
    assert CareHours.objects.count() == 0
    monkeypatch.undo()
    again = services.import_care_hours(upload(text), provider, quality_director)
    assert again.status == ImportStatus.SUCCEEDED and CareHours.objects.count() == 100


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_in_the_worker_rolls_back_committed_work_too(
    quality_director, provider, elm_house, monkeypatch
):
    """As in the worker, with no test transaction around it: the first chunk was really written."""
    fail_on_second_chunk(monkeypatch)
    job = services.start_import(
        upload("\n".join([HEADER, *incident_lines(100)])),
        provider=provider,
        kind=ImportKind.INCIDENTS,
        by=quality_director,
        background=False,
    )
    assert_failed_with_nothing_saved(job, 42, 81)
    assert Incident.objects.count() == 0 and Incident.history.count() == 0


def from_another_connection(job_pk: int) -> tuple[int, int]:
    """(job's processed rows, incidents) as the polling page sees them, through a thread's own connection."""
    seen = []

    def look():
        try:
            seen.append((ImportJob.objects.get(pk=job_pk).processed_rows, Incident.objects.count()))
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(timeout=10)
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_rows_stay_uncommitted_on_postgresql(
    quality_director, provider, elm_house, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time, so progress shows at the commit")
    save_in_chunks_of(monkeypatch, 40)
    seen = []
    publish = services.incidents._SavingProgress.__call__

    def publish_and_look(progress, written):
        publish(progress, written)
        seen.append(from_another_connection(progress.job.pk))

    monkeypatch.setattr(services.incidents._SavingProgress, "__call__", publish_and_look)
    job = services.start_import(
        upload("\n".join([HEADER, *incident_lines(100)])),
        provider=provider,
        kind=ImportKind.INCIDENTS,
        by=quality_director,
        background=False,
    )
    assert seen == [(40, 0), (80, 0), (100, 0)]  # progress shows; rows appear only at the commit
    assert job.status == ImportStatus.SUCCEEDED and Incident.objects.count() == 100


# A task run twice changes nothing twice -------------------------------------------------------------


def test_a_task_delivered_twice_imports_once(quality_director, provider, elm_house, monkeypatch):
    monkeypatch.setattr(tasks.run_import, "apply_async", lambda args, **options: None)  # run it by hand
    job = services.start_import(
        upload("\n".join([HEADER, *incident_lines(5)])),
        provider=provider,
        kind=ImportKind.INCIDENTS,
        by=quality_director,
        background=True,
    )
    tasks.run_import(job.pk)
    finished = ImportJob.objects.get(pk=job.pk).finished_at
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.unchanged_count) == (ImportStatus.SUCCEEDED, 5, 0)
    assert job.finished_at == finished
    assert Incident.objects.count() == 5 and Incident.history.count() == 5


# Bug 3: a realistic large file through the background path ------------------------------------------


def test_a_100000_row_file_imports_in_the_background_once(
    quality_director, provider, elm_house, settings, django_capture_on_commit_callbacks
):
    settings.LEARNING_IMPORT_INLINE_MAX_BYTES = 200_000  # the default: this 5 MB file goes to the worker
    content = "\n".join([HEADER, *incident_lines(100_000, prefix="BIG")])
    jobs, seconds = [], []
    for _ in range(2):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):  # queues the task, which runs eagerly
            jobs.append(
                services.start_import(
                    upload(content), provider=provider, kind=ImportKind.INCIDENTS, by=quality_director
                )
            )
        seconds.append(time.monotonic() - started)
    # The task loaded its own copy of each job: the ones returned here were left queued, not run inline.
    assert [job.status for job in jobs] == [ImportStatus.QUEUED, ImportStatus.QUEUED]
    first, again = (ImportJob.objects.get(pk=job.pk) for job in jobs)
    assert (first.status, first.total_rows, first.created_count) == (ImportStatus.SUCCEEDED, 100_000, 100_000)
    assert first.percent_done == 100 and first.processed_rows == 100_000
    assert (again.status, again.created_count, again.unchanged_count) == (ImportStatus.SUCCEEDED, 0, 100_000)
    assert again.percent_done == 100
    assert Incident.objects.count() == 100_000 and Incident.history.count() == 100_000
    print(
        f"\n100,000 rows on {connection.vendor}: imported in {seconds[0]:.1f} s, again in {seconds[1]:.1f} s"
    )
