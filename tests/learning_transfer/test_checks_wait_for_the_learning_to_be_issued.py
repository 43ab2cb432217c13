"""A2, A3 and A4 check what the matched services did with the learning. Found: with A1 deciding that
mandatory learning was needed and the learning never issued, the operations director's A3 page read
"Overdue — record it now" and offered figures as if the learning had gone out (every service "without
a lead"), which a record would have judged as a breach of the services, not of the issue.

Until the learning is issued, those checks' figures are not final: the page says the learning has not
been issued, recording asks "record it now anyway", and the timeline says it was recorded before."""

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
ANYWAY = "record_anyway"
NOT_ISSUED = "the learning has not been issued yet"
AFTER_A3 = CONFIRMED + timedelta(hours=5)  # 15:00, after A3's 13:14


def _form(step, now):
    values = compute(step, now).values
    return {k: v for k, v in values.items() if not isinstance(v, dict)} | {"check_done": CHECK_DONE}


@pytest.mark.parametrize("code", ["A2", "A3", "A4"])
def test_before_the_learning_is_issued_every_figure_of_its_checks_waits_for_it(log_falls_trigger, code):
    trigger = log_falls_trigger()
    step = chain.region_step_runs(trigger, code)[0]
    figures = compute(step, AFTER_A3)
    computed = {k for k, v in figures.values.items() if not isinstance(v, dict)}
    assert computed  # each of these checks has figures the system gives
    assert set(figures.not_final) >= computed
    assert all(NOT_ISSUED in reason for reason in figures.not_final.values())


def test_the_operations_director_is_told_and_asked_before_recording(
    client, sign_in, log_falls_trigger, operations_director
):
    trigger = log_falls_trigger()
    step = chain.step_run(trigger, "A3")
    with time_machine.travel(AFTER_A3, tick=False):
        sign_in(operations_director)
        page = client.get(step.get_absolute_url()).text
        assert "The learning has not been issued yet" in page
        # Said once, however many of the check's figures wait for it.
        assert page.count("Not final yet: the learning has not been issued yet") == 1
        response = client.post(step.get_absolute_url(), _form(step, AFTER_A3))
        assert response.status_code == 200
        assert NOT_ISSUED in response.context["form"].errors[ANYWAY][0]
        assert not StepRecord.objects.filter(step_run=step).exists()

        response = client.post(step.get_absolute_url(), _form(step, AFTER_A3) | {ANYWAY: "on"})
        assert response.status_code == 302
        assert NOT_ISSUED in step.events.latest("at").message


def test_once_the_learning_is_issued_nothing_waits_for_it(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    step = chain.step_run(trigger, "A3")
    figures = compute(step, AFTER_A3)
    assert not any(NOT_ISSUED in reason for reason in figures.not_final.values())
    assert figures.values["services_without_lead"] == 4  # nobody has confirmed a lead yet


def test_a_check_recorded_before_the_issue_says_so_to_everyone(
    client, sign_in, log_falls_trigger, operations_director, nominated_individual
):
    """Found: once the operations director ticked "Record it now anyway", the trigger's timeline read
    "A3 Recorded" to everyone else, as if the check were done."""
    trigger = log_falls_trigger()
    step = chain.step_run(trigger, "A3")
    with time_machine.travel(AFTER_A3, tick=False):
        chain.record(
            trigger,
            "A3",
            by=operations_director,
            values=compute(step, AFTER_A3).values,
            now=AFTER_A3,
            check_done=CHECK_DONE,
        )
        sign_in(nominated_individual)
        timeline = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
        step_page = client.get(step.get_absolute_url()).text
    assert "before the learning was issued: to record again" in timeline
    assert "Recorded before the learning was issued" in step_page
    assert "Record this check again once the learning is issued" in step_page
