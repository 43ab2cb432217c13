"""Django's PostgreSQL backend, reading timestamps with the standard library's parser.

Django reads each `timestamp with time zone` through psycopg's pure-Python text loader (a regular
expression, then arithmetic), wrapped to set the time zone it expects. A trigger's page reads a few
hundred of them (each matched service's notice, receipt and due times), which took about 7 % of
the page. `datetime.fromisoformat` is written in C and reads the same values about four times
faster. Everything else is Django's own backend.
"""

from datetime import datetime

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader


class IsoTimestampLoader(BaseTzLoader):
    """Django's timestamptz loader (the value's wall-clock time in the connection's zone, tagged with
    `timezone`), parsing with `datetime.fromisoformat` each value PostgreSQL writes at offset zero in
    its ISO style, "2026-03-29 01:30:00.5+00": the connection's zone (UTC, as Django sets it) then
    shows the same wall-clock time, so the result is exactly Django's. Any other value (another
    offset or DateStyle, a year before 1 or after 9999) is loaded by psycopg and Django as before,
    with their errors."""

    def load(self, data):
        text = bytes(data).decode()
        if text.endswith("+00"):
            try:
                return datetime.fromisoformat(text).replace(tzinfo=self.timezone)
            except ValueError:
                pass  # "… BC" or a five-digit year: psycopg's parser reads it or names it in its error
        return super().load(data)


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL connection, with `IsoTimestampLoader` in each connection's adapters."""

    def get_connection_params(self):
        params = super().get_connection_params()
        # Django registers its loader with the connection's zone as a class attribute, and compares
        # it with its own zone when it makes a cursor (registering its loader again if they differ).
        loader = type("IsoTimestampLoader", (IsoTimestampLoader,), {"timezone": self.timezone})
        params["context"].register_loader("timestamptz", loader)
        return params
