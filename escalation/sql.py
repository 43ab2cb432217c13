"""Set-based writes for the engine: `INSERT … SELECT … RETURNING` on PostgreSQL and SQLite alike.

The engine writes thousands of rows in one tick. Building a model object per row costs far more than
the database's work, so the tick writes each kind of row with one `INSERT … SELECT`: the rows come from
the database (the claimed step runs, the claimed escalations) joined to small tables of values Python
worked out once per distinct value (a deadline's words, a response deadline, who holds a role).

Those small tables travel as one JSON parameter (`rows_table`), so a statement has the same number of
parameters however many rows it writes, and both databases read it as a table. Rows are claimed with a
conditional `UPDATE … RETURNING` (`claim`), which hands back exactly the rows this transaction changed.
"""

import json
from datetime import datetime

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.sql import UpdateQuery


def claim(queryset, returning: tuple[str, ...] = ("pk",), **values) -> list[tuple]:
    """`queryset.update(**values)`, returning the `returning` fields of each row it changed.

    The compare-and-set of the engine: a row another transaction is changing is waited for, its filter
    checked again, and left out once it no longer matches, so two claims never return the same row.
    """
    model = queryset.model
    query = queryset.order_by().query.chain(UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in returning]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {', '.join(qn(field.column) for field in fields)}", params)
        rows = cursor.fetchall()
    # Values as the ORM would give them (SQLite returns datetimes as text).
    converters = compiler.get_converters([field.get_col(model._meta.db_table) for field in fields])
    return [tuple(row) for row in compiler.apply_converters(rows, converters)] if converters else rows


def listed(model, pks: list[int]) -> RawSQL:
    """The primary keys as a subquery, for `pk__in=`: one parameter however many there are."""
    table, params = rows_table("listed", {"pk": model._meta.pk}, [(pk,) for pk in pks])
    return RawSQL(f"SELECT listed.pk FROM {table}", params)


def rows_table(alias: str, columns: dict[str, models.Field], rows) -> tuple[str, list]:
    """(sql, params) of a table `alias` in a FROM clause, with `columns` (name: the model field whose
    column type it has) holding `rows` (tuples in that order).
    """
    names = list(columns)
    converters = [(i, _to_json(columns[name])) for i, name in enumerate(names)]
    converters = [(i, to_json) for i, to_json in converters if to_json is not None]
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, to_json in converters:
                if row[i] is not None:
                    row[i] = to_json(row[i])
    data = json.dumps(list(rows))
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


def stored(model, name: str, value):
    """A value as the model's column stores it, for a statement's parameter (SQLite keeps datetimes as
    text in one exact form)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)


class Numbered:
    """Distinct keys numbered in the order first met: a row carries the number, and a small table
    (`rows_table`) holds what the key stands for, worked out once (`numbers` maps each key to its
    number)."""

    def __init__(self):
        self.numbers = {}

    def __call__(self, key) -> int:
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.numbers)
        return number


def _cast_type(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    return field.cast_db_type(connection)


def _to_json(field: models.Field):
    """How a value of this field's type is written in JSON so that the database reads back the very
    value it stores (joins compare them), or None when JSON keeps it as it is."""
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "postgresql":
            return datetime.isoformat
        # SQLite keeps datetimes as text: write the very text Django stores.
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        return str
    return None
