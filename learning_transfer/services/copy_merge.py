"""Saving a checked import file on PostgreSQL at the speed of COPY.

The rows of a chunk are copied (psycopg's COPY) into a temporary staging table, then merged into the
real table by `merge_staged`: one INSERT ... ON CONFLICT on the table's unique key, whose RETURNING
rows feed the history rows (INSERT ... SELECT into the historical table) in the same statement. It
keeps what the row-by-row path (services.incidents, still used on SQLite) does exactly:

- a row whose key is new is inserted, with a '+' history row;
- a row whose key exists with any compared value different is updated, with a '~' history row;
- a row whose key exists with the same values is left alone: no write, no history, counted unchanged.

History rows carry what django-simple-history writes: the time of the save, the importing person and
the file as the reason. Everything runs inside the caller's transaction, so a failure anywhere still
leaves nothing of the file saved.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.db import connection, models
from django.utils import timezone

from ..models import CareHours, Incident
from .common import Phases, history_columns, history_enabled

STAGING = "import_staging"
# Rows copied and merged per statement, and how often progress is shown: each statement costs a few
# milliseconds whatever its size, so batches are larger than the ORM's.
CHUNK_ROWS = 20_000


def available() -> bool:
    """Whether imports go this way: on PostgreSQL (psycopg 3's COPY), not on SQLite."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Target:
    """How one kind of file is merged: its model, the fields of its unique key, the fields compared to
    decide whether a row changed, and `stamped` fields written with every insert or change but never
    compared (the import that made the row)."""

    model: type[models.Model]
    key: tuple[str, ...]
    compared: tuple[str, ...]
    stamped: tuple[str, ...] = field(default=())
    # The field that puts a row on a day: the daily roll-up recounts the days of the rows saved.
    day_of: str = ""
    # The compared field that places a row in time (the daily roll-up recounts its old and new day).
    when: str = ""

    def fields(self, names) -> list[models.Field]:
        return [self.model._meta.get_field(name) for name in names]

    @property
    def staged(self) -> list[models.Field]:
        """The columns a file's rows fill: the key, then the compared values."""
        return self.fields(self.key + self.compared)


INCIDENTS = Target(
    Incident,
    key=("service", "source_reference"),
    compared=(
        "occurred_at",
        "theme",
        "harm_level",
        "safeguarding_concern",
        "regulatory_notification",
        "people_affected",
        "description",
    ),
    stamped=("import_job",),
    day_of="occurred_at",
    when="occurred_at",
)
CARE_HOURS = Target(CareHours, key=("service", "day"), compared=("hours",), day_of="day")


class Merged(NamedTuple):
    """What one merge did: rows created and updated; where the rows it saved stand (service ids, and
    their first and last time or day); and where the updated rows it moved in time stood before
    (service ids, times). Unchanged rows are in neither: there is nothing of theirs to recount."""

    created: int
    updated: int
    saved: tuple[list, list]
    former: tuple[list, list]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def staging(target: Target):
    """A temporary staging table shaped like the target's file columns, dropped afterwards (an import
    may run inside a longer transaction, which could import another file)."""
    columns = ", ".join(f"{_q(f.column)} {f.db_type(connection)}" for f in target.staged)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} (line integer, {columns}) ON COMMIT DROP")
    yield
    # Not after a failure: the transaction is then rolled back, which undoes the CREATE as well.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STAGING}")


def save_chunk(
    target: Target,
    chunk: pd.DataFrame,
    *,
    stamps: dict,
    user_id,
    reason: str,
    noted=None,
    phases=None,
    kept=frozenset(),
):
    """Copy a chunk of checked rows into the staging table and merge them; (created, updated, unchanged).

    `stamps` gives the value of each stamped field (the import job's id); `user_id` and `reason` are
    the history's who and why. `noted(service_ids, times)`, when given, is told where the rows the
    merge created or changed stand, and where those it moved in time stood before: the days to recount
    (a chunk of unchanged rows notes nothing). `phases` (common.Phases), when given, times the copy and
    the merge. `kept`: compared fields a row on record keeps as it is (the file does not hold them).
    """
    phases = phases or Phases()
    columns = ", ".join(["line", *(_q(f.column) for f in target.staged)])
    with phases("copy"):
        cells = [chunk["line"].astype("int64").tolist()]
        cells += [_cells(chunk[_frame_column(f)], f) for f in target.staged]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {STAGING}")
            with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
                for row in zip(*cells, strict=True):
                    copy.write_row(row)
    with phases("merge and history"):
        merged = merge_staged(target, stamps=stamps, user_id=user_id, reason=reason, kept=kept)
        for services, times in (merged.saved, merged.former):
            if noted is not None and services:
                noted(services, times)
    return merged.created, merged.updated, len(chunk) - merged.created - merged.updated


