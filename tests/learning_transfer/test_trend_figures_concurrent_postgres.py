"""Learning issued while an import is recounting the same service's days: the trend figures kept on
the matches count the import's days, whichever commits first.

PostgreSQL only (see tests/concurrency.py).
"""

import threading
from datetime import date, datetime, time

import pytest
from django.db import connection, transaction

from learning_transfer.models import Incident
from learning_transfer.services import issue_notices
from learning_transfer.services.rollup import after_data_saved
from tests.concurrency import postgresql_only

from .conftest import LONDON
from .test_trend_figures_kept_current import ISSUED, figures_of, kept, recounted

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
IMPORTED_DAY = date(2026, 11, 16)  # in week -1 of the issue on 18 November


def test_learning_issued_during_an_import_of_its_weeks_counts_the_imported_days(
    log_falls_trigger, managers, quality_director, falls_provider
):
    trigger = log_falls_trigger()
    ash = falls_provider["ash"]
    recounted_not_committed, commit_now, crashes = threading.Event(), threading.Event(), []

    def import_three_incidents():
        try:
            with transaction.atomic():
                for n in range(3):
                    at = datetime.combine(IMPORTED_DAY, time(9, n), tzinfo=LONDON)
                    Incident.objects.create(
                        service=ash, source_reference=f"late-{n}", occurred_at=at, theme="fall"
                    )
                after_data_saved([ash.pk], IMPORTED_DAY, IMPORTED_DAY)
                recounted_not_committed.set()
                commit_now.wait(timeout=30)  # the import's later phases, before its commit
        except Exception as crash:  # surfaced below: a thread's exception would otherwise vanish
            crashes.append(crash)
        finally:
            connection.close()

    def issue():
        try:
            issue_notices(trigger, by=quality_director, now=ISSUED)
        except Exception as crash:
            crashes.append(crash)
        finally:
            connection.close()

    importing = threading.Thread(target=import_three_incidents)
    importing.start()
    assert recounted_not_committed.wait(timeout=30)
    issuing = threading.Thread(target=issue)
    issuing.start()
    issuing.join(timeout=1)  # waits for the import's lock on Ash Grove (unlocked, it finishes at once)
    commit_now.set()
    importing.join(timeout=30)
    issuing.join(timeout=30)
    assert not crashes, crashes
    assert kept() == recounted()
    assert figures_of(trigger, ash)[-1] == (7 + 3, 700)
