"""The large-provider benchmark runs (at a small scale, so CI keeps it working) and leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from learning_transfer.models import Incident, LearningTrigger
from providers.models import Provider

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark builds its data with PostgreSQL SQL"
)
def test_the_benchmark_times_every_main_page_and_drops_its_data():
    out = StringIO()
    call_command("benchmark_scale", "--scale", "0.001", "--requests", "2", stdout=out)
    report = out.getvalue()
    for page in (
        "register",
        "incidents awaiting review",
        "incidents, newest first",
        "organisation (services by region)",
        "quality director's dashboard",
        "nominated individual's dashboard",
        "operations director's dashboard",
        "learning notices",
        "executive summary (365 days)",
        "executive summary (365 days, one region)",
    ):
        assert page in report
    # A row per page and per action (two ticks), each with its ratio, and one per import (its ratio to COPY).
    assert report.count("× |") == 16 + 2
    for action in ("trigger logged", "evidence pack", "engine tick"):
        assert action in report
    assert "| new incidents | 1,000 |" in report and "| new incidents | 3,000 |" in report
    assert "3× the rows took" in report
    # The first file again adds and changes nothing; with a bad last row it is refused, all of it.
    assert "| imported again | 1,000 | " in report
    assert "| with a bad last row (line 1,001): rejected | 1,000 | " in report
    assert report.count("MB of Python memory in one request") == 3  # each executive summary
    assert not Provider.objects.exists() and not Incident.objects.exists()
    assert not LearningTrigger.objects.exists()


def test_the_benchmark_refuses_sqlite(settings):
    if connection.vendor == "postgresql":
        pytest.skip("only SQLite refuses")
    with pytest.raises(Exception, match="needs PostgreSQL"):
        call_command("benchmark_scale", "--scale", "0.001")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark builds its data with PostgreSQL SQL"
)
def test_kept_data_is_measured_again_without_building_it_and_measurements_are_undone():
    call_command("benchmark_scale", "--scale", "0.001", "--keep", "--only", "pages", stdout=StringIO())
    kept = Incident.objects.count(), LearningTrigger.objects.count()
    assert kept[0] > 0 and Provider.objects.filter(name="Scale Benchmark Care Ltd").exists()
    out = StringIO()
    call_command("benchmark_scale", "--scale", "0.001", "--reuse", "--only", "import", stdout=out)
    assert "Built" not in out.getvalue() and "| new incidents | 1,000 |" in out.getvalue()
    assert "| page |" not in out.getvalue()  # only the import was timed
    assert (Incident.objects.count(), LearningTrigger.objects.count()) == kept  # its imports undone


def _estimated_step_runs() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'escalation_steprun'")
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark builds its data with PostgreSQL SQL"
)
def test_a_reused_database_is_planned_for_the_rows_it_holds_not_a_rolled_back_run():
    """An earlier run's actions analysed step runs they then rolled back; PostgreSQL keeps the size
    estimate of that ANALYZE. Measuring the kept database again first plans for what it holds."""
    from escalation.models import StepRun

    call_command("benchmark_scale", "--scale", "0.001", "--keep", "--only", "pages", stdout=StringIO())
    held = StepRun.objects.count()
    with connection.cursor() as cursor:  # what an actions run leaves: rows undone, their estimate kept
        cursor.execute("SAVEPOINT actions")
        copies = "jsonb_build_object('id', s.id + 1000000 * n, 'occurrence', s.occurrence + 10 * n)"
        cursor.execute(
            f"INSERT INTO escalation_steprun SELECT (jsonb_populate_record(s, {copies})).*"
            " FROM escalation_steprun s, generate_series(1, 2000) n"
        )
        cursor.execute("ANALYZE escalation_steprun")
        cursor.execute("ROLLBACK TO SAVEPOINT actions")
    assert StepRun.objects.count() == held and _estimated_step_runs() > held + 1000
    call_command("benchmark_scale", "--scale", "0.001", "--reuse", "--only", "pages", stdout=StringIO())
    assert _estimated_step_runs() <= held + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is refused before anything else")
def test_reuse_without_kept_data_says_what_to_run_first():
    with pytest.raises(Exception, match="run with --keep first"):
        call_command("benchmark_scale", "--reuse")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is refused before anything else")
@pytest.mark.parametrize("debug", [True, False])
def test_timing_with_debug_on_is_said_to_be_slower_than_production(settings, debug):
    # With DEBUG on Django writes out every query it runs: the figures would not be production's.
    settings.DEBUG = debug
    err = StringIO()
    with pytest.raises(Exception, match="run with --keep first"):
        call_command("benchmark_scale", "--reuse", stderr=err)
    assert ("DEBUG is on" in err.getvalue()) is debug
