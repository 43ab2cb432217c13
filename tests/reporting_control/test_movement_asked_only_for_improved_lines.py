"""C2 (the check of the figures behind each claim) asks for movement from baseline only for the lines
presented as improved. A tester recording C2 for an update with no such line had to type "Line 2 = 0"
to get past: the field was required whatever the update claimed."""

import pytest
from django.utils import timezone

from escalation.computations import compute
from escalation.models import StepRecord
from providers.choices import Role
from reporting_control import chain, services
from reporting_control.choices import LineKind, LineState
from tests.factories import CHECK_DONE, person_with_role

from .conftest import verify

pytestmark = pytest.mark.django_db

NOT_ASKED = "Not asked: no line of this update claims an improvement"


@pytest.fixture
def analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


def _c2(update):
    return chain.CASES.step_run_in_force(update, chain.FIGURES_STEP, timezone.now())


def _post_data(step, **extra):
    """The system's figures as the form shows them, and what the analyst checked."""
    figures = compute(step).values
    data = {key: value for key, value in figures.items() if not isinstance(value, dict)}
    return {"pct_completing_in_time": 95, "incident_rate_7d": 0.4} | data | {"check_done": CHECK_DONE} | extra


def _improvement_line(update, by, service):
    return services.add_line(
        update,
        by=by,
        claim=f"Falls at {service.name} fell after the new night round.",
        kind=LineKind.IMPROVEMENT,
        services=[service],
    )


@pytest.fixture
def improved(client, sign_in, analyst, compliance_manager, update_with_a_line, birch_match, birch_lodge):
    """Birch Lodge verified; line 1 names it, line 2 claims an improvement there; the analyst signed in
    on C2's page. Returns (update, C2's step run, line 2)."""
    verify(birch_match)
    update = update_with_a_line()  # line 1: named-service
    line = _improvement_line(update, compliance_manager, birch_lodge)  # line 2: improvement
    sign_in(analyst)
    return update, _c2(update), line


def test_no_improvement_claimed_means_no_movement_asked(
    client, sign_in, analyst, update_with_a_line, birch_match
):
    verify(birch_match)
    update = update_with_a_line()  # one named-service line, no improvement claimed
    step = _c2(update)
    sign_in(analyst)

    page = client.get(step.get_absolute_url()).text
    assert NOT_ASKED in page
    assert 'name="movement_from_baseline_pct"' not in page

    response = client.post(step.get_absolute_url(), _post_data(step))
    assert response.status_code == 302, response.text
    record = StepRecord.objects.get(step_run=step)
    assert record.values["movement_from_baseline_pct"] == {}


def test_movement_is_asked_only_for_the_lines_presented_as_improved(client, improved):
    _, step, _ = improved

    page = client.get(step.get_absolute_url()).text
    assert NOT_ASKED not in page
    assert "for each of: Line 2 —" in page
    assert "Line 1," not in page

    left_blank = client.post(step.get_absolute_url(), _post_data(step))
    assert left_blank.status_code == 200
    assert "Enter movement from baseline" in left_blank.text

    wrong_line = client.post(
        step.get_absolute_url(), _post_data(step, movement_from_baseline_pct="Line 1 = 4")
    )
    assert wrong_line.status_code == 200
    assert "Line 2 is presented as improved: enter its movement from baseline" in wrong_line.text
    assert not StepRecord.objects.filter(step_run=step).exists()

    response = client.post(
        step.get_absolute_url(), _post_data(step, movement_from_baseline_pct="Line 2 = -12")
    )
    assert response.status_code == 302, response.text
    assert StepRecord.objects.get(step_run=step).values["movement_from_baseline_pct"] == {"Line 2": -12}


def test_a_recording_without_the_page_is_refused_too(
    analyst, compliance_manager, update_with_a_line, birch_lodge
):
    update = update_with_a_line()
    _improvement_line(update, compliance_manager, birch_lodge)
    with pytest.raises(Exception, match="Line 2 is presented as improved"):
        chain.record_computed(
            update,
            chain.FIGURES_STEP,
            by=analyst,
            check_done=CHECK_DONE,
            entered={"pct_completing_in_time": 95, "incident_rate_7d": 0.4, "movement_from_baseline_pct": {}},
        )


def test_the_page_says_which_way_is_better(client, improved):
    """Found: nothing said that a positive movement means the claim improved, and the error's own example
    was "Line 2 = -12", which the check then read as going against the claim: an analyst typed a 12 %
    fall in falls as -12 and release was blocked, and a 12 % rise typed as 12 counted as support."""
    _, step, _ = improved
    page = client.get(step.get_absolute_url()).text
    assert "Better than the baseline is above 0: falls down 12 % on the baseline is 12" in page
    left_out = client.post(step.get_absolute_url(), _post_data(step, movement_from_baseline_pct="Line 1 = 4"))
    assert "(for example, Line 2 = 12)" in left_out.text


def test_recording_the_figures_judges_the_improved_lines_again(client, improved):
    """Found: after C2 was recorded, an improved line still said "Its improvement has not been checked
    against the figures (C2) yet" beside the movement C2 had just recorded, until someone pressed
    "Check the evidence"."""
    _, step, line = improved
    assert "has not been checked against the figures (C2) yet" in line.evidence_note
    client.post(step.get_absolute_url(), _post_data(step, movement_from_baseline_pct="Line 2 = 12"))

    line.refresh_from_db()
    assert "has not been checked against the figures" not in line.evidence_note
    assert line.state == LineState.EVIDENCED
