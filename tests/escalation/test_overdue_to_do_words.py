"""An overdue step's escalation says what to do in a plain sentence: the step's name quoted, its code
after it, never "Get Check … recorded"."""

import pytest

from escalation import engine

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_to_do_of_an_overdue_step_reads_as_a_sentence(chain_a, people):
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    assert a2.action == (
        "Make sure “Check every service received the learning” (A2) is recorded without delay. "
        "If it breaches its threshold: Trigger same-day redistribution of the learning notice."
    )
    assert "Get " not in a2.action
