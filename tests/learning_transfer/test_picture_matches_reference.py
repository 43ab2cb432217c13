"""A trigger's picture reads its notices and lines by the trigger and lists them per matched service:
on generated triggers sharing services (notices redistributed, lines open and done), each service's
notices, current notice, receipt, lines and figures are what reading each service's own gives."""

import random
from datetime import timedelta

import pytest

from learning_transfer.models import ImplementationLine, LearningNotice, LearningTrigger, MatchedService
from learning_transfer.services import measures
from learning_transfer.services.notices import refresh_notice_figures
from providers.choices import RiskTag
from tests.factories import ServiceFactory

from .conftest import CONFIRMED, TESTS_START
from .receipt_reference import received_in_time

pytestmark = pytest.mark.django_db
WINDOW_HOURS = 4


def generated_triggers(provider, region, by, seed: int) -> list[LearningTrigger]:
    """Three triggers over the same ten services: random rounds of notices (earlier rounds superseded),
    acknowledgements early or late or none, and open or completed lines due around now."""
    rng = random.Random(seed)
    services = [ServiceFactory(region=region, name=f"Home {n}") for n in range(10)]
    triggers = []
    for t in range(3):
        trigger = LearningTrigger.objects.create(
            provider=provider,
            title=f"Fall {seed}-{t}",
            source_service=services[t],
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=CONFIRMED,
            logged_by=by,
        )
        for service in rng.sample(services, 7):
            match = MatchedService.objects.create(
                trigger=trigger, service=service, included=rng.random() < 0.8
            )
            issued = CONFIRMED + timedelta(hours=rng.randint(1, 30))
            rounds = rng.randint(0, 3)
            for round_ in range(1, rounds + 1):
                LearningNotice.objects.create(
                    matched_service=match,
                    round=round_,
                    issued_at=issued,
                    issued_by=by,
                    owner=by if rng.random() < 0.7 else None,
                    due_at=issued + timedelta(hours=72) if rng.random() < 0.8 else None,
                    acknowledged_at=issued + timedelta(hours=rng.randint(1, 9))
                    if rng.random() < 0.5
                    else None,
                    superseded_at=issued + timedelta(hours=10) if round_ < rounds else None,
                )
                issued += timedelta(hours=10)
            for n in range(rng.randint(0, 3)):
                ImplementationLine.objects.create(
                    service=service,
                    matched_service=match,
                    task=f"Task {n}",
                    due_at=TESTS_START + timedelta(hours=rng.randint(-48, 48)),
                    completed_at=TESTS_START if rng.random() < 0.4 else None,
                    created_by=by,
                )
        # Notices written directly, as a bulk loader would: such a writer keeps the matches' receipt
        # figures current with the one function every service path calls.
        refresh_notice_figures(trigger.matches.values_list("pk", flat=True))
        triggers.append(trigger)
    return triggers


def acknowledged(rng) -> bool:
    return rng.random() < 0.5


def reference_row(match: MatchedService) -> dict:
    """One service as reading its own notices and lines gives it."""
    notices = list(match.notices.order_by("round"))
    lines = list(match.lines.all())
    return {
        "notices": [n.pk for n in notices],
        "current": next((n.pk for n in notices if n.superseded_at is None), None),
        "received": received_in_time([(n.issued_at, n.acknowledged_at) for n in notices], WINDOW_HOURS),
        "lines": sorted(line.pk for line in lines),
        "open_lines": sum(1 for line in lines if line.completed_at is None),
    }


def picture_row(row: measures.ServiceRow) -> dict:
    return {
        "notices": [n.pk for n in row.notices],
        "current": row.current.pk if row.current else None,
        "received": row.received_in_time,
        "lines": sorted(line.pk for line in row.lines),
        "open_lines": row.open_lines,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_service_of_the_picture_is_what_its_own_rows_give(provider, north, quality_director, seed):
    for trigger in generated_triggers(provider, north, quality_director, seed):
        pic = measures.picture(trigger, TESTS_START, WINDOW_HOURS)
        rows = pic.included + pic.left_out
        matches = trigger.matches.order_by("service__name")
        assert [r.match.pk for r in pic.included] == [m.pk for m in matches if m.included]
        assert [r.match.pk for r in pic.left_out] == [m.pk for m in matches if not m.included]
        assert {r.match.pk: picture_row(r) for r in rows} == {m.pk: reference_row(m) for m in matches}
        tasks_due = sum(
            1
            for m in matches
            if m.included
            for line in m.lines.all()
            if line.completed_at is None and TESTS_START < line.due_at <= TESTS_START + timedelta(hours=24)
        )
        assert measures.local_tasks_due(pic, 24) == tasks_due
