"""Tester 16 (L4): a check recorded within threshold read "Recorded — no action needed" at the top of its
page, while the same page listed escalations from it still open ("Late — acknowledge it now"). Someone
reading the phone screen took "no action needed". While an escalation from the step is open, its tag
says so; once none is, it reads as before."""

import pytest
import time_machine

from escalation import engine, services
from tests.factories import CHECK_DONE

from .conftest import at, step
from .test_overdue_step import A1_VALUES

pytestmark = pytest.mark.django_db
STILL_OPEN = "Recorded — escalations from it are still open"


def tag(page: str) -> str:
    return page.split("</h1>", 1)[1].split("</strong>", 1)[0].rsplit(">", 1)[1]


def test_the_tag_says_escalations_are_still_open_until_they_are_resolved(client, sign_in, chain_a, people):
    [overdue] = engine.tick(at(23, 10, 1)).overdue
    services.acknowledge(
        overdue, by=people.operations_director, now=at(23, 10, 30)
    )  # taken up: it stays open
    a1 = step(chain_a, "A1")
    services.record_step(
        a1, by=people.quality_director, values=A1_VALUES, now=at(23, 11), check_done=CHECK_DONE
    )
    with time_machine.travel(at(23, 11, 5), tick=False):
        sign_in(people.operations_director)
        assert tag(client.get(a1.get_absolute_url()).text) == STILL_OPEN

        services.record_action(
            overdue, by=people.operations_director, action_taken="Asked for A1: done at 11:00."
        )
        services.resolve(overdue, by=people.operations_director)
        assert tag(client.get(a1.get_absolute_url()).text) == "Recorded — no action needed"
