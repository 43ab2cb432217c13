"""Database connections are reused between requests (opening one per request wastes the server's CPU), and
on PostgreSQL a query a connection runs again and again is planned once (prepared)."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.concurrency import postgresql_only
from tests.signing_in import signed_in

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)
SHOW_OPTIONS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def database_settings(show=SHOW, **environment):
    """What `show` prints of the database settings, as the settings module reads them from this
    environment (CONN_MAX_AGE and CONN_HEALTH_CHECKS unless told otherwise)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CONN_MAX_AGE", "DATABASE_PREPARED_STATEMENTS")}
    env = env | environment | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connections_are_kept_for_a_minute_and_checked_before_reuse():
    assert database_settings() == [60, True]


def test_the_connection_lifetime_comes_from_the_environment():
    assert database_settings(CONN_MAX_AGE="0") == [0, True]
    assert database_settings(CONN_MAX_AGE="300") == [300, True]


POSTGRESQL = "postgres://postgres@127.0.0.1:5432/any"


def test_postgresql_sends_parameters_apart_and_prepares_repeated_queries_unless_turned_off():
    options = database_settings(SHOW_OPTIONS, DATABASE_URL=POSTGRESQL)
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    # Behind a pooler that shares server sessions between connections, prepared statements must go.
    options = database_settings(SHOW_OPTIONS, DATABASE_URL=POSTGRESQL, DATABASE_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    # SQLite has neither.
    assert "server_side_binding" not in database_settings(SHOW_OPTIONS, DATABASE_URL="sqlite:///x.sqlite3")


@postgresql_only
@pytest.mark.django_db
def test_a_page_seen_again_is_served_by_queries_prepared_on_the_server(client, quality_director):
    """A signed-in person's queries run on every page; after a few requests the server keeps them
    planned (pg_prepared_statements lists this session's), so later requests skip planning them."""
    signed_in(client, quality_director)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cursor.fetchone()[0]
    for _ in range(6):
        assert client.get("/").status_code in (200, 302)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) > before
    # The person is read the same way on every request: that query is among those prepared.
    assert any('FROM "providers_user"' in sql for sql in prepared), prepared


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgresql_only
@pytest.mark.django_db
def test_the_executive_summary_is_planned_for_each_period_and_region_not_kept_prepared(
    client, nominated_individual
):
    """The summary's counts over the provider's history are planned for the period and region asked,
    every time: a plan kept for any values made them three times slower at a large provider."""
    signed_in(client, nominated_individual)
    for _ in range(8):
        assert client.get("/learning/summary/").status_code == 200
        assert client.get("/learning/summary/?period=90").status_code == 200
    prepared = _prepared_statements()
    # The page's other queries (the person, their roles) are kept prepared ...
    assert any('FROM "providers_user"' in sql for sql in prepared)
    # ... but not one of the summary's counts of matched services. (The page header's count of unread
    # escalations reads matched services too, to know which cases the person sees: it is kept prepared,
    # as every page's header is, and is not the summary's.)
    summary_counts = [
        sql
        for sql in prepared
        if 'FROM "learning_transfer_matchedservice"' in sql and '"escalation_notification"' not in sql
    ]
    assert not summary_counts
    # And preparing is back on for what runs after it.
    assert connection.connection.prepare_threshold == 5


@postgresql_only
@pytest.mark.django_db
def test_planned_for_their_values_turns_preparing_off_only_inside(provider):
    from providers.database import planned_for_their_values
    from providers.models import Service

    def count_services():
        return Service.objects.filter(provider=provider, name__startswith="x").count()

    with planned_for_their_values():
        for _ in range(7):
            count_services()
    assert not [sql for sql in _prepared_statements() if 'FROM "providers_service"' in sql]
    for _ in range(7):
        count_services()
    assert [sql for sql in _prepared_statements() if 'FROM "providers_service"' in sql]
