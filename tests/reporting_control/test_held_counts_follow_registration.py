"""Which step holds a line count to the update's lines is said once, where the count is registered
(`held_on`): the form offering no reason box and the chain refusing another figure read the same
registration, so they cannot drift apart (a step held by one and not the other would either ask a
reason that never helps, or let a typed-over count through)."""

import dataclasses

import pytest
from django.utils import timezone

from escalation import computations
from reporting_control import chain
from reporting_control.computations import line_count_problems

from . import test_sign_off_figures as sign_off

pytestmark = pytest.mark.django_db
four_lines = sign_off.four_lines  # an update of four lines: C5 counts 4 residual defects

DEFECTS = "residual_evidence_defects"  # the computation of C5's "residual_defects"


@pytest.fixture
def held_on(monkeypatch):
    """Register the defects count as held on the given steps instead."""

    def hold(*codes):
        registered = computations.registry.get(DEFECTS)
        monkeypatch.setitem(
            computations.registry._computations, DEFECTS, dataclasses.replace(registered, held_on=codes)
        )

    return hold


def test_the_sign_off_refuses_a_typed_over_count_because_it_is_registered_held(four_lines):
    c5 = chain.step_run(four_lines, "C5")
    assert computations.compute(c5).held == {
        "lines_challenge_cleared",
        "residual_defects",
        "deferred_sections",
    }
    assert "residual_defects" in line_count_problems(c5, {"residual_defects": 0}, timezone.now())


def test_a_count_not_registered_held_on_the_sign_off_is_not_held_there(four_lines, held_on):
    held_on()  # nowhere
    c5 = chain.step_run(four_lines, "C5")
    assert "residual_defects" not in computations.compute(c5).held
    assert line_count_problems(c5, {"residual_defects": 0}, timezone.now()) == {}
