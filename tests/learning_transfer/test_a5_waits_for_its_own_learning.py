"""Tester 17 (H1): the Nominated Individual recorded A5 of a trigger two days before it fell due: the
trigger's own three high-risk matched services had no verified action, but A5 counts a trigger's
services only once its board check falls due, so it read "Within threshold. 0 high-risk matched services
still lacking verified action": the board's word on exactly the services it was meant to judge.

Before it falls due, A5's figure of high-risk services lacking action is not final while its own
learning's high-risk services lack verified action: the page says so, recording asks "record it now
anyway", and the timeline says it was recorded with figures not final."""

from datetime import timedelta

import pytest
import time_machine

from escalation.computations import compute
from escalation.models import StepRecord
from learning_transfer import chain
from learning_transfer.services import issue_notices

from .conftest import CONFIRMED
from .test_checks_wait_for_the_learning_to_be_issued import ANYWAY, _form
from .test_executive_summary import verify

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
EARLY = ISSUED + timedelta(hours=2)  # A5 falls due days later
OWN = "2 high-risk matched services of this learning (Ash Grove and Dove Cottage) lack verified action"


@pytest.fixture
def issued(log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger


def test_early_its_own_services_make_the_figure_not_final(issued):
    figures = compute(chain.step_run(issued, "A5"), EARLY)
    assert figures.values["high_risk_lacking_action"] == 0  # not counted before the check falls due
    assert OWN in figures.not_final["high_risk_lacking_action"]


def a5_form(step) -> dict:
    # No implementation is due yet, so no confirmation rate can be computed: the person enters one.
    return _form(step, EARLY) | {"avg_confirmation_rate": "100"}


def test_the_nominated_individual_is_asked_before_recording_it_early(
    client, sign_in, issued, nominated_individual
):
    step = chain.step_run(issued, "A5")
    with time_machine.travel(EARLY, tick=False):
        sign_in(nominated_individual)
        page = client.get(step.get_absolute_url()).text
        assert f"Not final yet: {OWN}" in page
        response = client.post(step.get_absolute_url(), a5_form(step))
        assert response.status_code == 200
        assert OWN in response.context["form"].errors[ANYWAY][0]
        assert not StepRecord.objects.filter(step_run=step).exists()

        response = client.post(step.get_absolute_url(), a5_form(step) | {ANYWAY: "on"})
        assert response.status_code == 302
        assert "with figures not final" in step.events.latest("at").message
        # Tester 18 (M2): its page and the summary read "within threshold" as if final.
        page = client.get(step.get_absolute_url()).text
        assert "Recorded before its figures were final" in page.split("</h1>", 1)[1].split("</p>", 1)[0]
        assert f"It was recorded with figures not final ({OWN}" in page
        summary = client.get("/learning/summary/?period=all").text
        assert "within threshold, recorded with figures not final" in summary


def test_once_its_services_are_verified_nothing_waits(issued, managers, operations_director):
    for name, key in (("Ash Grove", "ash"), ("Dove Cottage", "dove")):
        verify(issued, name, managers[key], operations_director)
    figures = compute(chain.step_run(issued, "A5"), EARLY)
    assert "high_risk_lacking_action" not in figures.not_final


def test_once_it_falls_due_the_figure_counts_them_and_is_final(issued):
    step = chain.step_run(issued, "A5")
    figures = compute(step, step.due_at + timedelta(minutes=1))
    assert figures.values["high_risk_lacking_action"] == 2
    assert "high_risk_lacking_action" not in figures.not_final


def test_before_the_learning_is_issued_the_figure_waits_for_it(log_falls_trigger):
    """Tester 18 (M1): before the learning was issued, A5 counted none of its high-risk services (only
    learning issued counts), read "0" and asked nothing, while the trigger's page said 3."""
    trigger = log_falls_trigger()
    figures = compute(chain.step_run(trigger, "A5"), EARLY)
    assert "the learning has not been issued yet" in figures.not_final["high_risk_lacking_action"]
