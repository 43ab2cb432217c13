"""B1 compares each shift's care-record completion with the baseline set when the learning was deployed.
The service lead whose shift is measured cannot set their own pass mark: the check form shows the
deployment's baseline read-only, and a baseline posted with the check is not the one judged."""

import pytest
from django.urls import reverse

from adoption import chain
from escalation import computations
from escalation import services as engine
from escalation.forms import StepRecordForm
from escalation.models import Escalation, StepRecord
from tests.factories import CHECK_DONE, TeamFactory

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

BASELINE = "record_completion_pct__baseline"


@pytest.fixture
def first_b1(match, people, time_machine):
    """Learning live at Elm House from 09:00 on Monday 23 November with a 78 % completion baseline; the
    late shift's first check (due 18:00) is open, and it is now 17:00."""
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9), baseline_completion_pct=78)
    time_machine.move_to(at(23, 17), tick=False)
    return chain.run_for(deployment).step_runs.get(code="B1", occurrence=1)


def b1_form(**changes) -> dict:
    return {
        "record_completion_pct": "80",
        "responses_over_10_min": "1",
        "repeat_errors_3_interactions": "0",
        "check_done": "The late shift's records against the handover sheet.",
    } | changes


def test_a_baseline_posted_with_the_check_is_not_the_one_judged(first_b1, people, client, sign_in):
    sign_in(people.service_improvement_lead)
    client.post(reverse("escalation:step_run", args=[first_b1.pk]), b1_form(**{BASELINE: "70"}))
    record = StepRecord.objects.get(step_run=first_b1)
    # 78 to 80 is +2 points, below the 5 B1 asks for: a breach, whatever baseline was posted.
    assert record.values[BASELINE] == 78
    assert record.breached
    assert "78 to 80" in record.explanation
    assert Escalation.objects.filter(step_run=first_b1, kind="breach").exists()


def test_the_check_form_shows_the_deployments_baseline_read_only(first_b1, people, client, sign_in):
    sign_in(people.service_improvement_lead)
    page = client.get(reverse("escalation:step_run", args=[first_b1.pk])).text
    assert f'name="{BASELINE}"' not in page
    assert "78 %" in page
    assert "set at deployment on Mon 23 Nov 2026, 09:00 by" in page


def test_where_no_record_fixes_the_baseline_it_is_entered_with_the_check(
    chains, provider, elm_house, shifts, people
):
    # A case about something that keeps no baseline: nothing computes one, so the checker enters it.
    run = engine.start_chain(
        "B", provider=provider, subject=TeamFactory(service=elm_house), anchor_at=at(23, 9), service=elm_house
    )
    b1 = run.step_runs.get(code="B1", occurrence=1)
    form = StepRecordForm(b1, figures=computations.compute(b1, at(23, 17)))
    assert BASELINE in form.fields and not form.fixed_rows
    values = {"record_completion_pct": 80, "responses_over_10_min": 1, "repeat_errors_3_interactions": 0}
    record = engine.record_step(
        b1,
        by=people.service_improvement_lead,
        values=values | {BASELINE: 70},
        now=at(23, 17),
        check_done=CHECK_DONE,
    )
    assert record.values[BASELINE] == 70 and not record.breached
