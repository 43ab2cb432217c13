"""The import part of `manage.py benchmark_scale`: a file of N incidents through the real import, side by
side with PostgreSQL's COPY of the same file into a bare table, then the same for 3N rows.

The real import is everything a person's upload goes through: the file stored, read, every row checked,
then copied and merged with its history, the daily roll-up and review flags brought up to date and the
deferred foreign-key checks run (services.incidents). A second table shows where its time went, phase
by phase, as the import logs it. The bare table has one text column per file column, no index and no
constraint: the fastest the database can take the file in.

Then the promises a large file must keep, at the same size: the first file imported again adds
nothing and changes nothing, and a file with one bad row at its very end is refused, naming that line,
with nothing of it saved. Either failing stops the benchmark.
"""

import tempfile
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings

from learning_transfer import import_columns, services
from learning_transfer.choices import ImportKind, ImportStatus, IncidentTheme
from learning_transfer.models import Incident
from providers.calendar import LONDON

BARE_TABLE = "benchmark_import_bare"
OTHER_PHASE = "other (store the file, start and finish the job)"


def incident_file(services_cqc: list[str], rows: int, now, prefix: str) -> bytes:
    """An incident file as an e-care system exports it: `rows` new incidents over the last year."""
    header = ",".join(column.name for column in import_columns.INCIDENT_COLUMNS)
    themes = list(IncidentTheme.values)
    start = now - timedelta(days=365)
    lines = [header]
    for n in range(rows):
        # Written as the clock in the UK showed it, as an export does: never a time the clocks skipped.
        when = (start + timedelta(seconds=n * 31_536_000 // rows)).astimezone(LONDON)
        lines.append(
            f"{prefix}-{n},{services_cqc[n % len(services_cqc)]},{when:%Y-%m-%d %H:%M},"
            f"{themes[n % len(themes)]},{'moderate' if n % 50 == 0 else 'none'},no,no,1,"
            "Found on the floor beside the bed."
        )
    return ("\n".join(lines) + "\n").encode()


def bare_copy_seconds(content: bytes) -> float:
    """COPY of the file into a new table with a text column per file column and nothing else."""
    columns = ", ".join(f"{column.name} text" for column in import_columns.INCIDENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {BARE_TABLE} ({columns})")
        started = time.perf_counter()
        with cursor.copy(f"COPY {BARE_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {BARE_TABLE}")
    return seconds


def run_import(content: bytes, provider, by):
    """The real import of the file, as an upload run inline, with its deferred constraint checks: the
    finished job and its seconds."""
    started = time.perf_counter()
    job = services.start_import(
        ContentFile(content, name="benchmark.csv"),
        provider=provider,
        kind=ImportKind.INCIDENTS,
        by=by,
        background=False,
    )
    with connection.cursor() as cursor:  # anything the import left deferred (it runs its own checks)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return job, seconds


def import_seconds(content: bytes, provider, by) -> tuple[float, dict[str, float]]:
    """The import of a good file: its seconds, and the seconds of each of its phases."""
    job, seconds = run_import(content, provider, by)
    if job.status != ImportStatus.SUCCEEDED:
        raise RuntimeError(f"The benchmark import did not succeed: {job.failure or job.errors[:3]}")
    return seconds, job.phases.seconds


def with_bad_last_row(content: bytes) -> tuple[bytes, int]:
    """The file with its last row naming a service the provider does not have, and that row's line."""
    lines = content.decode().splitlines()
    reference, _service, rest = lines[-1].split(",", 2)
    lines[-1] = f"{reference},NO-SUCH-SERVICE,{rest}"
    return ("\n".join(lines) + "\n").encode(), len(lines)


def promises_kept(content: bytes, rows: int, provider, by) -> list[str]:
    """Table lines: the imported file again (nothing added or changed), then the same file with one bad
    row at its end (refused, that line named, nothing saved); RuntimeError if either is broken."""
    on_record = Incident.objects.count()
    again, again_s = run_import(content, provider, by)
    counts = (again.status, again.created_count, again.updated_count, again.unchanged_count)
    if counts != (ImportStatus.SUCCEEDED, 0, 0, rows) or Incident.objects.count() != on_record:
        raise RuntimeError(f"Importing the same file again changed something: {counts}.")
    bad, bad_line = with_bad_last_row(content)
    refused, refused_s = run_import(bad, provider, by)
    named = [error["line"] for error in refused.errors]
    saved_none = Incident.objects.count() == on_record
    if refused.status != ImportStatus.REJECTED or named != [bad_line] or not saved_none:
        raise RuntimeError(f"A bad last row was not refused alone: {refused.status}, lines {named[:3]}.")
    return [
        "| the same file again | rows | s | added | changed | incidents on record before → after |",
        "|---|---:|---:|---:|---:|---|",
        f"| imported again | {rows:,} | {again_s:.2f} | 0 | 0 | {on_record:,} → {on_record:,} |",
        f"| with a bad last row (line {bad_line:,}): rejected | {rows:,} | {refused_s:.2f} | 0 | 0 | "
        f"{on_record:,} → {on_record:,} |",
    ]


def measure_imports(provider, by, services_cqc: list[str], rows: int, now) -> list[str]:
    """Table lines: N and 3N rows through the import and through a bare COPY, and how time grew."""
    lines = ["| import | rows | import s | bare COPY s | import ÷ COPY |", "|---|---:|---:|---:|---:|"]
    results, phases = [], []
    limits = {"IMPORT_MAX_ROWS": 3 * rows, "IMPORT_MAX_UPLOAD_BYTES": 10**10}
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, **limits):
        for count, prefix in ((rows, "BENCH-N"), (3 * rows, "BENCH-3N")):
            content = incident_file(services_cqc, count, now, prefix)
            copy = bare_copy_seconds(content)
            real, took = import_seconds(content, provider, by)
            results.append((count, real))
            phases.append(took | {OTHER_PHASE: real - sum(took.values())})
            lines.append(f"| new incidents | {count:,} | {real:.2f} | {copy:.2f} | {real / copy:.1f}× |")
        kept = promises_kept(incident_file(services_cqc, rows, now, "BENCH-N"), rows, provider, by)
    (small, small_time), (large, large_time) = results
    lines.append(f"\n{large // small}× the rows took {large_time / small_time:.2f}× the time.\n")
    lines += [f"| import phase | {small:,} rows s | {large:,} rows s |", "|---|---:|---:|"]
    lines += [f"| {name} | {phases[0][name]:.2f} | {phases[1].get(name, 0):.2f} |" for name in phases[0]]
    return [*lines, "", *kept]
