"""A2 judges "% of matched services receiving the notice within 4 hours". Found: with notices issued at
04:27 and their window closing at 08:27, the governance officer could record A2 at 04:36 on the
system's 0 %: a breach was raised and the quality director told to send the learning again, though no
notice was late. While a receipt window is still open the figure is not final: the form says so beside
it and asks "record it now anyway"; once every window has closed nothing is asked."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.computations import compute
from escalation.models import StepRecord
from learning_transfer import chain
from learning_transfer.services import issue_notices
from tests.factories import CHECK_DONE

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # 10:30; every window closes at 14:30
ANYWAY = "record_anyway"


@pytest.fixture
def issued(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger


def _a2(trigger):
    return chain.CASES.step_run(trigger, "A2")


def _form(step, now):
    values = compute(step, now).values
    return {k: v for k, v in values.items() if not isinstance(v, dict)} | {"check_done": CHECK_DONE}


def test_inside_the_window_the_figure_is_not_final_and_recording_asks_first(
    client, sign_in, issued, governance_officer
):
    step = _a2(issued)
    at = ISSUED + timedelta(minutes=9)
    with time_machine.travel(at, tick=False):
        figures = compute(step, at)
        assert "pct_received_within_4h" in figures.not_final
        sign_in(governance_officer)
        page = client.get(step.get_absolute_url()).text
        assert "Not final yet" in page
        assert "14:30" in page  # when the last window closes
        response = client.post(step.get_absolute_url(), _form(step, at))
        assert response.status_code == 200
        assert "Record it now anyway" in response.context["form"].errors[ANYWAY][0]
        assert not StepRecord.objects.filter(step_run=step).exists()

        response = client.post(step.get_absolute_url(), _form(step, at) | {ANYWAY: "on"})
        assert response.status_code == 302
        event = step.events.latest("at")
        assert "not final" in event.message
        # 0 % received is a breach: whoever is told of it (tester 17: mailed "send it again today") is
        # told the figure was not final, and why.
        breach = step.escalations.get(kind="breach")
        assert "It was recorded with figures not final (a notice's 4-hour receipt window is open until" in (
            breach.reason
        )


def test_once_every_window_has_closed_nothing_is_asked(client, sign_in, issued, governance_officer):
    step = _a2(issued)
    at = ISSUED + timedelta(hours=4, minutes=1)
    with time_machine.travel(at, tick=False):
        assert compute(step, at).not_final == {}
        sign_in(governance_officer)
        response = client.get(reverse("escalation:step_run", args=[step.pk]))
        assert ANYWAY not in response.context["form"].fields
        assert "Not final yet" not in response.text


def test_the_step_page_says_the_deadline_as_the_timeline_does(client, sign_in, issued, governance_officer):
    """Found: A2's page read "Due Tue 8 Dec 2026, 10:18 (by 10:18 on the same working day)" beside a
    date the day after; the trigger's timeline says which day it means."""
    step = _a2(issued)
    sign_in(governance_officer)
    page = client.get(step.get_absolute_url()).text
    assert f"({step.due_words})" in page
    assert "the working day the step before it is due" in step.due_words
    assert "on the same working day)" not in page
