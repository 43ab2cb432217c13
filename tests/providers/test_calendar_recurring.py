"""Stories for the recurring deadline forms (each working day, each shift) and the JSON rule dispatcher,
each with a hand-worked expected London time. Calendar facts are listed in test_calendar.py.
No function here reads the clock, so no time travel is needed.
"""

from datetime import time, timedelta

import pytest

from providers.calendar import (
    Shift,
    deadline_for,
    describe_deadline_rule,
    is_recurring,
    recurring_deadlines_for,
    validate_deadline_rule,
)

from .calendar_helpers import (
    BST,
    CAL,
    EARLY,
    GMT,
    LATE,
    NIGHT,
    assert_all_london,
    assert_london,
    elapsed,
    london,
)

# --- each working day -----------------------------------------------------------------------------


def test_by_1416_each_working_day_after_deployment_over_christmas():
    result = CAL.each_working_day(london(2026, 12, 23, 9, 0), time(14, 16), london(2026, 12, 30, 23, 59))
    assert_all_london(
        result,
        [
            london(2026, 12, 23, 14, 16),
            london(2026, 12, 24, 14, 16),
            london(2026, 12, 29, 14, 16),
            london(2026, 12, 30, 14, 16),
        ],
    )


def test_each_working_day_starts_tomorrow_when_deployed_after_the_clock_time():
    result = CAL.each_working_day(london(2026, 12, 23, 15, 0), time(14, 16), london(2026, 12, 29, 14, 16))
    # until is inclusive
    assert_all_london(result, [london(2026, 12, 24, 14, 16), london(2026, 12, 29, 14, 16)])


def test_each_working_day_over_easter_and_the_2027_clock_change():
    result = CAL.each_working_day(london(2027, 3, 24, 16, 0), time(14, 16), london(2027, 4, 1, 14, 15))
    assert_all_london(
        result, [london(2027, 3, 25, 14, 16), london(2027, 3, 30, 14, 16), london(2027, 3, 31, 14, 16)]
    )
    assert [d.utcoffset() for d in result] == [GMT, BST, BST]


def test_each_working_day_from_a_weekend_and_with_until_before_start():
    assert_all_london(
        CAL.each_working_day(london(2026, 6, 13, 9, 0), time(14, 16), london(2026, 6, 16, 9, 0)),
        [london(2026, 6, 15, 14, 16)],
    )
    assert CAL.each_working_day(london(2026, 6, 13, 9, 0), time(14, 16), london(2026, 6, 12, 9, 0)) == []


# --- shifts ---------------------------------------------------------------------------------------


def test_a_night_shift_crosses_midnight():
    result = CAL.shift_occurrences(NIGHT, london(2026, 6, 8, 0, 0), london(2026, 6, 10, 0, 0))
    assert len(result) == 2
    assert_london(result[0][0], london(2026, 6, 8, 21, 30))
    assert_london(result[0][1], london(2026, 6, 9, 7, 30))
    assert_london(result[1][0], london(2026, 6, 9, 21, 30))
    assert all(elapsed(s, e) == timedelta(hours=10) for s, e in result)


def test_care_never_stops_shifts_run_on_christmas_day_and_weekends():
    starts = [
        s for s, _ in CAL.shift_occurrences(EARLY, london(2026, 12, 24, 7, 0), london(2026, 12, 27, 7, 0))
    ]
    # Both bounds are inclusive.
    assert_all_london(starts, [london(2026, 12, d, 7, 0) for d in (24, 25, 26, 27)])


def test_the_spring_night_shift_is_nine_hours_and_the_autumn_one_eleven():
    (spring,) = CAL.shift_occurrences(NIGHT, london(2026, 3, 28, 12, 0), london(2026, 3, 28, 23, 0))
    assert_london(spring[0], london(2026, 3, 28, 21, 30))
    assert_london(spring[1], london(2026, 3, 29, 7, 30))
    assert elapsed(*spring) == timedelta(hours=9)
    (autumn,) = CAL.shift_occurrences(NIGHT, london(2026, 10, 24, 12, 0), london(2026, 10, 24, 23, 0))
    assert_london(autumn[1], london(2026, 10, 25, 7, 30))
    assert elapsed(*autumn) == timedelta(hours=11)


