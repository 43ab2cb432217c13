"""The operators' commands: run the scan once, load the chains, benchmark a tick."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation import engine
from escalation.management.commands.benchmark_escalations import undone
from escalation.models import ChainRun, EngineHeartbeat, Escalation, StepTemplate

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_evaluate_escalations_prints_what_it_raised(chain_a, people):
    output = run("evaluate_escalations", "--now", "2026-11-23T10:01")
    assert "Step overdue: A1 (Serious failure at Elm House #1 (Elm House)) → Operations Director" in output
    assert "acknowledge by Mon 23 Nov 2026, 11:01" in output
    assert "Raised 1 escalation(s) at Mon 23 Nov 2026, 10:01: 1 overdue, 0 follow-up(s)." in output
    assert "Raised 0 escalation(s)" in run("evaluate_escalations", "--now", "2026-11-23T10:01:00+00:00")


def test_evaluate_escalations_rejects_a_bad_date(chain_a):
    with pytest.raises(
        CommandError, match="--now must be an ISO 8601 date and time such as 2026-11-23T10:30"
    ):
        run("evaluate_escalations", "--now", "23/11/2026 10:19")
    assert not Escalation.objects.exists()


def test_evaluate_escalations_can_send_the_outbox(chain_a, people, mailoutbox):
    output = run("evaluate_escalations", "--now", "2026-11-23T10:01", "--send")
    assert "Sent 1 notification(s)." in output and len(mailoutbox) == 1


def test_load_chains_is_idempotent_and_can_reset_edits(chains):
    StepTemplate.objects.filter(code="A2").update(title="Edited")
    assert "0 row(s)" in run("load_chains", "--keep-edits")
    assert StepTemplate.objects.get(code="A2").title == "Edited"
    assert "1 row(s)" in run("load_chains")
    assert StepTemplate.objects.get(code="A2").title == "Learning-distribution accuracy"
    assert "0 row(s)" in run("load_chains")


def test_the_benchmark_reports_time_and_queries_and_leaves_nothing_behind(chains):
    output = run("benchmark_escalations", "--step-runs", "100", "--services", "10", "--due", "10", "50")
    assert "Built 100 open step runs across 10 services" in output
    assert "Tick with 10 due of 100 open:" in output and "10 escalations raised" in output
    assert "Tick with 50 due of 100 open:" in output and "50 escalations raised" in output
    assert "Tick with nothing due:" in output
    assert "Benchmark rows rolled back." in output
    assert not ChainRun.objects.exists()


def test_the_benchmark_times_a_tick_as_the_running_engine_ticks(chains):
    # A running engine has its heartbeat row; only the very first tick creates it, with two more
    # queries, which are no cost of a tick.
    output = run("benchmark_escalations", "--step-runs", "20", "--services", "2", "--due", "5")
    reported = int(re.search(r"Tick with nothing due: [\d.]+ s, (\d+) queries", output)[1])
    EngineHeartbeat.objects.create(name=engine.HEARTBEAT)
    with CaptureQueriesContext(connection) as queries:  # as the benchmark runs it, undone afterwards
        undone(engine.tick)
    assert reported == len(queries.captured_queries)
