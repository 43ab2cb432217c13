"""Incident and care-hours data: file imports (inline or as a background task) and manual entry."""

import logging
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from providers.models import Service
from providers.permissions import require_perm

from .. import imports
from ..choices import ImportKind, ImportStatus
from ..models import CareHours, ImportJob, Incident
from .common import now_or, refuse

log = logging.getLogger(__name__)

# Files up to this size (about 2,000 rows) import during the request; larger ones go to a Celery task.
# Settings may override it with LEARNING_IMPORT_INLINE_MAX_BYTES.
INLINE_MAX_BYTES = 200_000
CHUNK_ROWS = 1000  # rows written per query batch, all in one transaction; also how often progress is shown
MAX_FAILURE_CHARACTERS = 500  # of a database error quoted on the job
INCIDENT_FIELDS = [
    "occurred_at",
    "theme",
    "harm_level",
    "safeguarding_concern",
    "regulatory_notification",
    "people_affected",
    "description",
]


def start_import(uploaded, *, provider, kind: str, by, background: bool | None = None) -> ImportJob:
    """Store an uploaded file as an ImportJob and import it: now if small, else in a Celery task.

    `background` forces one way or the other (tests, management commands).
    """
    require_perm(by, "learning_transfer.import_data", provider)
    name = get_valid_filename(getattr(uploaded, "name", "upload.csv")) or "upload.csv"
    job = ImportJob(provider=provider, kind=kind, original_name=name, created_by=by)
    job.file.save(name, uploaded if hasattr(uploaded, "chunks") else ContentFile(uploaded), save=False)
    job.save()
    if background is None:
        background = job.file.size > getattr(settings, "LEARNING_IMPORT_INLINE_MAX_BYTES", INLINE_MAX_BYTES)
    if background:
        # The worker must see the committed job row, so queue only after the commit.
        transaction.on_commit(lambda: _queue(job))
    else:
        run_import_job(job)
    return job


def _queue(job: ImportJob) -> None:
    """Hand the job to the Celery worker; if the broker is unreachable, say so on the job."""
    from ..tasks import run_import  # a late import: tasks imports this module

    try:
        run_import.delay(job.pk)
    except Exception as exc:  # kombu raises many transport errors; the person must see a reason
        log.exception("Could not queue import job %s", job.pk)
        job.failure = f"The background worker could not be reached ({exc}). Try again later."
        _progress(job, status=ImportStatus.FAILED, finished_at=timezone.now())


def import_incidents(file, provider, by) -> ImportJob:
    """Import an incident file now (whatever its size) and return the finished job."""
    return start_import(file, provider=provider, kind=ImportKind.INCIDENTS, by=by, background=False)


def import_care_hours(file, provider, by) -> ImportJob:
    """Import a care-hours file now (whatever its size) and return the finished job."""
    return start_import(file, provider=provider, kind=ImportKind.CARE_HOURS, by=by, background=False)


def run_import_job(job: ImportJob, now=None) -> ImportJob:
    """Check every row; save nothing if any is bad; otherwise save the whole file in one transaction.

    Runs a job once: a job that is no longer queued (a task delivered twice, a finished import) is
    returned unchanged. Whatever fails, the job says why and keeps none of the file's rows.
    """
    if not _claim(job):
        return job
    try:
        rows = _checked_rows(job, now_or(now))
        if rows is None:
            return job  # rejected: every bad row is on the job
        _progress(job, status=ImportStatus.SAVING)
        _save_rows(job, rows)
    except Exception as exc:  # the job must record any failure, whatever raised it
        log.exception("Import job %s failed", job.pk)
        return _fail(job, exc)
    return _progress(job, status=ImportStatus.SUCCEEDED, finished_at=timezone.now())