def test_a_shift_starting_in_the_missing_hour_starts_when_the_clock_has_jumped():
    small_hours = Shift("small hours", time(1, 30), time(5, 0))
    ((start, end),) = CAL.shift_occurrences(
        small_hours, london(2026, 3, 29, 0, 0), london(2026, 3, 29, 12, 0)
    )
    assert_london(start, london(2026, 3, 29, 2, 30))
    assert elapsed(start, end) == timedelta(hours=2, minutes=30)
    # In autumn 01:30 happens twice; the shift starts at the first (BST) one.
    ((start, end),) = CAL.shift_occurrences(
        small_hours, london(2026, 10, 25, 0, 0), london(2026, 10, 25, 12, 0)
    )
    assert start.utcoffset() == BST
    assert elapsed(start, end) == timedelta(hours=4, minutes=30)


def test_within_the_first_four_hours_of_each_late_shift():
    result = CAL.each_shift(LATE, london(2026, 6, 8, 0, 0), london(2026, 6, 10, 0, 0), 4)
    assert_all_london(result, [london(2026, 6, 8, 18, 0), london(2026, 6, 9, 18, 0)])


def test_within_the_first_hours_of_night_shifts_on_clock_change_nights():
    (spring,) = CAL.each_shift(NIGHT, london(2026, 3, 28, 12, 0), london(2026, 3, 28, 23, 0), 4)
    assert_london(spring, london(2026, 3, 29, 2, 30))
    (first_pass,) = CAL.each_shift(NIGHT, london(2026, 10, 24, 12, 0), london(2026, 10, 24, 23, 0), 4)
    assert_london(first_pass, london(2026, 10, 25, 1, 30, fold=0))
    (second_pass,) = CAL.each_shift(NIGHT, london(2026, 10, 24, 12, 0), london(2026, 10, 24, 23, 0), 5)
    assert_london(second_pass, london(2026, 10, 25, 1, 30, fold=1))


def test_before_2018_each_late_shift():
    result = CAL.before_clock_each_shift(
        LATE, london(2026, 6, 8, 0, 0), london(2026, 6, 10, 0, 0), time(20, 18)
    )
    assert_all_london(result, [london(2026, 6, 8, 20, 18), london(2026, 6, 9, 20, 18)])


def test_before_a_clock_time_in_a_night_shift_falls_on_the_right_calendar_day():
    window = (london(2026, 12, 24, 12, 0), london(2026, 12, 24, 23, 0))
    assert_all_london(CAL.before_clock_each_shift(NIGHT, *window, time(6, 0)), [london(2026, 12, 25, 6, 0)])
    assert_all_london(CAL.before_clock_each_shift(NIGHT, *window, time(23, 0)), [london(2026, 12, 24, 23, 0)])
    autumn = CAL.before_clock_each_shift(
        NIGHT, london(2026, 10, 24, 12, 0), london(2026, 10, 24, 23, 0), time(1, 30)
    )
    assert_all_london(autumn, [london(2026, 10, 25, 1, 30, fold=0)])


def test_a_clock_time_outside_the_shift_is_refused():
    with pytest.raises(ValueError, match="not within the late shift"):
        CAL.before_clock_each_shift(LATE, london(2026, 6, 8), london(2026, 6, 10), time(23, 0))


# --- the JSON rule dispatcher ---------------------------------------------------------------------

CHRISTMAS_EVE_4PM = london(2026, 12, 24, 16, 0)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "working_hours_after", "hours": 2}, london(2026, 12, 29, 10, 0)),
        (
            {"kind": "clock_on_working_day", "time": "10:18", "working_days_after": 0},
            london(2026, 12, 29, 10, 18),
        ),
        ({"kind": "clock_on_working_day", "time": "10:18"}, london(2026, 12, 29, 10, 18)),
        (
            {"kind": "clock_on_working_day", "time": "15:10", "working_days_after": 1},
            london(2026, 12, 29, 15, 10),
        ),
        (
            {"kind": "clock_on_working_day", "time": "09:36", "working_days_after": 3},
            london(2026, 12, 31, 9, 36),
        ),
        ({"kind": "elapsed_hours_after", "hours": 30}, london(2026, 12, 25, 22, 0)),
        ({"kind": "immediately"}, CHRISTMAS_EVE_4PM),
    ],
)
def test_deadline_for_one_off_rules_on_christmas_eve(rule, expected):
    assert_london(deadline_for(rule, CHRISTMAS_EVE_4PM, CAL), expected)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "working_days_before", "days": 5}, london(2026, 12, 29, 17, 0)),
        ({"kind": "elapsed_hours_before", "hours": 28}, london(2027, 1, 5, 5, 0)),
        ({"kind": "clock_on_working_day_before", "time": "16:10"}, london(2027, 1, 5, 16, 10)),
    ],
)
def test_deadline_for_rules_before_an_issue_on_6_january_2027(rule, expected):
    assert_london(deadline_for(rule, london(2027, 1, 6, 9, 0), CAL), expected)


