"""Load test: the four personas signing in and working at once against a running server.

    locust -f tests/load/locustfile.py --headless --users 50 --spawn-rate 10 --run-time 60s \\
        --host http://127.0.0.1:8001

`scripts/loadtest` prepares the demo data, starts gunicorn on loopback, runs this and prints the result.
Each simulated person signs in once (the real two-step login, a session of their own) and then picks
tasks by their weights, pausing 0.5-1.5 s between tasks, a brisk rather than a typical person. The
summary printed at the end reports signing in apart from the steady state after everyone has signed
in. The journeys themselves are in tests/load/journeys.py, shared with the suite's quick check.

Locust runs on the same cores as the server, so its users are FastHttpUsers (geventhttpclient, far less
CPU a request than `requests`), each behind tests/load/browser.py's BrowserSession: forms, cookies and
redirects as a browser, one sample for each request a journey makes, as before.
"""

import os
import random
import sys
import time
from pathlib import Path

from locust import between, events
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root, for `tests.load`
from tests.load.browser import BrowserSession  # noqa: E402
from tests.load.journeys import PERSONAS, sign_in  # noqa: E402
from tests.load.report import cpu_seconds, database_pids, summary  # noqa: E402

# What the summary needs: every response (when sent, name, ms) and when the last person had signed in.
_samples: list[tuple[float, str, float]] = []
_run = {"started": time.time(), "signed_in": 0, "steady_from": None}
# The web server's worker processes on this machine (scripts/loadtest names them), to measure their CPU.
SERVER_PIDS = [int(pid) for pid in os.environ.get("LOAD_SERVER_PIDS", "").split()]
# Their database (scripts/loadtest names it), whose processes serving them are measured as well.
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "")


def _task(journey):
    """A locust task (called with the user) running one journey on the user's HTTP session."""

    def task(user):
        journey(user.client)

    task.__name__ = journey.__name__
    return task


def _user_class(persona):
    """One locust user class per persona, equally weighted: 50 users are about 12 of each."""

    class Persona(FastHttpUser):
        wait_time = between(0.5, 1.5)
        tasks = {_task(journey): weight for journey, weight in persona.tasks.items()}
        max_redirects = 0  # BrowserSession follows them, so that a request and its redirects count once

        def __init__(self, environment):
            super().__init__(environment)
            self.client = BrowserSession(self.client, environment.events.request)

        def on_start(self):
            sign_in(self.client, random.choice(persona.usernames))
            _run["signed_in"] += 1
            if _run["signed_in"] == self.environment.runner.target_user_count:
                _run["steady_from"] = time.time()
                _run["cpu_from"] = cpu_seconds(SERVER_PIDS)
                _run["locust_cpu_from"] = cpu_seconds([os.getpid()])
                _run["database_pids"] = database_pids(DATABASE_URL) if DATABASE_URL else []
                _run["database_cpu_from"] = cpu_seconds(_run["database_pids"])

    Persona.__name__ = Persona.__qualname__ = persona.name.title().replace(" ", "")
    return Persona


for _persona in PERSONAS:
    globals()[_persona.name.title().replace(" ", "")] = _user_class(_persona)
del _persona


@events.request.add_listener
def _keep(name, response_time, start_time=None, **_):
    _samples.append((start_time or time.time(), name, response_time))


@events.test_start.add_listener
def _started(**_):
    _run["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**_):
    _run["ended"] = time.time()
    _run["cpu_to"] = cpu_seconds(SERVER_PIDS)
    _run["locust_cpu_to"] = cpu_seconds([os.getpid()])
    if _run.get("database_pids"):
        # A connection opened since counts from nothing; the run keeps connections, so none closed.
        later = [pid for pid in database_pids(DATABASE_URL) if pid not in _run["database_pids"]]
        _run["database_cpu"] = cpu_seconds(_run["database_pids"] + later) - _run["database_cpu_from"]


@events.quitting.add_listener
def _report(environment, **_):
    errors = environment.stats.total.num_failures + sum(
        e["count"] for e in environment.runner.exceptions.values()
    )
    text = summary(
        _samples,
        started=_run["started"],
        steady_from=_run["steady_from"],
        ended=_run.get("ended") or time.time(),
        errors=errors,
        server_cpu=_run["cpu_to"] - _run["cpu_from"] if SERVER_PIDS and "cpu_from" in _run else None,
        database_cpu=_run.get("database_cpu"),
        locust_cpu=_run["locust_cpu_to"] - _run["locust_cpu_from"] if "locust_cpu_from" in _run else None,
    )
    print(text, flush=True)
