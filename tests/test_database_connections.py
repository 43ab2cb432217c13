"""Database connections are reused between requests (opening one per request wastes the server's CPU)."""

import json
import os
import subprocess
import sys

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)


def database_settings(**environment):
    """CONN_MAX_AGE and CONN_HEALTH_CHECKS as the settings module reads them from this environment."""
    env = {k: v for k, v in os.environ.items() if k != "CONN_MAX_AGE"} | environment
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connections_are_kept_for_a_minute_and_checked_before_reuse():
    assert database_settings() == [60, True]


def test_the_connection_lifetime_comes_from_the_environment():
    assert database_settings(CONN_MAX_AGE="0") == [0, True]
    assert database_settings(CONN_MAX_AGE="300") == [300, True]