def test_deadline_for_refuses_recurring_rules():
    with pytest.raises(ValueError, match="recurring"):
        deadline_for({"kind": "each_working_day", "time": "14:16"}, CHRISTMAS_EVE_4PM, CAL)


def test_recurring_deadlines_for_each_working_day_and_one_off_rules():
    rule = {"kind": "each_working_day", "time": "14:16"}
    result = recurring_deadlines_for(rule, london(2026, 12, 24, 9, 0), london(2026, 12, 29, 23, 0), CAL)
    assert_all_london(result, [london(2026, 12, 24, 14, 16), london(2026, 12, 29, 14, 16)])
    one_off = recurring_deadlines_for(
        {"kind": "working_hours_after", "hours": 2}, CHRISTMAS_EVE_4PM, CHRISTMAS_EVE_4PM, CAL
    )
    assert_all_london(one_off, [london(2026, 12, 29, 10, 0)])


def test_each_shift_merges_every_shift_in_time_order():
    rule = {"kind": "each_shift", "within_hours": 4}
    result = recurring_deadlines_for(
        rule, london(2026, 6, 8, 0, 0), london(2026, 6, 8, 23, 0), CAL, [NIGHT, LATE, EARLY]
    )
    assert_all_london(
        result, [london(2026, 6, 8, 11, 0), london(2026, 6, 8, 18, 0), london(2026, 6, 9, 1, 30)]
    )
    assert recurring_deadlines_for(rule, london(2026, 6, 8), london(2026, 6, 9), CAL, []) == []


def test_each_shift_sorts_by_instant_through_the_repeated_autumn_hour():
    # 22:15 BST + 4 h is 01:15 GMT (second pass); 21:30 BST + 4 h is 01:30 BST (first pass), which is earlier.
    later = Shift("twilight", time(22, 15), time(6, 0))
    rule = {"kind": "each_shift", "within_hours": 4}
    result = recurring_deadlines_for(
        rule, london(2026, 10, 24, 12, 0), london(2026, 10, 24, 23, 0), CAL, [later, NIGHT]
    )
    assert_all_london(result, [london(2026, 10, 25, 1, 30, fold=0), london(2026, 10, 25, 1, 15, fold=1)])


def test_each_shift_before_picks_the_named_shift_case_insensitively():
    rule = {"kind": "each_shift_before", "shift": "LATE", "time": "20:18"}
    result = recurring_deadlines_for(
        rule, london(2026, 6, 8), london(2026, 6, 9, 23, 0), CAL, [EARLY, LATE, NIGHT]
    )
    assert_all_london(result, [london(2026, 6, 8, 20, 18), london(2026, 6, 9, 20, 18)])
    with pytest.raises(ValueError, match="No shift named 'twilight'"):
        recurring_deadlines_for(
            {**rule, "shift": "twilight"}, london(2026, 6, 8), london(2026, 6, 9), CAL, [LATE]
        )


