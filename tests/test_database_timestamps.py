"""On PostgreSQL, timestamps are read by the standard library's C parser (config/postgresql), giving
exactly what Django's own loader gives: the same instants, the same time zone object, the same errors."""

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from config.postgresql.base import IsoTimestampLoader
from tests.concurrency import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db]

TIMES = [
    "2026-11-29 09:15:00+00",
    "2026-03-29 00:59:59.123456+00",  # the last second of GMT before the clocks go forward
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:30:00.5+00",  # inside the hour London lives twice
    "2026-06-01 12:00:00.000001+00",
    "2026-06-01 12:00:00.12+00",
    "1899-12-31 23:59:59+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def read(texts: list[str], *, djangos: bool = False) -> list:
    """Each text cast to timestamptz and read back through the connection's loader, or through the
    loader Django registers (`djangos`) on a cursor of the same connection."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        if djangos:
            register_tzloader(connection.timezone, cursor)
        return [cursor.execute("SELECT %s::timestamptz", [text]).fetchone()[0] for text in texts]


def test_every_connection_reads_timestamps_with_the_fast_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        connection.connection.adapters.types["timestamptz"].oid, Format.TEXT
    )
    assert issubclass(loader, IsoTimestampLoader) and loader.timezone == connection.timezone


def test_timestamps_read_as_djangos_own_loader_reads_them():
    ours, djangos = read(TIMES), read(TIMES, djangos=True)
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in djangos]
    assert [value.isoformat() for value in ours] == [value.isoformat() for value in djangos]


def test_a_session_in_another_zone_reads_as_django_would():
    """PostgreSQL then writes "+01" in summer: those are left to psycopg's own parser, as before."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Europe/London'")
    texts = [
        "2026-07-01 12:00:00+00",
        "2026-01-15 12:00:00+00",
        "2026-10-25 00:30:00+00",
        "2026-10-25 01:30:00+00",
    ]
    assert read(texts) == read(texts, djangos=True)


@pytest.mark.parametrize("text", ["0044-03-15 12:00:00+00 BC", "infinity"])
def test_a_value_python_cannot_hold_fails_as_it_did(text):
    errors = []
    for djangos in (False, True):
        with pytest.raises(Exception) as raised:
            read([text], djangos=djangos)
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]
