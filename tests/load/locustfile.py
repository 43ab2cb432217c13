"""Load test: the four personas signing in and working at once against a running server.

    locust -f tests/load/locustfile.py --headless --users 50 --spawn-rate 10 --run-time 60s \\
        --host http://127.0.0.1:8001

`scripts/loadtest` prepares the demo data, starts gunicorn on loopback, runs this and prints the result.
Each simulated person signs in once (the real two-step login) and then picks tasks by their weights,
pausing 0.5-1.5 s between tasks, a brisk rather than a typical person. The journeys themselves are in
tests/load/journeys.py, shared with the suite's quick check.
"""

import random
import sys
from pathlib import Path

from locust import HttpUser, between, events

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root, for `tests.load`
from tests.load.journeys import PERSONAS, sign_in  # noqa: E402
from tests.load.report import summary  # noqa: E402


def _task(journey):
    """A locust task (called with the user) running one journey on the user's HTTP session."""

    def task(user):
        journey(user.client)

    task.__name__ = journey.__name__
    return task


def _user_class(persona):
    """One locust user class per persona, equally weighted: 50 users are about 12 of each."""

    class Persona(HttpUser):
        wait_time = between(0.5, 1.5)
        tasks = {_task(journey): weight for journey, weight in persona.tasks.items()}

        def on_start(self):
            sign_in(self.client, random.choice(persona.usernames))

    Persona.__name__ = Persona.__qualname__ = persona.name.title().replace(" ", "")
    return Persona


for _persona in PERSONAS:
    globals()[_persona.name.title().replace(" ", "")] = _user_class(_persona)
del _persona


# The summary scripts/loadtest prints: every response time kept, counted once the run is over.
_samples: list[tuple[str, float]] = []


@events.request.add_listener
def _keep(name, response_time, **_):
    _samples.append((name, response_time))


@events.quitting.add_listener
def _report(environment, **_):
    stats = environment.stats.total
    seconds = max(stats.last_request_timestamp - stats.start_time, 1e-9) if _samples else 0.0
    errors = stats.num_failures + sum(e["count"] for e in environment.runner.exceptions.values())
    print(summary(_samples, seconds, errors), flush=True)