def test_is_recurring():
    assert is_recurring({"kind": "each_working_day", "time": "14:16"})
    assert is_recurring({"kind": "each_shift", "within_hours": 4})
    assert is_recurring({"kind": "each_shift_before", "shift": "late", "time": "20:18"})
    assert not is_recurring({"kind": "immediately"})
    assert not is_recurring({"kind": "working_days_before", "days": 5})


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (["kind", "immediately"], "JSON object"),
        ({}, "needs a 'kind'"),
        ({"kind": "fortnightly"}, "Unknown deadline kind 'fortnightly'"),
        ({"kind": None}, "Unknown deadline kind"),
        ({"kind": "working_hours_after"}, "missing 'hours'"),
        ({"kind": "each_shift_before", "shift": "late"}, "missing 'time'"),
        ({"kind": "elapsed_hours_after", "hours": -1}, "from 0 to"),
        ({"kind": "elapsed_hours_after", "hours": 10_001}, "from 0 to 10000"),
        ({"kind": "working_hours_after", "hours": "2"}, "number of hours"),
        ({"kind": "working_hours_after", "hours": None}, "number of hours"),
        ({"kind": "working_hours_after", "hours": True}, "number of hours"),
        ({"kind": "working_hours_after", "hours": float("nan")}, "number of hours"),
        ({"kind": "each_shift", "within_hours": float("inf")}, "number of hours"),
        ({"kind": "working_days_before", "days": -5}, "whole number from 1"),
        ({"kind": "working_days_before", "days": 0}, "whole number from 1"),
        ({"kind": "working_days_before", "days": 2.5}, "whole number"),
        ({"kind": "working_days_before", "days": "5"}, "whole number"),
        ({"kind": "clock_on_working_day", "time": "10:18", "working_days_after": -1}, "whole number from 0"),
        ({"kind": "clock_on_working_day", "time": "9:36"}, "HH:MM"),
        ({"kind": "clock_on_working_day", "time": "24:00"}, "HH:MM"),
        ({"kind": "clock_on_working_day", "time": "10:60"}, "HH:MM"),
        ({"kind": "clock_on_working_day", "time": "10.18"}, "HH:MM"),
        ({"kind": "clock_on_working_day", "time": "10:18:00"}, "HH:MM"),
        ({"kind": "each_working_day", "time": 1018}, "HH:MM"),
        ({"kind": "each_shift_before", "shift": "", "time": "20:18"}, "shift name"),
        ({"kind": "immediately", "hours": 2}, "does not take 'hours'"),
        ({"kind": "working_hours_after", "hours": 2, "hour": 3}, "does not take 'hour'"),
    ],
)
def test_validate_deadline_rule_explains_what_is_wrong(rule, message):
    with pytest.raises(ValueError, match=message):
        validate_deadline_rule(rule)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"kind": "working_hours_after", "hours": 2}, "2 working hours after the start"),
        ({"kind": "working_hours_after", "hours": 1}, "1 working hour after the start"),
        ({"kind": "working_hours_after", "hours": 1.5}, "1.5 working hours after the start"),
        (
            {"kind": "clock_on_working_day", "time": "10:18", "working_days_after": 0},
            "10:18 on the same working day",
        ),
        ({"kind": "clock_on_working_day", "time": "10:18"}, "10:18 on the same working day"),
        (
            {"kind": "clock_on_working_day", "time": "15:10", "working_days_after": 1},
            "15:10 on the following working day",
        ),
        (
            {"kind": "clock_on_working_day", "time": "09:36", "working_days_after": 3},
            "09:36 on the 3rd working day after",
        ),
        (
            {"kind": "clock_on_working_day", "time": "09:36", "working_days_after": 11},
            "09:36 on the 11th working day after",
        ),
        ({"kind": "elapsed_hours_after", "hours": 30}, "30 hours after the start"),
        ({"kind": "working_days_before", "days": 5}, "5 working days before the event"),
        ({"kind": "working_days_before", "days": 1}, "1 working day before the event"),
        ({"kind": "elapsed_hours_before", "hours": 28}, "28 hours before the event"),
        (
            {"kind": "clock_on_working_day_before", "time": "16:10"},
            "16:10 on the working day before the event",
        ),
        ({"kind": "each_shift", "within_hours": 4}, "within the first 4 hours of each shift"),
        ({"kind": "each_shift", "within_hours": 1}, "within the first hour of each shift"),
        ({"kind": "each_shift_before", "shift": "late", "time": "20:18"}, "before 20:18 each late shift"),
        ({"kind": "each_working_day", "time": "14:16"}, "14:16 each working day"),
        ({"kind": "immediately"}, "immediately"),
    ],
)
def test_describe_deadline_rule_in_plain_english(rule, text):
    validate_deadline_rule(rule)
    assert describe_deadline_rule(rule) == text
