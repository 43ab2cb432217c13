"""Small helpers shared by the business actions."""

import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from providers.templatetags.nhsuk import london


def refuse(message: str, field: str | None = None) -> None:
    """Stop an action that breaks a rule, with a message a person can act on."""
    raise ValidationError({field: message} if field else message)


# A person's device and the server may disagree by a few minutes: a time that close to now is not
# refused as "in the future".
CLOCK_SLACK = timedelta(minutes=5)


def refuse_before(field: str, moment, *, what: str, earliest, since: str) -> None:
    """Refuse, on `field`, a moment before `earliest`, the moment `since` names:
    "{what} cannot be before {since} (Mon 23 Nov 2026, 09:00)"."""
    if moment < earliest:
        refuse(f"{what} cannot be before {since} ({london(earliest)}).", field)


def refuse_outside(field: str, moment, *, what: str, earliest, since: str, now=None) -> None:
    """Refuse, on `field`, a moment in the future (beyond CLOCK_SLACK) or before `earliest`
    (`refuse_before`): what a time something happened may not be."""
    if moment > now_or(now) + CLOCK_SLACK:
        refuse(f"{what} cannot be in the future.", field)
    refuse_before(field, moment, what=what, earliest=earliest, since=since)


def now_or(now):
    """The given instant, or the current one (functions take `now` so tests can fix the clock)."""
    return now or timezone.now()


def save_with_history(obj, by, reason: str = "", update_fields=None, at=None) -> None:
    """Save and make the history row name who did it, why and when (`at`, default now: a service
    given the moment it acts for dates its history by it too, so a record of the past reads in order),
    also outside a request (tasks, tests)."""
    obj._history_user = by
    if at is not None:
        obj._history_date = at
    if reason:
        obj._change_reason = reason
    obj.save(update_fields=update_fields)


def history_columns(model) -> tuple[list[str], list[str]]:
    """The columns of `model`'s history table: those copied from the row (every tracked field), then
    who, when, why and what kind of change, as django-simple-history fills them."""
    meta = model.history.model._meta
    tracked = [field.column for field in model.history.model.tracked_fields]
    about = ("history_date", "history_user", "history_change_reason", "history_type")
    return tracked, [meta.get_field(name).column for name in about]


def history_enabled() -> bool:
    """Whether history rows are written (a settings switch django-simple-history honours too)."""
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


def write_history(model, pks: list[int], by, reason: str, history_type: str = "+", at=None) -> None:
    """One history row for each of `model`'s rows `pks`, just created ('+') or changed ('~'), in one
    INSERT … SELECT: what simple-history's bulk helpers write (each tracked field as saved, by whom,
    when and why), without first making two model objects of every row, which cost a trigger matched
    to a large provider's 500 services more than all its queries. Dated `at` (default now)."""
    if not pks or not history_enabled():
        return
    quote = connection.ops.quote_name
    tracked, about = history_columns(model)
    fields = [field.attname for field in model.history.model.tracked_fields]  # in the columns' order
    rows = model._base_manager.filter(pk__in=pks).order_by("pk").values_list(*fields)
    select, params = rows.query.sql_with_params()
    columns = ", ".join(quote(column) for column in tracked + about)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model.history.model._meta.db_table)} ({columns}) "
            f"SELECT saved.*, %s, %s, %s, %s FROM ({select}) AS saved",
            [at or timezone.now(), by.pk if by else None, reason, history_type, *params],
        )


def update_rows(model, objs: list, fields: list[str]) -> None:
    """Save `fields` of each of `objs` (saved rows of `model`) at once. On PostgreSQL one UPDATE … FROM
    unnest(…) takes each column's values as one array: Django's bulk_update builds a CASE of every row
    for every field in Python, over a millisecond a row for a large provider's 500 matched services.
    On SQLite bulk_update does it."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(objs, fields)
        return
    quote = connection.ops.quote_name
    pk, columns = model._meta.pk, [model._meta.get_field(name) for name in fields]
    arrays = [[pk.get_db_prep_value(obj.pk, connection) for obj in objs]]
    arrays += [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs] for field in columns
    ]
    places = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in [pk, *columns])
    names = [quote(field.column) for field in [pk, *columns]]
    assignments = ", ".join(f"{name} = new.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} AS saved SET {assignments} "
            f"FROM unnest({places}) AS new({', '.join(names)}) WHERE saved.{names[0]} = new.{names[0]}",
            arrays,
        )


class Phases:
    """How long each phase of one piece of work took, in seconds, added up over its calls (an import's
    copy runs once per chunk). Used as `with phases("check"): ...`; the import logs it and the scale
    benchmark prints it, so where the time goes can be seen without a profiler."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def __str__(self):
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())


def closed_for_work(match) -> str | None:
    """Why nothing about the learning at this matched service may change now (None when it may): the
    rule of every action on its notice, lead, exposure log and lines, of what the service's page
    offers, and of whether a mail about its work still leaves."""
    if not match.included:
        return f"{match.service} was left out of this learning."
    if match.trigger.is_closed:
        return "The trigger is closed."
    return None
