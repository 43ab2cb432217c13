"""However often, late or in parallel the scan runs, each escalation exists once."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from escalation import engine, services
from escalation.models import Escalation, Notification, StepRun

from .conftest import at, step

pytestmark = pytest.mark.django_db


def test_running_tick_twice_raises_once(chain_a, people):
    assert len(engine.tick(at(23, 10, 1)).raised) == 1
    assert engine.tick(at(23, 10, 1)).raised == []
    assert engine.tick(at(23, 10, 2)).raised == []
    assert Escalation.objects.count() == 1 and Notification.objects.count() == 1


def test_a_late_tick_after_an_outage_raises_what_was_missed_once(chain_a, people):
    engine.tick(at(23, 10, 1))  # A1 overdue, to be acknowledged by 11:01; then the engine stops
    report = engine.tick(at(23, 16, 0))  # back at 16:00
    assert sorted(e.step_run.code for e in report.overdue) == ["A2", "A3"]
    assert [(e.step_run.code, e.level) for e in report.follow_ups] == [("A1", 2)]
    assert engine.tick(at(23, 16, 0)).raised == []
    # Down again until Tuesday 11:30: windows count working hours, so they ran on from Monday 16:00.
    report = engine.tick(at(24, 11, 30))
    assert sorted(e.step_run.code for e in report.overdue) == ["A4"]
    assert sorted((e.step_run.code, e.level) for e in report.follow_ups) == [("A1", 3), ("A2", 2), ("A3", 2)]
    assert engine.tick(at(24, 11, 31)).raised == []
    assert Escalation.objects.count() == 8


def test_the_unique_constraints_refuse_a_duplicate(chain_a, people):
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    duplicate = Escalation.objects.get(pk=escalation.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    duplicate.kind, duplicate.level, duplicate.parent = "follow_up", 2, escalation
    duplicate.save()
    second = Escalation.objects.get(pk=duplicate.pk)
    second.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_claim_that_finds_its_escalation_already_raised_skips_it_and_raises_the_rest(chain_a, people):
    engine.tick(at(23, 10, 1))  # A1 raised
    StepRun.objects.filter(code="A1").update(state="due")  # as if the claim had been lost
    report = engine.tick(at(23, 10, 19))  # A1 again (refused by the database) and A2 (new)
    assert [e.step_run.code for e in report.overdue] == ["A2"]
    assert Escalation.objects.count() == 2
    assert Notification.objects.filter(escalation__step_run__code="A1").count() == 1


def _queries_for_a_tick(provider, elm_house, subject, cases: int, now) -> int:
    for _ in range(cases):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=elm_house
        )
    with CaptureQueriesContext(connection) as queries:
        report = engine.tick(now)
    assert len(report.raised) == 4 * cases
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_due_rows(
    chains, provider, elm_house, subject, people
):
    engine.tick(at(23, 7))  # the first ever tick also creates the heartbeat row
    one = _queries_for_a_tick(provider, elm_house, subject, 1, at(23, 16, 30))
    StepRun.objects.filter(state="overdue").update(state="recorded")
    five = _queries_for_a_tick(provider, elm_house, subject, 5, at(23, 16, 31))
    assert one == five, f"{one} queries for 4 due rows, {five} for 20"
    # Follow-ups too: the first tick's 4 and the second's 20 escalations climb in one tick each.
    with CaptureQueriesContext(connection) as follow_four:
        assert len(engine.tick(at(24, 15, 0)).raised) == 24  # all follow-ups; A5 is due at 15:10
    with CaptureQueriesContext(connection) as follow_none:
        engine.tick(at(24, 15, 1))
    assert len(follow_four.captured_queries) <= one
    assert len(follow_none.captured_queries) <= 7  # two claims and the heartbeat (plus savepoints)


def test_step_record_of_another_step_is_unaffected(chain_a, people):
    engine.tick(at(23, 10, 1))
    assert step(chain_a, "A2").state == "due"
