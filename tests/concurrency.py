"""Ten people submitting the same action at the same moment, each on their own database connection.

PostgreSQL only: SQLite takes its write lock when a transaction starts, so it has no race to lose.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

SUBMITS = 10

# Skipped before any fixture runs, so SQLite runs set up (and flush) no database for them.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgres://...)"
)


def submit_at_once(action, times: int = SUBMITS, in_transaction: bool = True) -> tuple[list, list[str]]:
    """Run `action()` in `times` threads released together, each on its own connection and, as a web
    request is, in its own transaction (`in_transaction=False` for work that manages its own, such as
    the engine's tick). Returns what the accepted submits returned and the messages of the refused
    ones; any other exception (a crash a person would see as a server error) fails the test."""
    barrier = threading.Barrier(times)
    results, refusals, crashes = [], [], []

    def submit():
        try:
            barrier.wait()
            if in_transaction:
                with transaction.atomic():
                    results.append(action())
            else:
                results.append(action())
        except ValidationError as refusal:
            refusals.append(" ".join(refusal.messages))
        except Exception as crash:  # surfaced below: a thread's exception would otherwise vanish
            crashes.append(crash)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not crashes, crashes
    return results, refusals
