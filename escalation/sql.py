"""Set-based writes for the engine: `INSERT … SELECT … RETURNING` on PostgreSQL and SQLite alike.

The engine writes thousands of rows in one tick. Building a model object per row costs far more than
the database's work, so the tick writes each kind of row with one `INSERT … SELECT`: the rows come from
the database (the claimed step runs, the claimed escalations) joined to small tables of values Python
worked out once per distinct value (a deadline's words, a response deadline, who holds a role).

Those small tables travel as one JSON parameter (`rows_table`), so a statement has the same number of
parameters however many rows it writes, and both databases read it as a table.
"""

import json
from datetime import datetime
from decimal import Decimal

from django.db import connection, models


def rows_table(alias: str, columns: dict[str, models.Field], rows) -> tuple[str, list]:
    """(sql, params) of a table `alias` in a FROM clause, with `columns` (name: the model field whose
    column type it has) holding `rows` (tuples in that order).
    """
    names = list(columns)
    data = json.dumps(
        [[_json_value(columns[n], value) for n, value in zip(names, row, strict=True)] for row in rows]
    )
    if connection.vendor == "postgresql":
        selected = ", ".join(
            f"(value->{i})::jsonb AS {qn(name)}"
            if isinstance(columns[name], models.JSONField)
            else f"(value->>{i})::{_cast_type(columns[name])} AS {qn(name)}"
            for i, name in enumerate(names)
        )
        return f"(SELECT {selected} FROM jsonb_array_elements(%s::jsonb)) AS {qn(alias)}", [data]
    selected = ", ".join(f"json_extract(value, '$[{i}]') AS {qn(name)}" for i, name in enumerate(names))
    return f"(SELECT {selected} FROM json_each(%s)) AS {qn(alias)}", [data]


def insert_select(
    model,
    values: dict,
    source: str,
    params: list,
    *,
    order_by: str = "",
    skip_existing: bool = False,
    returning: tuple[str, ...] = (),
) -> list[tuple]:
    """Insert one `model` row per row of `FROM source`; return the `returning` columns of the new rows.

    `values` maps field names to SQL expressions over the source, or to ("%s", [param]) pairs; every
    other column gets its field's default, as `Model()` would. `skip_existing` leaves out a row that a
    unique constraint says exists already (another tick, or an earlier one, wrote it).
    """
    columns, selected, select_params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        expression = values.get(field.name, values.get(field.attname))
        if expression is None:
            expression = ("%s", [field.get_db_prep_save(field.get_default(), connection)])
        if isinstance(expression, tuple):
            expression, expression_params = expression
            select_params += expression_params
        selected.append(expression)
    unknown = (
        set(values)
        - {f.name for f in model._meta.concrete_fields}
        - {f.attname for f in model._meta.concrete_fields}
    )
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    table = qn(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)} FROM {source}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if skip_existing:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(qn(model._meta.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, select_params + list(params))
        return cursor.fetchall() if returning else []


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _cast_type(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    return field.cast_db_type(connection)


def _json_value(field: models.Field, value):
    """A value as JSON the database turns back into the column's own value (exactly, for joins)."""
    if isinstance(value, datetime):
        # SQLite keeps datetimes as text: compare with the very text Django stored.
        if connection.vendor == "postgresql":
            return value.isoformat()
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value
