"""Incident and care-hours data: file imports (inline or as a background task) and manual entry."""

import logging
from contextlib import contextmanager
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from config import background as work
from providers.actions import AlreadyDone
from providers.calendar import LONDON
from providers.models import Service
from providers.permissions import require_perm
from providers.templatetags.nhsuk import london
from providers.who_acts import join_and, join_or

from .. import imports
from ..choices import ImportKind, ImportStatus, IncidentTheme
from ..models import CareHours, ImportJob, Incident, LearningTrigger
from ..models.incidents import PEOPLE_AFFECTED_REFUSAL
from . import copy_merge, rollup
from .common import Phases, now_or, refuse

log = logging.getLogger(__name__)

# Rows saved per batch through the ORM, all in one transaction; also how often progress is shown.
# (The COPY path takes larger batches: copy_merge.CHUNK_ROWS.)
CHUNK_ROWS = 1000
MAX_FAILURE_CHARACTERS = 500  # of a database error quoted on the job
INCIDENT_FIELDS = list(copy_merge.INCIDENTS.compared)  # what an import sets, and compares


def start_import(uploaded, *, provider, kind: str, by, background: bool | None = None) -> ImportJob:
    """Store an uploaded file as an ImportJob and import it: now if small, else in a Celery task.

    A file too large, or an .xlsx that would unpack to too much, is refused before anything is stored
    (a ValidationError on `file`). `background` forces one way or the other (tests, commands).
    """
    require_perm(by, "learning_transfer.import_data", provider)
    name = get_valid_filename(getattr(uploaded, "name", "upload.csv")) or "upload.csv"
    if not hasattr(uploaded, "chunks"):
        uploaded = ContentFile(uploaded, name=name)
    try:
        read_size = imports.check_upload(uploaded, name)
    except imports.ImportFileError as exc:
        refuse(str(exc), "file")
    job = ImportJob(
        provider=provider, kind=kind, original_name=name, created_by=by, progress_at=timezone.now()
    )
    job._history_user = by
    job.file.save(name, uploaded, save=False)
    try:
        job.save()
    except BaseException:
        job.file.delete(save=False)  # no row, no file
        raise
    if background is None:
        background = read_size > settings.LEARNING_IMPORT_INLINE_MAX_BYTES
    if not background:
        return run_import_job(job)
    work.queue_on_commit(job)  # the worker must see the committed job row
    return job


def retry_import(job: ImportJob, *, by) -> bool:
    """Start a failed import again (its file is kept for this). False if it had not failed."""
    require_perm(by, "learning_transfer.import_data", job.provider)
    return work.retry(job, by=by)


def import_incidents(file, provider, by) -> ImportJob:
    """Import an incident file now (whatever its size) and return the finished job."""
    return start_import(file, provider=provider, kind=ImportKind.INCIDENTS, by=by, background=False)


def import_care_hours(file, provider, by) -> ImportJob:
    """Import a care-hours file now (whatever its size) and return the finished job."""
    return start_import(file, provider=provider, kind=ImportKind.CARE_HOURS, by=by, background=False)


def run_import_job(job: ImportJob, now=None) -> ImportJob:
    """Check every row; save nothing if any is bad; otherwise save the whole file in one transaction.

    Runs a job once: a job that is no longer queued (a task delivered twice, a finished import) is
    returned unchanged. Whatever fails, the job says why and keeps none of the file's rows; a worker
    that dies leaves it running until the sweeper starts it again. How long each phase took is logged
    and left on the returned job as `phases` (see Phases).
    """
    claimed = work.claim(ImportJob, job.pk)
    if claimed is None:
        job.refresh_from_db()
        return job
    claimed.phases = phases = Phases()
    try:
        checked = _checked_rows(claimed, now_or(now), phases)
        if checked is not None:
            work.finish(claimed, ImportStatus.SAVING, reason="Rows checked")
            _save_rows(claimed, checked.rows, phases, kept=checked.absent)
    except work.LeaseLost:
        log.warning("Import job %s was taken over by another attempt; this one stopped.", job.pk)
        claimed.refresh_from_db()
    except Exception as exc:  # the job must record any failure, whatever raised it
        log.exception("Import job %s failed", job.pk)
        _fail(claimed, exc)
    log.info("Import job %s (%s rows): %s", job.pk, claimed.total_rows, phases)
    return claimed


