"""The import part of `manage.py benchmark_scale`: a file of N incidents through the real import, side by
side with PostgreSQL's COPY of the same file into a bare table, then the same for 3N rows.

The real import is everything a person's upload goes through: the file stored, read, every row checked,
then copied and merged with its history, the daily roll-up and review flags brought up to date and the
deferred foreign-key checks run (services.incidents). A second table shows where its time went, phase
by phase, as the import logs it. The bare table has one text column per file column, no index and no
constraint: the fastest the database can take the file in.
"""

import tempfile
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings

from learning_transfer import imports, services
from learning_transfer.choices import ImportKind, ImportStatus, IncidentTheme

BARE_TABLE = "benchmark_import_bare"
OTHER_PHASE = "other (store the file, start and finish the job)"


def incident_file(services_cqc: list[str], rows: int, now, prefix: str) -> bytes:
    """An incident file as an e-care system exports it: `rows` new incidents over the last year."""
    header = ",".join(column.name for column in imports.INCIDENT_COLUMNS)
    themes = list(IncidentTheme.values)
    start = now - timedelta(days=365)
    lines = [header]
    for n in range(rows):
        when = start + timedelta(seconds=n * 31_536_000 // rows)
        lines.append(
            f"{prefix}-{n},{services_cqc[n % len(services_cqc)]},{when:%Y-%m-%d %H:%M},"
            f"{themes[n % len(themes)]},{'moderate' if n % 50 == 0 else 'none'},no,no,1,"
            "Found on the floor beside the bed."
        )
    return ("\n".join(lines) + "\n").encode()


def bare_copy_seconds(content: bytes) -> float:
    """COPY of the file into a new table with a text column per file column and nothing else."""
    columns = ", ".join(f"{column.name} text" for column in imports.INCIDENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {BARE_TABLE} ({columns})")
        started = time.perf_counter()
        with cursor.copy(f"COPY {BARE_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {BARE_TABLE}")
    return seconds


def import_seconds(content: bytes, provider, by) -> tuple[float, dict[str, float]]:
    """The real import of the file, as an upload run inline, with its deferred constraint checks: its
    seconds, and the seconds of each of its phases."""
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
    if job.status != ImportStatus.SUCCEEDED:
        raise RuntimeError(f"The benchmark import did not succeed: {job.failure or job.errors[:3]}")
    return seconds, job.phases.seconds


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
    (small, small_time), (large, large_time) = results
    lines.append(f"\n{large // small}× the rows took {large_time / small_time:.2f}× the time.\n")
    lines += [f"| import phase | {small:,} rows s | {large:,} rows s |", "|---|---:|---:|"]
    lines += [f"| {name} | {phases[0][name]:.2f} | {phases[1].get(name, 0):.2f} |" for name in phases[0]]
    return lines