def merge_staged(target: Target, *, stamps: dict, user_id, reason: str, kept=frozenset()) -> Merged:
    """Merge the staging table into the target table, with history rows (`Merged`: the counts, where
    the saved rows stand, and where the updated rows whose time the merge changed stood before, empty
    for a target without a `when` field).

    One statement: a staged row the table holds already, identical, is left out; the INSERT ... ON
    CONFLICT updates a row only when a compared value differs (IS DISTINCT FROM, so nothing changes
    twice, even should another import have saved the same row meanwhile), and its RETURNING rows -
    `xmax = 0` marks a row inserted rather than updated - are written to the historical table in the
    same statement. The former places are read in that statement too: every part of a statement sees
    the table as it was before the statement, so joining the updated rows to the table by id finds
    their old values (one index probe per updated row; a new row costs nothing).
    A compared field in `kept` is inserted with a new row but neither compared nor updated.
    """
    table = _q(target.model._meta.db_table)
    staged = [_q(f.column) for f in target.staged]
    stamped = [_q(f.column) for f in target.fields(target.stamped)]
    keys = [_q(f.column) for f in target.fields(target.key)]
    compared = [_q(f.column) for f in target.fields(name for name in target.compared if name not in kept)]
    stamp_values = [stamps[name] for name in target.stamped]
    placeholders = ", ".join(["%s"] * len(stamped))
    # Rows the table holds already, identical, are left out before the merge: ON CONFLICT would lock
    # each (writing the lock into its page) even when its WHERE leaves it as it is. Each staged row
    # looks its key up in the unique index (LATERAL … LIMIT 1 keeps that plan: a hash anti-join would
    # read the whole table for every chunk).
    merge = f"""
        INSERT INTO {table} AS target ({", ".join(staged + stamped)})
        SELECT {", ".join(f"staged.{c}" for c in staged)}{", " + placeholders if stamped else ""}
        FROM {STAGING} AS staged
        LEFT JOIN LATERAL (
            SELECT true AS found, {", ".join(f"existing.{c}" for c in compared)} FROM {table} AS existing
            WHERE {" AND ".join(f"existing.{c} = staged.{c}" for c in keys)} LIMIT 1
        ) AS kept ON true
        WHERE kept.found IS NULL
           OR ({", ".join(f"kept.{c}" for c in compared)}) IS DISTINCT FROM
              ({", ".join(f"staged.{c}" for c in compared)})
        ORDER BY staged.line
        ON CONFLICT ({", ".join(keys)})
        DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in compared + stamped)}
        WHERE ({", ".join(f"target.{c}" for c in compared)}) IS DISTINCT FROM
              ({", ".join(f"EXCLUDED.{c}" for c in compared)})
        RETURNING target.*, target.xmax = 0 AS created
    """
    history, history_params = _history_insert(target, user_id=user_id, reason=reason)
    former, former_columns = "", ""
    if target.when:  # the old place of each updated row whose time the merge changes
        pk = _q(target.model._meta.pk.column)
        service, when = (_q(f.column) for f in target.fields(["service", target.when]))
        former = f""",
            former AS (
                SELECT array_agg(old.{service}) AS services, array_agg(old.{when}) AS instants
                FROM merged JOIN {table} AS old ON old.{pk} = merged.{pk}
                WHERE NOT merged.created AND old.{when} <> merged.{when}
            )
        """
        former_columns = ", (SELECT services FROM former), (SELECT instants FROM former)"
    service, day_of = (_q(f.column) for f in target.fields(["service", target.day_of]))
    sql = f"""
        WITH merged AS ({merge}){history}{former}
        SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created),
               array_agg(DISTINCT {service}), min({day_of}), max({day_of}){former_columns}
        FROM merged
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stamp_values, *history_params])
        created, updated, saved_services, first, last, *former_places = cursor.fetchone()
    services, instants = former_places or (None, None)  # array_agg of no rows is NULL
    return Merged(created, updated, (saved_services or [], [first, last]), (services or [], instants or []))


def _history_insert(target: Target, *, user_id, reason: str) -> tuple[str, list]:
    """The CTE writing one history row per merged row, as simple-history's bulk helpers would: every
    tracked field's new value, '+' for a created row and '~' for a changed one, who, when and why."""
    if not history_enabled():
        return "", []
    tracked, about = (list(map(_q, columns)) for columns in history_columns(target.model))
    sql = f"""
        , history AS (
            INSERT INTO {_q(target.model.history.model._meta.db_table)} ({", ".join(tracked + about)})
            SELECT {", ".join(tracked)}, %s, %s, %s, CASE WHEN created THEN '+' ELSE '~' END FROM merged
        )
    """
    return sql, [timezone.now(), user_id, reason]


def _frame_column(model_field: models.Field) -> str:
    """The checked rows' column for a model field (a foreign key's is its id: service_id)."""
    return model_field.attname


def _cells(values: pd.Series, model_field: models.Field) -> list:
    """A column of checked values as COPY writes them: text for times and decimals, exactly as the
    row-by-row path would store them; Python ints and bools otherwise."""
    kind = model_field.get_internal_type()
    if kind == "DateTimeField":  # aware UTC times; numpy formats a million of them in a blink
        utc = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
        return [text + "+00" for text in np.datetime_as_string(utc, unit="us")]
    if kind == "DecimalField":  # already rounded to the column's places by the checks
        return [str(value) for value in values.tolist()]
    if kind == "BooleanField":
        return [bool(value) for value in values.tolist()]
    if kind in ("ForeignKey", "PositiveIntegerField", "IntegerField", "BigIntegerField"):
        return values.astype("int64").tolist()
    return values.tolist()