def _checked_rows(job: ImportJob, now, phases: Phases | None = None) -> imports.Checked | None:
    """Read and check the job's file: its clean rows and absent columns, or None after rejecting the
    job with its errors."""
    phases = phases or Phases()
    try:
        with phases("read"), job.file.open("rb") as handle:
            frame = imports.read_table(handle, job.original_name)
    except imports.ImportFileError as exc:
        _reject(job, [{"line": 1, "message": str(exc)}])
        return None
    if frame.empty:
        _reject(job, [{"line": 2, "message": "The file has no rows below the header."}])
        return None
    work.heartbeat(job, total_rows=len(frame))
    services = Service.objects.filter(provider=job.provider).values_list("pk", "cqc_location_id", "name")
    with phases("check"):
        checked = imports.CHECKERS[job.kind](frame, imports.service_lookup(list(services)), now)
        errors = checked.errors
        if job.kind == ImportKind.INCIDENTS:
            # Sorting is stable: within a line, the row's own problems stay first.
            changes = _trigger_source_changes(job, checked.rows, kept=checked.absent)
            errors = sorted(errors + changes, key=lambda e: e["line"])
    if errors:
        _reject(job, errors)
        return None
    return checked


# How a problem names each fact of a trigger's source incident an import would change, and shows its
# value (None: not shown, as a description may run to pages).
SOURCE_FACTS = {
    "occurred_at": ("when it happened", london),
    "theme": ("its theme", lambda theme: IncidentTheme(theme).label),
    "harm_level": ("its harm level", str),  # the codes the file uses: severe, none
    "safeguarding_concern": ("its safeguarding concern", lambda flag: "yes" if flag else "no"),
    "regulatory_notification": ("its regulatory notification", lambda flag: "yes" if flag else "no"),
    "people_affected": ("the number of people affected", str),
    "description": ("its description", None),
}


def _trigger_source_changes(job: ImportJob, rows: pd.DataFrame, kept=frozenset()) -> list[dict]:
    """A problem for every row that would change the incident a learning trigger was logged from.

    The trigger and everything decided on it rest on that incident as it was: an e-care export that
    now says "no harm" must not quietly rewrite it. A row giving the same values again is fine. One
    query finds the provider's source incidents (a provider has few, whatever the file's size); only
    the rows with one of their references are then compared, field by field as the row-by-row save
    compares them (`_incident_values`; the COPY merge compares the same stored values), so a row is
    refused here exactly when saving would change the incident.
    A row with a bad cell is left out: its line is reported already. A column the file does not hold
    (`kept`) changes nothing, so it is not compared.
    """
    if rows.empty:
        return []
    sources: dict[tuple[int, str], tuple[Incident, list[str]]] = {}
    triggers = LearningTrigger.objects.filter(provider=job.provider, source_incident__isnull=False)
    for trigger in triggers.select_related("source_incident__service").order_by("pk"):
        incident = trigger.source_incident
        key = (incident.service_id, incident.source_reference)
        sources.setdefault(key, (incident, []))[1].append(trigger.reference)
    if not sources:
        return []
    candidates = rows[rows["source_reference"].isin({reference for _, reference in sources})]
    candidates = candidates.dropna(subset=["service_id", *INCIDENT_FIELDS])
    problems = []
    for row in candidates.itertuples(index=False):
        incident, references = sources.get((int(row.service_id), row.source_reference), (None, []))
        if incident is None:
            continue
        values = _incident_values(row)
        changed = [
            name for name in INCIDENT_FIELDS if name not in kept and getattr(incident, name) != values[name]
        ]
        if changed:
            problems.append(
                {"line": int(row.line), "message": _source_problem(incident, references, changed, values)}
            )
    return problems


def _source_problem(incident: Incident, triggers: list[str], changed: list[str], values: dict) -> str:
    """'Incident X at Elm House is the source of serious failure LT-0002; an import cannot change its
    harm level (severe → none) or its regulatory notification (yes → no). …'"""
    facts = [changed_fact(name, getattr(incident, name), values[name]) for name in changed]
    failures = "serious failure" if len(triggers) == 1 else "serious failures"
    return (
        f"Incident {incident.source_reference} at {incident.service} is the source of {failures} "
        f"{join_and(triggers)}; an import cannot change {join_or(facts)}. Take the row out of the file, "
        "or give it the values the incident has here."
    )


