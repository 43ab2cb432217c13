"""The steps of a chain never fall due out of order: hand-worked timelines from the chains as loaded.

Chain A: A1 is 2 working hours after confirmation; A2, A3 and A4 fall at 10:18, 13:14 and 16:06 on the
working day the step before falls due, or the next working day when that time is not after it; A5 is
15:10 on the working day after A4's. Chain C, counted back from the issue: C5 16:10 on the working day
before; C4 28 hours before, moved back into working time and never after C5; C3 no later than C4; C1
at the close of the 5th working day before.

Default working hours (Monday to Friday 09:00-17:00). 2026: Christmas Friday 25 December, Boxing Day's
substitute Monday 28th. 2027: Good Friday 26 March, Easter Monday 29 March, clocks forward on the 28th.
"""

import json

import pytest
from django.core.exceptions import ValidationError

from escalation.loading import read_fixture
from escalation.scheduling import one_off_deadlines
from providers.calendar import WorkingCalendar
from tests.providers.calendar_helpers import london

CALENDAR = WorkingCalendar()
STEPS = {chain["code"]: chain["steps"] for chain in read_fixture()}


def timeline(chain: str, anchor) -> dict:
    """Each one-off step's deadline as a London wall time, e.g. {"A1": "Tue 24 Nov 2026 13:00"}."""
    deadlines = one_off_deadlines(STEPS[chain], anchor, CALENDAR)
    return {code: f"{due:%a %d %b %Y %H:%M %Z}" for code, due in sorted(deadlines.items())}


# --- chain A: counted forward from the confirmation ----------------------------------------------


def test_confirmed_tuesday_1100_every_later_step_moves_to_wednesday():
    # Counted from the confirmation alone, A2 was Wednesday 10:18 but A3 and A4 Tuesday, before A2.
    assert timeline("A", london(2026, 11, 24, 11, 0)) == {
        "A1": "Tue 24 Nov 2026 13:00 GMT",
        "A2": "Wed 25 Nov 2026 10:18 GMT",
        "A3": "Wed 25 Nov 2026 13:14 GMT",
        "A4": "Wed 25 Nov 2026 16:06 GMT",
        "A5": "Thu 26 Nov 2026 15:10 GMT",
    }


def test_confirmed_tuesday_1530_a4_no_longer_falls_before_a1():
    assert timeline("A", london(2026, 11, 24, 15, 30)) == {
        "A1": "Wed 25 Nov 2026 09:30 GMT",  # 1.5 working hours on Tuesday, 0.5 on Wednesday
        "A2": "Wed 25 Nov 2026 10:18 GMT",
        "A3": "Wed 25 Nov 2026 13:14 GMT",
        "A4": "Wed 25 Nov 2026 16:06 GMT",
        "A5": "Thu 26 Nov 2026 15:10 GMT",
    }


def test_confirmed_on_a_saturday_a2_follows_a1_on_tuesday():
    assert timeline("A", london(2026, 11, 28, 10, 0)) == {
        "A1": "Mon 30 Nov 2026 11:00 GMT",  # counting starts at Monday's opening
        "A2": "Tue 01 Dec 2026 10:18 GMT",  # Monday's 10:18 is before A1
        "A3": "Tue 01 Dec 2026 13:14 GMT",
        "A4": "Tue 01 Dec 2026 16:06 GMT",
        "A5": "Wed 02 Dec 2026 15:10 GMT",
    }


def test_a1_due_exactly_at_1018_puts_a2_on_the_next_working_day():
    # Confirmed Monday 16:18: 42 minutes on Monday and 78 on Tuesday make A1 Tuesday 10:18.
    assert timeline("A", london(2026, 11, 23, 16, 18)) == {
        "A1": "Tue 24 Nov 2026 10:18 GMT",
        "A2": "Wed 25 Nov 2026 10:18 GMT",  # "not after" A1, so the next working day
        "A3": "Wed 25 Nov 2026 13:14 GMT",
        "A4": "Wed 25 Nov 2026 16:06 GMT",
        "A5": "Thu 26 Nov 2026 15:10 GMT",
    }


def test_a_failure_confirmed_late_on_monday_keeps_a2_to_a4_on_tuesday():
    assert timeline("A", london(2026, 11, 23, 16, 0)) == {
        "A1": "Tue 24 Nov 2026 10:00 GMT",
        "A2": "Tue 24 Nov 2026 10:18 GMT",  # A1 is due before 10:18, so the same working day
        "A3": "Tue 24 Nov 2026 13:14 GMT",
        "A4": "Tue 24 Nov 2026 16:06 GMT",
        "A5": "Wed 25 Nov 2026 15:10 GMT",
    }


def test_christmas_eve_afternoon_the_chain_resumes_after_boxing_days_substitute():
    assert timeline("A", london(2026, 12, 24, 15, 0)) == {
        "A1": "Thu 24 Dec 2026 17:00 GMT",  # exactly at closing
        "A2": "Tue 29 Dec 2026 10:18 GMT",
        "A3": "Tue 29 Dec 2026 13:14 GMT",
        "A4": "Tue 29 Dec 2026 16:06 GMT",
        "A5": "Wed 30 Dec 2026 15:10 GMT",
    }


def test_a5_on_the_working_day_after_a4_skips_christmas():
    assert timeline("A", london(2026, 12, 23, 16, 0)) == {
        "A1": "Thu 24 Dec 2026 10:00 GMT",
        "A2": "Thu 24 Dec 2026 10:18 GMT",
        "A3": "Thu 24 Dec 2026 13:14 GMT",
        "A4": "Thu 24 Dec 2026 16:06 GMT",
        "A5": "Tue 29 Dec 2026 15:10 GMT",
    }


