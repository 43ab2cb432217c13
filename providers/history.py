"""The change history a record's page shows under it (templates/includes/history.html): who changed
it, when and why, and what each change changed, old → new ("Working day: 09:00–17:00 → 08:00–18:00"),
read by comparing each stored history row with the one before it."""

import calendar
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from itertools import zip_longest

from django.db.models import ForeignKey

from .permissions import compiled_once
from .templatetags.nhsuk import london

# The columns of the history table's own: read by every history, whatever it compares.
SHOWN = ("history_date", "history_type", "history_change_reason", "history_user")
LONGEST_VALUE = 80  # a longer text is shortened in its "old → new", which is about what changed


def weekdays_in_words(days: str) -> str:
    """Stored working weekdays ("0,1,2,3,4") in words: "Monday to Friday", "Monday, Wednesday and Friday"."""
    numbers = sorted(int(day) for day in str(days or "").split(",") if day.strip())
    names = [calendar.day_name[number] for number in numbers]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{names[0]} to {names[-1]}"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names) or "none"


def working_day_in_words(start: time, end: time) -> str:
    """A working day's start and end as one: "09:00–17:00"."""
    return f"{start:%H:%M}–{end:%H:%M}"


# Where a model's fields read better together or in other words than one by one: {model label:
# [(label, fields, words of their values)]}. Every other field reads by its own label.
READ_AS = {
    "providers.Provider": [
        (
            "Working day",
            ("working_day_start", "working_day_end"),
            lambda start, end: f"{start:%H:%M}–{end:%H:%M}",
        ),
        ("Working days", ("working_weekdays",), weekdays_in_words),
    ],
}

# What a change said: the rows before and after it (before None for a record's first row).
Words = Callable[[object, object], list[str]]


def recent_changes(record, limit: int | None = 20, *, words: Words | None = None) -> list:
    """The record's changes, newest first (the newest `limit` of them; all for None), each with the
    person who made it and `changes`: what it changed, one "label: old → new" a line (`field_changes`,
    or the page's own `words`). One query, whatever the length: one row more than shown is read, so
    the oldest change shown is compared too. Its SQL is kept for each kind of record (its page asks on
    every view) and run with this record."""
    model = type(record)

    def changes(pk):
        found = model.history.filter(**{model._meta.pk.attname: pk})
        found = found.select_related("history_user").order_by("-history_date", "-pk")
        return found[: limit + 1] if limit is not None else found

    name = f"changes of a {model._meta.label}, {limit}"
    rows = list(compiled_once(None, name, changes, pk=record.pk).rows())
    pairs = list(zip_longest(rows, rows[1:]))  # each row with the one before it (None for the first)
    if words is None:
        names = _records_named(pairs)
        words = partial(field_changes, names=names)
    for newer, older in pairs:
        newer.changes = words(older, newer) if newer.history_type != "-" else []
    return rows[:limit] if limit is not None else rows


def _records_named(pairs) -> dict:
    """{(model, id): name} of the records a change's foreign keys name, old and new: one query for
    each kind of record changed, whatever the length of the history."""
    wanted: dict = {}
    for newer, older in pairs:
        for field in _foreign_keys(newer) if older is not None else ():
            old, new = getattr(older, field.attname), getattr(newer, field.attname)
            if old != new:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    return {
        (model, pk): str(found)
        for model, ids in wanted.items()
        for pk, found in model._default_manager.in_bulk(ids).items()
    }


def _foreign_keys(row) -> list:
    """The foreign keys a history row keeps that a person edits."""
    return [f for f in row.tracked_fields if f.editable and isinstance(f, ForeignKey)]


def field_changes(older, newer, names: dict | None = None) -> list[str]:
    """What changed between two history rows of a record, "label: old → new", in the order of its
    fields (READ_AS where its model names some), a record named by `names` ({(model, id): name}).
    Nothing for a record's first row, whose values are not a change, nor for the reason, which the
    history shows as the change's "why"."""
    if older is None:
        return []
    said = []
    for label, names_, words in _read_as(newer, names or {}):
        old, new = ([getattr(row, name) for name in names_] for row in (older, newer))
        if old == new or (len(names_) == 1 and new[0] and new[0] == newer.history_change_reason):
            continue
        said.append(f"{label}: {_shown(words(*old))} → {_shown(words(*new))}")
    return said


def _read_as(row, names: dict) -> list[tuple[str, tuple, Callable]]:
    """The (label, field attnames, words) a row's changes are said by: its model's READ_AS first, then
    every other field it keeps that a person edits, by its own label and value."""
    model = row.instance_type
    special = READ_AS.get(model._meta.label, [])
    done = {name for _, names, _ in special for name in names}
    plain = [
        (_label(field), (field.attname,), _words_of(field, names))
        for field in row.tracked_fields
        if field.editable and not field.primary_key and field.attname not in done and field.name not in done
    ]
    return [*special, *plain]


def _label(field) -> str:
    """A field's label as a form shows it: "Risk level"."""
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _words_of(field, names: dict) -> Callable:
    """How one field's value reads: a choice by its label, a record by its name, anything else by
    `value_words`."""
    if field.choices:
        labels = dict(field.flatchoices)
        return lambda value: labels.get(value, value)
    if isinstance(field, ForeignKey):
        model = field.related_model
        return lambda value: names.get((model, value), "a removed record") if value is not None else None
    return value_words


def value_words(value) -> str | None:
    """A stored value as a person reads it: times "09:00", days "6 Dec 2026", yes / no, numbers
    without trailing zeros; a structured value is only said to have changed."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return london(value)
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dict | list):
        return "set" if value else None
    return value


def _shown(value) -> str:
    """A value in an "old → new": "not set" for nothing, a long text shortened."""
    if value is None or value == "":
        return "not set"
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else f"{text[: LONGEST_VALUE - 1].rstrip()}…"