def changed_fact(name: str, before, after, facts: dict = SOURCE_FACTS) -> str:
    """How an import's problem, or a correction, names one changed fact of an incident:
    'its harm level (severe → none)', or only 'its description' (not shown)."""
    words, shown = facts[name]
    return words if shown is None else f"{words} ({shown(before)} → {shown(after)})"


def _reject(job: ImportJob, errors: list[dict]) -> None:
    """Nothing is imported: keep every problem on the job, and drop the file (a new upload is needed)."""
    stored = job.file.name
    work.finish(
        job,
        ImportStatus.REJECTED,
        reason="Rejected",
        error_count=len(errors),
        errors=errors[: imports.MAX_STORED_ERRORS],
        file="",
        finished_at=timezone.now(),
    )
    if stored:
        job.file.storage.delete(stored)


class SaveFailed(Exception):
    """The database refused a chunk of rows; the chunk's lines narrow down where (the cause says why)."""

    def __init__(self, first_line: int, last_line: int):
        super().__init__(f"lines {first_line}–{last_line}")
        self.first_line, self.last_line = first_line, last_line


def _fail(job: ImportJob, exc: Exception) -> None:
    """Mark the job failed with the reason. Its save was rolled back, so it reports no rows saved.
    The file stays, so the person can try again."""
    cause = exc.__cause__ if isinstance(exc, SaveFailed) and exc.__cause__ else exc
    where = f"Saving stopped at {exc}" if isinstance(exc, SaveFailed) else "The import stopped"
    failure = (
        f"{where} ({type(cause).__name__}: {str(cause)[:MAX_FAILURE_CHARACTERS]}), so nothing from this "
        "file was saved. Importing it again is safe."
    )
    try:
        work.finish(
            job,
            ImportStatus.FAILED,
            reason="Failed",
            failure=failure,
            processed_rows=0,
            created_count=0,
            updated_count=0,
            unchanged_count=0,
            finished_at=timezone.now(),
        )
    except work.LeaseLost:
        log.warning("Import job %s failed after another attempt took it over.", job.pk)


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
        if self.connection is not None:
            self._publish(written)
        work.pause_for_fault_tests()

    def _publish(self, written: int) -> None:
        """Write the progress and heartbeat, only while this attempt still holds the job."""
        table = self.connection.ops.quote_name(ImportJob._meta.db_table)
        sql = (  # plain lower-case column names
            f"UPDATE {table} SET processed_rows = %s, progress_at = %s "
            "WHERE id = %s AND attempts = %s AND status = %s"
        )
        job = self.job
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(sql, [written, timezone.now(), job.pk, job.attempts, ImportStatus.SAVING])
                held = cursor.rowcount == 1
        except DatabaseError:
            log.warning("Could not publish the progress of import job %s", job.pk, exc_info=True)
            self.connection.close()
            self.connection = None
            return
        if not held:  # the sweeper gave this attempt up: stop, and let the rollback undo its rows
            raise work.LeaseLost(f"import job {job.pk}, attempt {job.attempts}")


def _save_rows(job: ImportJob, rows: pd.DataFrame, phases: Phases | None = None, kept=frozenset()) -> None:
    """Save the whole file in one transaction, so a database error anywhere leaves none of it saved.
    `kept`: the fields a row on record keeps as it is (the file does not hold their columns).

    Rows still go in chunks, which bounds memory and the size of each query, with progress published
    after each (see _SavingProgress). The counts and the job's end go in the same transaction, so the
    rows are saved if and only if the job says so; work that must follow the saved rows in that
    transaction belongs between the loop and the job's end.
    """
    phases = phases or Phases()
    reason = job.history_reason
    totals = [0, 0, 0]  # created, updated, unchanged
    touched = rollup.Touched()
    with _SavingProgress(job) as publish, transaction.atomic():
        with _chunk_saver(job, reason, touched, phases, kept) as (save_chunk, size):
            for start in range(0, len(rows), size):
                chunk = rows.iloc[start : start + size]
                try:
                    counts = save_chunk(chunk)
                except Exception as exc:
                    raise SaveFailed(int(chunk["line"].iloc[0]), int(chunk["line"].iloc[-1])) from exc
                totals = [total + count for total, count in zip(totals, counts, strict=True)]
                publish(start + len(chunk))
        # The daily roll-up and review flags, in the same transaction as the rows they count.
        touched.refresh(incidents_changed=job.kind == ImportKind.INCIDENTS, phases=phases)
        with phases("foreign-key checks"):
            _check_references_now()
        created, updated, unchanged = totals
        work.finish(
            job,
            ImportStatus.SUCCEEDED,
            reason="Imported",
            created_count=created,
            updated_count=updated,
            unchanged_count=unchanged,
            processed_rows=len(rows),
            finished_at=timezone.now(),
        )


