"""Stories for the deadline forms that keep a chain's steps in order: a clock time strictly after an
earlier deadline, a moment moved back into working time, and rules linked to other steps' deadlines.
Calendar facts are listed in test_calendar.py; every expected time is worked out by hand.
"""

from datetime import time

import pytest

from providers.calendar import (
    chain_deadlines,
    deadline_for,
    describe_deadline_rule,
    one_off_order,
    validate_deadline_rule,
)

from .calendar_helpers import BST, CAL, GMT, MON_SAT, assert_london, london

# --- a clock time strictly after an earlier deadline ---------------------------------------------


def test_a_clock_time_equal_to_the_earlier_deadline_rolls_to_the_next_working_day():
    at_1018 = london(2026, 6, 10, 10, 18)  # Wednesday
    assert_london(CAL.clock_time_on_working_day(at_1018, time(10, 18)), at_1018)  # the plain form keeps it
    assert_london(
        CAL.clock_time_on_working_day(at_1018, time(10, 18), strictly_after=True), london(2026, 6, 11, 10, 18)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 10, 10, 17), time(10, 18), strictly_after=True),
        london(2026, 6, 10, 10, 18),
    )


def test_strictly_after_rolls_a_friday_deadline_over_the_weekend_and_christmas():
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 12, 16, 6), time(16, 6), strictly_after=True),
        london(2026, 6, 15, 16, 6),
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 12, 24, 17, 0), time(10, 18), strictly_after=True),
        london(2026, 12, 29, 10, 18),
    )


# --- back into working time ----------------------------------------------------------------------


def test_a_moment_in_working_time_or_exactly_at_closing_stays_where_it_is():
    for moment in (london(2026, 6, 10, 9, 0), london(2026, 6, 10, 13, 14), london(2026, 6, 10, 17, 0)):
        assert_london(CAL.back_into_working_time(moment), moment)


def test_after_closing_moves_back_to_that_days_close():
    assert_london(CAL.back_into_working_time(london(2026, 6, 10, 21, 30)), london(2026, 6, 10, 17, 0))


def test_before_opening_moves_back_to_the_previous_working_days_close():
    assert_london(CAL.back_into_working_time(london(2026, 6, 10, 6, 0)), london(2026, 6, 9, 17, 0))
    assert_london(CAL.back_into_working_time(london(2026, 6, 15, 8, 59)), london(2026, 6, 12, 17, 0))


def test_weekends_christmas_and_easter_move_back_to_the_last_working_day():
    assert_london(CAL.back_into_working_time(london(2026, 6, 14, 5, 0)), london(2026, 6, 12, 17, 0))
    # Christmas 2026: Friday 25th, Saturday 26th and Monday 28th (Boxing Day's substitute) are not worked.
    assert_london(CAL.back_into_working_time(london(2026, 12, 28, 12, 0)), london(2026, 12, 24, 17, 0))
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March, the clocks going forward in between.
    easter = CAL.back_into_working_time(london(2027, 3, 29, 5, 0))
    assert_london(easter, london(2027, 3, 25, 17, 0))
    assert easter.utcoffset() == GMT


def test_back_into_working_time_across_the_autumn_clock_change_keeps_summer_time():
    friday = CAL.back_into_working_time(london(2026, 10, 25, 1, 30, fold=1))  # the second 01:30 (GMT)
    assert_london(friday, london(2026, 10, 23, 17, 0))
    assert friday.utcoffset() == BST


def test_back_into_working_time_follows_the_providers_own_week():
    assert_london(MON_SAT.back_into_working_time(london(2026, 6, 14, 5, 0)), london(2026, 6, 13, 18, 0))


# --- rules linked to other steps ------------------------------------------------------------------

A_RULES = {
    "A1": {"kind": "working_hours_after", "hours": 2},
    "A2": {"kind": "clock_on_working_day", "time": "10:18", "after_step": "A1"},
    "A5": {"kind": "clock_on_working_day", "time": "15:10", "working_days_after": 1, "after_step": "A2"},
}
C_RULES = {
    "C1": {"kind": "working_days_before", "days": 5},
    "C2": {"kind": "each_working_day", "time": "12:12"},
    "C3": {"kind": "working_days_before", "days": 1, "not_after_step": "C4"},
    "C4": {
        "kind": "elapsed_hours_before",
        "hours": 28,
        "back_into_working_time": True,
        "not_after_step": "C5",
    },
    "C5": {"kind": "clock_on_working_day_before", "time": "16:10"},
}


