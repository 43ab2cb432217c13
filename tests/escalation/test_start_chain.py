"""Starting a case snapshots the provider's steps with deadlines from the working-time calendar."""

import pytest
from django.core.exceptions import ValidationError

from escalation import services
from escalation.models import ChainRun, StepRun

from .conftest import at, step

pytestmark = pytest.mark.django_db


def due(run):
    return {(s.code, s.occurrence): s.due_at for s in run.step_runs.all()}


def test_chain_a_from_a_failure_confirmed_late_on_friday(chain_a):
    assert due(chain_a) == {
        ("A1", 1): at(23, 10),  # an hour on Friday, an hour on Monday
        ("A2", 1): at(23, 10, 18),  # each step at its clock time after the one before
        ("A3", 1): at(23, 13, 14),
        ("A4", 1): at(23, 16, 6),
        ("A5", 1): at(24, 15, 10),
    }
    a1 = step(chain_a, "A1")
    assert (a1.role, a1.escalate_to, a1.state) == ("quality_director", "operations_director", "due")
    assert a1.measures[0]["name"] == "matched_services"


def test_a_failure_confirmed_before_opening_on_monday_moves_a2_to_tuesday(
    chains, provider, elm_house, subject
):
    run = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(23, 8), service=elm_house
    )
    assert due(run) == {
        ("A1", 1): at(23, 11),  # 2 working hours from 09:00
        ("A2", 1): at(24, 10, 18),  # Monday's 10:18 is not after A1
        ("A3", 1): at(24, 13, 14),
        ("A4", 1): at(24, 16, 6),
        ("A5", 1): at(25, 15, 10),
    }


def test_chain_b_makes_one_step_run_per_shift_and_working_day(chains, provider, elm_house, shifts, subject):
    run = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    assert run.until == at(30, 17)  # the close of the 5th working day after the anchor
    b2 = [s.due_at for s in run.step_runs.filter(code="B2").order_by("occurrence")]
    assert b2 == [at(d, 14, 16) for d in (23, 24, 25, 26, 27, 30)]
    b4 = [s.due_at for s in run.step_runs.filter(code="B4").order_by("occurrence")]
    # Every late shift starting by the end of the schedule, weekends included (Monday 30th's too).
    assert b4[0] == at(23, 20, 18) and b4[-1] == at(30, 20, 18) and len(b4) == 8
    b1 = run.step_runs.filter(code="B1")
    assert b1.first().due_at == at(23, 18)  # the first shift starting after 09:00 is the late shift
    assert b1.count() == 3 * 7 + 1  # early, late and night each day, plus Monday 30th's early shift
    assert step(run, "B3").due_at == at(24, 15)  # 30 elapsed hours
    assert step(run, "B5").due_at == at(26, 9, 36)  # third working day


def test_chain_c_counts_back_from_the_issue_through_its_preparation_window(chains, provider, subject):
    issue = at(4, 10, month=12)  # Friday 4 December
    run = services.start_chain("C", provider=provider, subject=subject("December update"), anchor_at=issue)
    assert step(run, "C1").due_at == at(27, 17)  # close of the 5th working day before
    c2 = [s.due_at for s in run.step_runs.filter(code="C2").order_by("occurrence")]
    assert c2 == [at(27, 12, 12), at(30, 12, 12), at(1, 12, 12, 12), at(2, 12, 12, 12), at(3, 12, 12, 12)]
    # 28 hours before is Thursday 06:00: back to Wednesday's close. C3 is due no later than C4.
    assert step(run, "C4").due_at == at(2, 17, month=12)
    assert step(run, "C3").due_at == at(2, 17, month=12)
    assert step(run, "C5").due_at == at(3, 16, 10, month=12)


def test_starting_twice_returns_the_same_case(chain_a, provider, elm_house):
    subject = chain_a.subject
    again = services.start_chain(
        "A", provider=provider, subject=subject, anchor_at=at(24, 9), service=elm_house
    )
    assert again.pk == chain_a.pk
    assert ChainRun.objects.count() == 1 and StepRun.objects.count() == 5
    assert services.chain_run_for(subject, "A") == chain_a
    assert services.chain_run_for(subject, "B") is None


def test_a_shift_step_needs_the_service_shifts(chains, provider, elm_house, subject):
    with pytest.raises(ValidationError, match="B1 is due each shift, but Elm House has no shift patterns"):
        services.start_chain(
            "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
        )
    assert not ChainRun.objects.exists()


def test_unknown_chain_and_naive_anchor_are_refused(chains, provider, subject):
    with pytest.raises(ValidationError, match="Chain 'D' is not loaded"):
        services.start_chain("D", provider=provider, subject=subject(), anchor_at=at(23, 9))
    with pytest.raises(ValidationError, match="timezone-aware"):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(23, 9).replace(tzinfo=None)
        )


def test_the_service_must_belong_to_the_provider(chains, provider, other_provider_service, subject):
    with pytest.raises(ValidationError, match="same|belong"):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(23, 9), service=other_provider_service
        )
