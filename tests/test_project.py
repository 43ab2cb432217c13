"""Project-wide guarantees: migrations match the models, and production settings pass Django's checks."""

from io import StringIO

import pytest
from django.core import checks
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()} (exit {exit_.code})")


@pytest.mark.django_db
def test_start_up_checks_say_nothing_on_the_configured_database():
    """Every start-up command (`./scripts/run`'s migrate and demo load among them) runs the checks.

    A warning there is the first thing a new user reads; on SQLite it was that the review flags'
    covering index cannot carry its extra columns, which is a PostgreSQL speed-up SQLite ignores.
    """
    said = [message for message in checks.run_checks(databases=["default"]) if not message.is_silenced()]
    assert said == []