def test_easter_2027_and_the_spring_clock_change():
    assert timeline("A", london(2027, 3, 25, 14, 0)) == {
        "A1": "Thu 25 Mar 2027 16:00 GMT",
        "A2": "Tue 30 Mar 2027 10:18 BST",  # after Good Friday, the weekend and Easter Monday
        "A3": "Tue 30 Mar 2027 13:14 BST",
        "A4": "Tue 30 Mar 2027 16:06 BST",
        "A5": "Wed 31 Mar 2027 15:10 BST",
    }


def test_the_autumn_clock_change_weekend():
    assert timeline("A", london(2026, 10, 23, 16, 30)) == {
        "A1": "Mon 26 Oct 2026 10:30 GMT",  # half an hour in summer time on Friday, 1.5 h on Monday
        "A2": "Tue 27 Oct 2026 10:18 GMT",
        "A3": "Tue 27 Oct 2026 13:14 GMT",
        "A4": "Tue 27 Oct 2026 16:06 GMT",
        "A5": "Wed 28 Oct 2026 15:10 GMT",
    }


# --- chain C: counted back from the issue ---------------------------------------------------------


def test_a_monday_0900_issue_c4_and_c3_come_back_from_sunday_to_c5():
    # 28 hours before is Sunday 05:00: back to Friday's close, and no later than C5 at 16:10.
    assert timeline("C", london(2026, 11, 30, 9, 0)) == {
        "C1": "Mon 23 Nov 2026 17:00 GMT",
        "C3": "Fri 27 Nov 2026 16:10 GMT",
        "C4": "Fri 27 Nov 2026 16:10 GMT",
        "C5": "Fri 27 Nov 2026 16:10 GMT",
    }


def test_a_wednesday_afternoon_issue_keeps_c4_at_28_hours_before():
    assert timeline("C", london(2026, 12, 2, 15, 0)) == {
        "C1": "Wed 25 Nov 2026 17:00 GMT",
        "C3": "Tue 01 Dec 2026 11:00 GMT",  # no later than C4
        "C4": "Tue 01 Dec 2026 11:00 GMT",  # in working time already
        "C5": "Tue 01 Dec 2026 16:10 GMT",
    }


def test_a_friday_morning_issue_moves_c4_from_before_thursdays_opening_to_wednesdays_close():
    assert timeline("C", london(2026, 12, 4, 10, 0)) == {
        "C1": "Fri 27 Nov 2026 17:00 GMT",
        "C3": "Wed 02 Dec 2026 17:00 GMT",
        "C4": "Wed 02 Dec 2026 17:00 GMT",  # Thursday 06:00 is before opening: Wednesday's close
        "C5": "Thu 03 Dec 2026 16:10 GMT",
    }


def test_a_saturday_issue():
    assert timeline("C", london(2026, 12, 5, 10, 0)) == {
        "C1": "Mon 30 Nov 2026 17:00 GMT",
        "C3": "Thu 03 Dec 2026 17:00 GMT",
        "C4": "Thu 03 Dec 2026 17:00 GMT",  # Friday 06:00 → Thursday's close, before C5
        "C5": "Fri 04 Dec 2026 16:10 GMT",
    }


def test_an_issue_the_day_after_easter_monday_2027():
    assert timeline("C", london(2027, 3, 30, 9, 0)) == {
        "C1": "Fri 19 Mar 2027 17:00 GMT",
        "C3": "Thu 25 Mar 2027 16:10 GMT",
        "C4": "Thu 25 Mar 2027 16:10 GMT",  # Easter Monday 05:00 → Thursday's close → C5
        "C5": "Thu 25 Mar 2027 16:10 GMT",  # before Good Friday
    }


def test_an_issue_the_day_after_christmas_boxing_day_substitute():
    assert timeline("C", london(2026, 12, 29, 9, 0)) == {
        "C1": "Fri 18 Dec 2026 17:00 GMT",
        "C3": "Thu 24 Dec 2026 16:10 GMT",
        "C4": "Thu 24 Dec 2026 16:10 GMT",
        "C5": "Thu 24 Dec 2026 16:10 GMT",
    }


def test_an_issue_after_the_autumn_clock_change_counts_real_hours():
    # Monday 12:00 GMT less 28 real hours is Sunday 08:00 GMT; back to Friday's close in summer time.
    assert timeline("C", london(2026, 10, 26, 12, 0)) == {
        "C1": "Mon 19 Oct 2026 17:00 BST",
        "C3": "Fri 23 Oct 2026 16:10 BST",
        "C4": "Fri 23 Oct 2026 16:10 BST",
        "C5": "Fri 23 Oct 2026 16:10 BST",
    }


# --- the links are checked when the chains are loaded ---------------------------------------------


def test_a_fixture_linking_a_step_outside_its_chain_is_refused(tmp_path):
    chains = read_fixture()
    [a2] = [s for s in chains[0]["steps"] if s["code"] == "A2"]
    a2["deadline_rule"]["after_step"] = "C5"
    broken = tmp_path / "chains.json"
    broken.write_text(json.dumps({"chains": chains}), encoding="utf-8")
    with pytest.raises(ValueError, match="A2's deadline depends on 'C5', which is not a one-off step"):
        read_fixture(broken)


def test_a_case_whose_steps_link_in_a_circle_is_not_started():
    steps = [
        {"code": "A1", "deadline_rule": {"kind": "working_hours_after", "hours": 2, "after_step": "A2"}},
        {
            "code": "A2",
            "deadline_rule": {"kind": "clock_on_working_day", "time": "10:18", "after_step": "A1"},
        },
    ]
    with pytest.raises(ValidationError, match="A1, A2 depend on each other in a circle"):
        one_off_deadlines(steps, london(2026, 11, 24, 11, 0), CALENDAR)