def _check_references_now() -> None:
    """Run PostgreSQL's deferred foreign-key checks of the rows written so far now rather than at the
    commit: a broken reference then fails the import like any save error, and their cost is timed.
    (Django's foreign keys are all DEFERRABLE INITIALLY DEFERRED, so DEFERRED puts the mode back for
    the rest of an enclosing transaction.) SQLite checks at the commit, as before."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _chunk_saver(job: ImportJob, reason: str, touched: rollup.Touched, phases: Phases, kept=frozenset()):
    """(the function that saves one chunk of the job's checked rows and returns (created, updated,
    unchanged), the rows in a chunk): on PostgreSQL through COPY and one set-based merge per chunk
    (copy_merge), elsewhere row by row through the ORM. Both keep the same rows and the same history,
    and both note in `touched` the services and days to recount, a moved incident's former day too."""
    incidents = job.kind == ImportKind.INCIDENTS
    if not copy_merge.available():
        save = _save_incidents if incidents else _save_care_hours

        def save_row_by_row(chunk):
            with phases("merge and history"):
                return save(chunk, job, reason, touched, kept)

        yield save_row_by_row, CHUNK_ROWS
        return
    target = copy_merge.INCIDENTS if incidents else copy_merge.CARE_HOURS
    options = {"stamps": {"import_job": job.pk}, "user_id": job.created_by_id, "reason": reason, "kept": kept}
    options["phases"] = phases
    options["noted"] = touched.add_instants if incidents else touched.add

    def save(chunk):
        return copy_merge.save_chunk(target, chunk, **options)

    with copy_merge.staging(target):
        yield save, copy_merge.CHUNK_ROWS


def _save_incidents(
    chunk: pd.DataFrame, job: ImportJob, reason: str, touched: rollup.Touched, kept=frozenset()
) -> tuple[int, int, int]:
    """Create new incidents and update changed ones, keyed on (service, source reference); each names
    the job as the import that made or last changed it. A changed incident keeps its `kept` fields.
    `touched` gathers the services and days to recount: those of the new and changed incidents, an
    updated incident's former day included (an unchanged one changes no count)."""
    existing = {
        (i.service_id, i.source_reference): i
        for i in Incident.objects.filter(
            service__provider=job.provider, source_reference__in=set(chunk["source_reference"])
        )
    }
    new, changed, moved = [], [], []
    for row in chunk.itertuples(index=False):
        values = _incident_values(row)
        incident = existing.get((int(row.service_id), row.source_reference))
        if incident is not None:
            values = {name: value for name, value in values.items() if name not in kept}
        if incident is None:
            new.append(
                Incident(
                    service_id=int(row.service_id),
                    source_reference=row.source_reference,
                    import_job=job,
                    **values,
                )
            )
        elif any(getattr(incident, name) != value for name, value in values.items()):
            moved.append((incident.service_id, incident.occurred_at))  # its former day is recounted too
            for name, value in values.items():
                setattr(incident, name, value)
            incident.import_job = job  # the import that last changed it
            changed.append(incident)
    for places in ([(i.service_id, i.occurred_at) for i in new + changed], moved):
        if places:
            touched.add_instants(*zip(*places, strict=True))
    history = {"default_user": job.created_by, "default_change_reason": reason}
    if new:
        bulk_create_with_history(new, Incident, batch_size=500, **history)
    if changed:
        saved = [name for name in INCIDENT_FIELDS if name not in kept]
        bulk_update_with_history(changed, Incident, [*saved, "import_job"], batch_size=500, **history)
    return len(new), len(changed), len(chunk) - len(new) - len(changed)