def _claim(job: ImportJob) -> bool:
    """Move the job from queued to checking, once. The conditional UPDATE is atomic on PostgreSQL and
    SQLite, so of two workers given the same job (or a task run again later) only one goes on."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING
    )
    if claimed:
        job.status = ImportStatus.CHECKING
    else:
        job.refresh_from_db()
    return bool(claimed)


def _checked_rows(job: ImportJob, now) -> pd.DataFrame | None:
    """Read and check the job's file: the clean rows, or None after rejecting the job with its errors."""
    try:
        with job.file.open("rb") as handle:
            frame = imports.read_table(handle.read(), job.original_name)
    except imports.ImportFileError as exc:
        _reject(job, [{"line": 1, "message": str(exc)}])
        return None
    if frame.empty:
        _reject(job, [{"line": 2, "message": "The file has no rows below the header."}])
        return None
    services = Service.objects.filter(provider=job.provider).values_list("pk", "cqc_location_id", "name")
    checked = imports.CHECKERS[job.kind](frame, imports.service_lookup(list(services)), now)
    job.total_rows = len(frame)
    if not checked.ok:
        _reject(job, checked.errors)
        return None
    return checked.rows


def _progress(job: ImportJob, **changes) -> ImportJob:
    for name, value in changes.items():
        setattr(job, name, value)
    job.save()
    return job


def _reject(job: ImportJob, errors: list[dict]) -> ImportJob:
    job.error_count = len(errors)
    job.errors = errors[: imports.MAX_STORED_ERRORS]
    return _progress(job, status=ImportStatus.REJECTED, finished_at=timezone.now())


class SaveFailed(Exception):
    """The database refused a chunk of rows; the chunk's lines narrow down where (the cause says why)."""

    def __init__(self, first_line: int, last_line: int):
        super().__init__(f"lines {first_line}–{last_line}")
        self.first_line, self.last_line = first_line, last_line


def _fail(job: ImportJob, exc: Exception) -> ImportJob:
    """Mark the job failed with the reason. Its save was rolled back, so it reports no rows saved."""
    cause = exc.__cause__ if isinstance(exc, SaveFailed) and exc.__cause__ else exc
    where = f"Saving stopped at {exc}" if isinstance(exc, SaveFailed) else "The import stopped"
    job.failure = (
        f"{where} ({type(cause).__name__}: {str(cause)[:MAX_FAILURE_CHARACTERS]}), so nothing from this "
        "file was saved. Importing it again is safe."
    )
    job.processed_rows = job.created_count = job.updated_count = job.unchanged_count = 0
    return _progress(job, status=ImportStatus.FAILED, finished_at=timezone.now())


class _SavingProgress:
    """Publishes how many rows are written while the file's one transaction is still open.

    Progress written through the saving connection would stay invisible to the polling page until the
    commit (READ COMMITTED on PostgreSQL; SQLite readers see the last commit), so on PostgreSQL it goes
    through a second, autocommitting connection. That cannot wait on the save: the job row is written
    only before and after the transaction, never inside it (lock_timeout bounds any wait anyway).
    SQLite allows one writer at a time, so a second connection would wait for the save's lock and fail
    after the timeout; there, and when an outer transaction holds the job uncommitted (an import during
    a request, which nobody polls), the page shows "Saving" until the commit. Best effort: a failed
    progress write is logged and never fails the import.
    """

    def __init__(self, job: ImportJob):
        self.job = job
        self.connection = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.connection is not None:
            self.connection.close()

    def __call__(self, written: int) -> None:
        if self.connection is None:
            return
        table = self.connection.ops.quote_name(ImportJob._meta.db_table)
        sql = f"UPDATE {table} SET processed_rows = %s WHERE id = %s"  # plain lower-case column names
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(sql, [written, self.job.pk])
        except DatabaseError:
            log.warning("Could not publish the progress of import job %s", self.job.pk, exc_info=True)
            self.connection.close()
            self.connection = None


