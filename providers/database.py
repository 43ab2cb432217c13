"""How queries meet the database, where one part of the code needs it otherwise than the rest."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def planned_for_their_values(using: str = DEFAULT_DB_ALIAS):
    """Queries run inside (also as a decorator) are planned each time for the values they are run
    with, never from a plan kept prepared on the connection (config/settings.py has PostgreSQL keep a
    query run five times prepared).

    After a few runs PostgreSQL may keep one plan for any values (a generic plan). That suits a page's
    lookups by id, whose planning cost more than their running. It does not suit a count over a
    provider's whole history, whose best plan depends on the period and region asked: on the executive
    summary of a provider with 5,000 triggers and 174,000 matched services, kept plans took 350 ms of
    SQL a request against 105 ms planned afresh. Elsewhere (SQLite) nothing is prepared.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    kept = driver.prepare_threshold
    driver.prepare_threshold = None  # psycopg then neither prepares a query nor runs a prepared one
    try:
        yield
    finally:
        driver.prepare_threshold = kept
