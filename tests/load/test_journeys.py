"""The load test's journeys keep working: each persona walks every task once against the live server,
signing in with both steps and sending each form with its CSRF token, and nothing goes wrong."""

import importlib.util
import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from reporting_control.models import EvidencePack
from tests.concurrency import postgresql_only

from .client import LoopbackClient
from .journeys import PERSONAS, sign_in
from .pages import _FormReader, _forms
from .report import cpu_seconds, percentile, summary

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The demo provider behind a live server, with the demo's second-step code accepted (as the load run
    does) and its commissioners' evidence packs built."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    settings.DEMO_SECOND_FACTOR = True
    call_command("load_demo", days=7, password="demo-pass-2026", stdout=StringIO())
    assert EvidencePack.objects.filter(status="ready").count() == EvidencePack.objects.count() > 0
    return live_server.url


class PageKeepingClient(LoopbackClient):
    """A LoopbackClient that also keeps every page it was answered with, in `pages`."""

    def __init__(self, base_url: str):
        super().__init__(base_url)
        self.pages: list[str] = []

    def _send(self, *args):
        response = super()._send(*args)
        if not response.content.startswith(b"%PDF"):
            self.pages.append(response.text)
        return response


def test_every_persona_walks_every_task_once_and_the_writes_are_saved(demo):
    from adoption.models import AdoptionObservation
    from learning_transfer.models import LearningTrigger

    triggers, observations = LearningTrigger.objects.count(), AdoptionObservation.objects.count()
    pages = []
    for persona in PERSONAS:
        for username in persona.usernames:
            client = PageKeepingClient(demo)
            sign_in(client, username)
            for journey in persona.tasks:
                journey(client)
            refused = [request for request in client.requests if request[2] >= 400]
            assert not refused, f"{persona.name} ({username}): {refused}"
            pages += client.pages
    # The quality director logged a serious failure, the registered manager recorded an observation.
    assert LearningTrigger.objects.count() == triggers + 1
    assert AdoptionObservation.objects.count() == observations + 1

    # The journeys read forms from the page's forms alone; on every page they saw, that finds exactly
    # what reading the whole page finds (every form, its fields as sent, its choices).
    forms_seen = 0
    for html in pages:
        whole_page = _FormReader()
        whole_page.feed(html)
        assert _forms(html) == whole_page.forms
        forms_seen += len(whole_page.forms)
    assert len(pages) > 20 and forms_seen > 30


def test_as_in_production_people_sign_in_with_recovery_codes_each_used_once(
    live_server, settings, tmp_path, monkeypatch
):
    """The load run runs with DEBUG off, where the demo's published code is refused: a provider-level
    person signs in with the recovery codes `load_test_codes` wrote, one per sign-in."""
    from . import journeys

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", days=7, password="demo-pass-2026", stdout=StringIO())
    settings.DEBUG, settings.DEMO_SECOND_FACTOR = False, False
    codes = tmp_path / "codes.txt"
    call_command("load_test_codes", "--file", str(codes), "--count", "2", stdout=StringIO())
    written = [line.split() for line in codes.read_text().splitlines()]
    theirs = [code for name, code in written if name == "quality.director"]
    assert len(theirs) == 2 and {name for name, _ in written} >= {"quality.director", "ni"}
    monkeypatch.setenv("LOAD_SECOND_STEP_CODES", str(codes))
    monkeypatch.setattr(journeys, "_unused_codes", {})

    for _ in range(2):
        client = LoopbackClient(live_server.url)
        sign_in(client, "quality.director")
        journeys.qd_dashboard(client)
    with pytest.raises(journeys.JourneyError, match="No recovery code left for quality.director"):
        sign_in(LoopbackClient(live_server.url), "quality.director")
    # A code already used, or the demo's published one, is refused.
    monkeypatch.setattr(journeys, "_unused_codes", {"quality.director": theirs[:1]})
    monkeypatch.setattr(journeys, "SECOND_STEP_CODE", "demo2026")
    for code_source in ("used", "demo"):
        if code_source == "demo":
            monkeypatch.delenv("LOAD_SECOND_STEP_CODES")
        with pytest.raises(journeys.JourneyError, match="could not sign in"):
            sign_in(LoopbackClient(live_server.url), "quality.director")


# Four people at once: the live server's in-memory SQLite locks under concurrent writers.
@postgresql_only
@pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="the load group is not installed")
def test_the_locustfile_runs_headless_with_no_errors(demo):
    env = {**os.environ, "LOAD_PASSWORD": "demo-pass-2026"}
    result = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "tests/load/locustfile.py", "--headless", "--only-summary"]
        + ["--users", "4", "--spawn-rate", "4", "--run-time", "6s", "--host", demo],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors (whole run): 0" in result.stdout
    assert "steady state p50 / p95" in result.stdout
    # Each of the 4 people signed in once: one GET and one POST of the sign-in page each, the redirects
    # after the POST counted as part of it, not as requests of their own.
    table = result.stderr  # locust logs its table of requests
    assert _requests_counted(table, "GET", "sign in") == 4
    assert _requests_counted(table, "POST", "sign in") == 4


def _requests_counted(output: str, method: str, name: str) -> int:
    """The number of requests in locust's table of requests and failures for that method and name."""
    row = re.search(rf"^{method}\s+{re.escape(name)}\s+(\d+)\s+\d+\(", output, re.MULTILINE)
    assert row, f"No {method} {name!r} row in locust's table:\n{output}"
    return int(row[1])


def test_the_summary_reports_signing_in_apart_from_the_steady_state():
    samples = [(100.0, "sign in", 900.0), (100.5, "sign in: second step", 800.0)]
    samples += [(110.0 + ms / 100, "register", float(ms)) for ms in range(1, 101)]
    text = summary(
        samples,
        started=99.0,
        steady_from=110.0,
        ended=120.0,
        errors=2,
        server_cpu=2.0,
        database_cpu=0.5,
        locust_cpu=0.3,
    )
    assert percentile(range(1, 101), 0.95) == 95
    assert "signing in: 2 requests, p95 900 ms; everyone signed in after 11 s" in text
    assert "steady state: 100 requests in 10 s = 10.0 req/s" in text
    assert "steady state p50 / p95: 50 / 95 ms" in text
    assert "web workers' CPU in the steady state: 20 ms a request" in text
    assert "2 free cores would serve at most 100 req/s" in text
    assert "PostgreSQL's CPU for them: 5 ms a request; web and database together 25 ms" in text
    assert "(2 free cores: at most 80 req/s)" in text
    assert "locust's own CPU on the same cores: 3 ms a request" in text
    assert "errors (whole run): 2" in text
    assert text.splitlines()[-1].split() == ["95", "100", "register"]
    assert cpu_seconds([os.getpid()]) > 0