def _save_rows(job: ImportJob, rows: pd.DataFrame) -> None:
    """Save the whole file in one transaction, so a database error anywhere leaves none of it saved.

    Rows still go in chunks, which bounds memory and the size of each query, with progress published
    after each (see _SavingProgress). The counts go on the job only after the commit.
    """
    save_chunk = _save_incidents if job.kind == ImportKind.INCIDENTS else _save_care_hours
    reason = f"Imported from {job.original_name}"[:100]
    totals = [0, 0, 0]  # created, updated, unchanged
    with _SavingProgress(job) as publish, transaction.atomic():
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows.iloc[start : start + CHUNK_ROWS]
            try:
                counts = save_chunk(chunk, job, reason)
            except Exception as exc:
                raise SaveFailed(int(chunk["line"].iloc[0]), int(chunk["line"].iloc[-1])) from exc
            totals = [total + count for total, count in zip(totals, counts, strict=True)]
            publish(start + len(chunk))
    job.created_count, job.updated_count, job.unchanged_count = totals
    job.processed_rows = len(rows)


def _save_incidents(chunk: pd.DataFrame, job: ImportJob, reason: str) -> tuple[int, int, int]:
    """Create new incidents and update changed ones, keyed on (service, source reference)."""
    existing = {
        (i.service_id, i.source_reference): i
        for i in Incident.objects.filter(
            service__provider=job.provider, source_reference__in=set(chunk["source_reference"])
        )
    }
    new, changed = [], []
    for row in chunk.itertuples(index=False):
        values = {
            "occurred_at": row.occurred_at.to_pydatetime(),
            "theme": row.theme,
            "harm_level": row.harm_level,
            "safeguarding_concern": bool(row.safeguarding_concern),
            "regulatory_notification": bool(row.regulatory_notification),
            "people_affected": int(row.people_affected),
            "description": row.description,
        }
        incident = existing.get((int(row.service_id), row.source_reference))
        if incident is None:
            new.append(
                Incident(service_id=int(row.service_id), source_reference=row.source_reference, **values)
            )
        elif any(getattr(incident, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(incident, name, value)
            changed.append(incident)
    history = {"default_user": job.created_by, "default_change_reason": reason}
    if new:
        bulk_create_with_history(new, Incident, batch_size=500, **history)
    if changed:
        bulk_update_with_history(changed, Incident, INCIDENT_FIELDS, batch_size=500, **history)
    return len(new), len(changed), len(chunk) - len(new) - len(changed)


def _save_care_hours(chunk: pd.DataFrame, job: ImportJob, reason: str) -> tuple[int, int, int]:
    """Insert or update one figure per service and day."""
    service_ids = {int(s) for s in chunk["service_id"]}
    days = set(chunk["day"])
    existing = {
        (service_id, day): hours
        for service_id, day, hours in CareHours.objects.filter(
            service_id__in=service_ids, day__in=days
        ).values_list("service_id", "day", "hours")
    }
    rows, created, updated = [], 0, 0
    for row in chunk.itertuples(index=False):
        key = (int(row.service_id), row.day)
        hours = Decimal(str(row.hours)).quantize(Decimal("0.01"))
        if key in existing and existing[key] == hours:
            continue
        created += key not in existing
        updated += key in existing
        rows.append(CareHours(service_id=key[0], day=key[1], hours=hours))
    CareHours.objects.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=["service", "day"], update_fields=["hours"]
    )
    return created, updated, len(chunk) - created - updated


def record_incident(*, by, service, source_reference: str, occurred_at, theme: str, **details) -> Incident:
    """Enter one incident by hand; the same rules as an import (unique reference, not in the future)."""
    require_perm(by, "learning_transfer.record_incident", service)
    if occurred_at > timezone.now():
        refuse("The incident cannot have happened in the future.", "occurred_at")
    if Incident.objects.filter(service=service, source_reference=source_reference).exists():
        refuse(f"{service} already has an incident with reference {source_reference}.", "source_reference")
    incident = Incident(
        service=service, source_reference=source_reference, occurred_at=occurred_at, theme=theme, **details
    )
    incident._history_user = by
    incident._change_reason = "Entered by hand"
    incident.full_clean()
    incident.save()
    return incident