def _incident_values(row) -> dict:
    """A checked row's values as the incident's fields hold them, to compare and to save."""
    return {
        "occurred_at": row.occurred_at.to_pydatetime(),
        "theme": row.theme,
        "harm_level": row.harm_level,
        "safeguarding_concern": bool(row.safeguarding_concern),
        "regulatory_notification": bool(row.regulatory_notification),
        "people_affected": int(row.people_affected),
        "description": row.description,
    }


def _save_care_hours(
    chunk: pd.DataFrame, job: ImportJob, reason: str, touched: rollup.Touched, kept=frozenset()
) -> tuple[int, int, int]:
    """Insert or update one figure per service and day; a changed figure keeps the one it replaces in
    the history (the import's file as the reason), written in bulk like the figures themselves. (A
    care-hours file has no optional column, so `kept` is always empty.)"""
    existing = {
        (hours.service_id, hours.day): hours
        for hours in CareHours.objects.filter(
            service_id__in={int(s) for s in chunk["service_id"]}, day__in=set(chunk["day"])
        )
    }
    new, changed = [], []
    for row in chunk.itertuples(index=False):
        key = (int(row.service_id), row.day)
        hours = Decimal(str(row.hours)).quantize(Decimal("0.01"))
        current = existing.get(key)
        if current is None:
            new.append(CareHours(service_id=key[0], day=key[1], hours=hours))
        elif current.hours != hours:
            current.hours = hours
            changed.append(current)
    if new or changed:  # an unchanged figure changes no count
        touched.add([h.service_id for h in new + changed], [h.day for h in new + changed])
    history = {"default_user": job.created_by, "default_change_reason": reason}
    if new:
        bulk_create_with_history(new, CareHours, batch_size=500, **history)
    if changed:
        bulk_update_with_history(changed, CareHours, ["hours"], batch_size=500, **history)
    return len(new), len(changed), len(chunk) - len(new) - len(changed)


def record_incident(*, by, service, source_reference: str, occurred_at, theme: str, **details) -> Incident:
    """Enter one incident by hand; the same rules as an import (unique reference, not in the future,
    the import's limits on the number of people affected)."""
    require_perm(by, "learning_transfer.record_incident", service)
    _refuse_if_recorded(service, source_reference, occurred_at=occurred_at, theme=theme, **details)
    people = details.get("people_affected", imports.MIN_PEOPLE_AFFECTED)
    check_incident_facts(service, source_reference, occurred_at, people)
    incident = Incident(
        service=service, source_reference=source_reference, occurred_at=occurred_at, theme=theme, **details
    )
    incident._history_user = by
    incident._change_reason = "Entered by hand"
    incident.full_clean()
    with transaction.atomic():
        incident.save()
        day = timezone.localtime(occurred_at, LONDON).date()
        rollup.after_data_saved([service.pk], day, day)
    return incident


def _refuse_if_recorded(service, source_reference: str, **values) -> None:
    """A second submit of the same incident (a double tap) points at the first: AlreadyDone. The same
    reference with other values is a clash, refused by `check_incident_facts`."""
    existing = Incident.objects.filter(service=service, source_reference=source_reference).first()
    if existing is not None and all(getattr(existing, name) == value for name, value in values.items()):
        raise AlreadyDone(
            f"Incident {source_reference} was already recorded at {service}: nothing changed.", existing
        )


def check_incident_facts(
    service, source_reference: str, occurred_at, people_affected: int, *, incident=None, on="source_reference"
) -> None:
    """The rules an incident entered or corrected by hand keeps, as an imported one does: not in the
    future, the import's limits on the number of people affected, and one incident per reference at a
    service (`incident`, being corrected, aside; a clash is refused on the field `on`)."""
    if occurred_at > timezone.now():
        refuse("The incident cannot have happened in the future.", "occurred_at")
    if not imports.MIN_PEOPLE_AFFECTED <= people_affected <= imports.MAX_PEOPLE_AFFECTED:
        refuse(PEOPLE_AFFECTED_REFUSAL, "people_affected")
    same = Incident.objects.filter(service=service, source_reference=source_reference)
    if incident is not None:
        same = same.exclude(pk=incident.pk)
    if same.exists():
        refuse(f"{service} already has an incident with reference {source_reference}.", on)