def test_a_step_after_another_counts_from_its_deadline():
    due = chain_deadlines(A_RULES, london(2026, 6, 9, 11, 0), CAL)  # Tuesday 11:00
    assert_london(due["A1"], london(2026, 6, 9, 13, 0))
    assert_london(due["A2"], london(2026, 6, 10, 10, 18))  # Tuesday's 10:18 is before A1
    assert_london(due["A5"], london(2026, 6, 11, 15, 10))


def test_a_step_capped_by_a_later_one_is_computed_after_it_whatever_the_listing_order():
    assert one_off_order(C_RULES) == ["C1", "C5", "C4", "C3"]  # C2 recurs, so it has no single deadline
    due = chain_deadlines(C_RULES, london(2026, 6, 10, 15, 0), CAL)  # issue Wednesday 15:00
    assert_london(due["C4"], london(2026, 6, 9, 11, 0))  # 28 hours before, in working time
    assert_london(due["C3"], london(2026, 6, 9, 11, 0))  # no later than C4
    assert_london(due["C5"], london(2026, 6, 9, 16, 10))


def test_a_linked_rule_alone_asks_for_the_chain():
    with pytest.raises(ValueError, match="depends on A1; compute it with chain_deadlines"):
        deadline_for(A_RULES["A2"], london(2026, 6, 9, 11, 0), CAL)
    linked = deadline_for(A_RULES["A2"], london(2026, 6, 1), CAL, {"A1": london(2026, 6, 9, 10, 0)})
    assert_london(linked, london(2026, 6, 9, 10, 18))  # counted from A1, not from the anchor


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"A2": A_RULES["A2"]},
            "A2's deadline depends on 'A1', which is not a one-off step of the same chain",
        ),
        (
            {"C2": C_RULES["C2"], "C3": {"kind": "working_days_before", "days": 1, "not_after_step": "C2"}},
            "C3's deadline depends on 'C2', which is not a one-off step",
        ),
        (
            {
                "X1": {"kind": "working_hours_after", "hours": 1, "after_step": "X2"},
                "X2": {"kind": "working_hours_after", "hours": 1, "after_step": "X1"},
            },
            "The deadlines of X1, X2 depend on each other in a circle",
        ),
    ],
)
def test_links_to_unknown_or_recurring_steps_and_circles_are_refused(rules, message):
    with pytest.raises(ValueError, match=message):
        one_off_order(rules)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "working_days_before", "days": 1, "after_step": "C4"}, "does not take 'after_step'"),
        (
            {"kind": "each_working_day", "time": "12:12", "not_after_step": "C4"},
            "does not take 'not_after_step'",
        ),
        ({"kind": "each_shift", "within_hours": 4, "back_into_working_time": True}, "does not take"),
        ({"kind": "working_hours_after", "hours": 2, "after_step": ""}, "code of another step"),
        ({"kind": "working_hours_after", "hours": 2, "after_step": 1}, "code of another step"),
        ({"kind": "elapsed_hours_before", "hours": 28, "back_into_working_time": "yes"}, "true or false"),
    ],
)
def test_link_fields_are_checked(rule, message):
    with pytest.raises(ValueError, match=message):
        validate_deadline_rule(rule)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            A_RULES["A2"],
            "10:18 on the working day A1 falls due, or the next working day when A1 falls due at 10:18 "
            "or later",
        ),
        (A_RULES["A5"], "15:10 on the working day after A2's"),
        (
            {"kind": "clock_on_working_day", "time": "09:36", "working_days_after": 3, "after_step": "B3"},
            "09:36 on the 3rd working day after B3's",
        ),
        (
            {"kind": "working_hours_after", "hours": 2, "after_step": "A1"},
            "2 working hours after A1's deadline",
        ),
        (C_RULES["C3"], "1 working day before the event, no later than C4"),
        (C_RULES["C4"], "28 hours before the event, moved back into working time, no later than C5"),
    ],
)
def test_linked_rules_in_plain_english(rule, text):
    assert describe_deadline_rule(rule) == text
