"""Incident and care-hours data: file imports (inline or as a background task) and manual entry."""

import logging
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from providers.models import Service

from .. import imports
from ..choices import ImportKind, ImportStatus
from ..models import CareHours, ImportJob, Incident
from ..permissions import can_import, recordable_services
from .common import now_or, refuse, require

log = logging.getLogger(__name__)

# Files up to this size (about 2,000 rows) import during the request; larger ones go to a Celery task.
# Settings may override it with LEARNING_IMPORT_INLINE_MAX_BYTES.
INLINE_MAX_BYTES = 200_000
CHUNK_ROWS = 1000  # rows saved per transaction; also how often progress is written
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
    require(can_import(by, provider), "You cannot import data for this provider.")
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
    """Check every row; save nothing if any is bad; otherwise save in chunks, writing progress as it goes.

    Saving starts only after the whole file passed its checks, so "nothing imported from a file with
    errors" holds. Chunks commit separately so progress is visible; if the database fails midway the
    job says so, and importing the file again is safe because the source reference is the key.
    """
    now = now_or(now)
    _progress(job, status=ImportStatus.CHECKING)
    try:
        with job.file.open("rb") as handle:
            frame = imports.read_table(handle.read(), job.original_name)
    except imports.ImportFileError as exc:
        return _reject(job, [{"line": 1, "message": str(exc)}])
    if frame.empty:
        return _reject(job, [{"line": 2, "message": "The file has no rows below the header."}])
    services = Service.objects.filter(provider=job.provider).values_list("pk", "cqc_location_id", "name")
    checked = imports.CHECKERS[job.kind](frame, imports.service_lookup(list(services)), now)
    job.total_rows = len(frame)
    if not checked.ok:
        return _reject(job, checked.errors)
    _progress(job, status=ImportStatus.SAVING)
    try:
        _save_rows(job, checked.rows)
    except Exception as exc:  # the job must record any failure, whatever raised it
        log.exception("Import job %s failed while saving", job.pk)
        job.failure = (
            f"Saving stopped after {job.processed_rows} rows: {exc}. Importing the file again is safe."
        )
        return _progress(job, status=ImportStatus.FAILED, finished_at=timezone.now())
    return _progress(job, status=ImportStatus.SUCCEEDED, finished_at=timezone.now())


def _progress(job: ImportJob, **changes) -> ImportJob:
    for name, value in changes.items():
        setattr(job, name, value)
    job.save()
    return job


def _reject(job: ImportJob, errors: list[dict]) -> ImportJob:
    job.error_count = len(errors)
    job.errors = errors[: imports.MAX_STORED_ERRORS]
    return _progress(job, status=ImportStatus.REJECTED, finished_at=timezone.now())


def _save_rows(job: ImportJob, rows: pd.DataFrame) -> None:
    save_chunk = _save_incidents if job.kind == ImportKind.INCIDENTS else _save_care_hours
    reason = f"Imported from {job.original_name}"[:100]
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows.iloc[start : start + CHUNK_ROWS]
        with transaction.atomic():
            created, updated, unchanged = save_chunk(chunk, job, reason)
        job.created_count += created
        job.updated_count += updated
        job.unchanged_count += unchanged
        _progress(job, processed_rows=min(len(rows), start + CHUNK_ROWS))


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
    require(recordable_services(by).filter(pk=service.pk).exists(), "You cannot record incidents here.")
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
