"""Stories for the deadline forms of providers.calendar, each with a hand-worked expected London time.

Calendar facts used below (checked against the holidays package in the first tests):
* 2026: Christmas Day Fri 25 Dec, Boxing Day Sat 26 Dec, substitute bank holiday Mon 28 Dec.
* 2027: New Year's Day Fri 1 Jan; Good Friday 26 Mar; Easter Monday 29 Mar; clocks go forward Sun 28 Mar.
* 2026 clock changes: forward Sun 29 Mar 01:00 GMT, back Sun 25 Oct 02:00 BST.
No function here reads the clock, so no time travel is needed.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest

from providers.calendar import (
    LONDON,
    Shift,
    WorkingCalendar,
    WorkingHours,
    deadline_for,
    describe_deadline_rule,
    is_recurring,
    recurring_deadlines_for,
    validate_deadline_rule,
)

CAL = WorkingCalendar()  # Monday to Friday, 09:00-17:00
MON_SAT = WorkingCalendar(WorkingHours(start=time(8, 0), end=time(18, 0), weekdays=frozenset(range(6))))
EARLY = Shift("early", time(7, 0), time(15, 0))
LATE = Shift("late", time(14, 0), time(22, 0))
NIGHT = Shift("night", time(21, 30), time(7, 30))
GMT, BST = timedelta(0), timedelta(hours=1)


def london(y, m, d, hh=0, mm=0, fold=0):
    """A Europe/London wall time (fold=1 picks the second 01:xx on the autumn clock change)."""
    return datetime(y, m, d, hh, mm, tzinfo=LONDON, fold=fold)


def assert_london(actual, expected):
    """Same instant, same wall clock, and expressed in Europe/London."""
    assert getattr(actual.tzinfo, "key", None) == "Europe/London", actual
    assert actual.astimezone(UTC) == expected.astimezone(UTC), (actual, expected)
    assert actual.utcoffset() == expected.utcoffset()
    assert actual.replace(tzinfo=None) == expected.replace(tzinfo=None)


def assert_all_london(actual, expected):
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        assert_london(got, want)


def elapsed(a, b):
    """Real time between two aware datetimes (same-zone subtraction would ignore the clock change)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


# --- the calendar itself --------------------------------------------------------------------------


def test_christmas_2026_friday_with_boxing_day_substitute_on_monday_28th():
    package = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert date(2026, 12, 25) in package and date(2026, 12, 28) in package
    assert date(2026, 12, 25).weekday() == 4
    assert CAL.is_bank_holiday(date(2026, 12, 25))
    assert CAL.is_bank_holiday(date(2026, 12, 28))
    assert not CAL.is_working_day(date(2026, 12, 28))
    assert CAL.is_working_day(date(2026, 12, 24)) and CAL.is_working_day(date(2026, 12, 29))
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert CAL.previous_working_day(date(2026, 12, 29)) == date(2026, 12, 24)


def test_easter_2027_good_friday_and_easter_monday():
    package = holidays.country_holidays("GB", subdiv="ENG", years=2027)
    assert date(2027, 3, 26) in package and date(2027, 3, 29) in package
    assert not CAL.is_working_day(date(2027, 3, 26))
    assert not CAL.is_working_day(date(2027, 3, 29))
    assert CAL.next_working_day(date(2027, 3, 25)) == date(2027, 3, 30)


def test_new_years_day_and_its_substitute_when_it_falls_on_a_saturday():
    assert CAL.is_bank_holiday(date(2027, 1, 1))
    assert CAL.is_bank_holiday(date(2028, 1, 3))  # 1 Jan 2028 is a Saturday
    assert CAL.working_day_on_or_after(date(2027, 12, 31)) == date(2027, 12, 31)
    assert CAL.working_day_on_or_after(date(2028, 1, 1)) == date(2028, 1, 4)


def test_a_datetime_passed_as_a_day_means_its_london_date():
    # 23:30 UTC on Thu 24 Dec 2026 is still Christmas Eve in London (GMT); an hour later it is Christmas Day.
    assert not CAL.is_bank_holiday(datetime(2026, 12, 24, 23, 30, tzinfo=UTC))
    assert CAL.is_bank_holiday(datetime(2026, 12, 25, 0, 30, tzinfo=UTC))
    assert not CAL.is_working_day(datetime(2026, 6, 12, 23, 30, tzinfo=UTC))  # 00:30 BST on Saturday


def test_weekends_are_not_working_days_unless_the_provider_works_saturdays():
    assert not CAL.is_working_day(date(2026, 6, 13))
    assert MON_SAT.is_working_day(date(2026, 6, 13))
    assert not MON_SAT.is_working_day(date(2026, 6, 14))
    # Saturday 26 Dec 2026 is Boxing Day itself, so even a Saturday-working provider is closed.
    assert not MON_SAT.is_working_day(date(2026, 12, 26))


def test_working_time_is_opening_inclusive_and_closing_exclusive_in_any_input_zone():
    assert CAL.is_working_time(london(2026, 6, 10, 9, 0))
    assert CAL.is_working_time(london(2026, 6, 10, 16, 59))
    assert not CAL.is_working_time(london(2026, 6, 10, 17, 0))
    assert not CAL.is_working_time(london(2026, 6, 10, 8, 59))
    assert not CAL.is_working_time(london(2026, 6, 13, 12, 0))  # Saturday
    assert not CAL.is_working_time(london(2026, 12, 28, 12, 0))  # substitute Boxing Day
    assert CAL.is_working_time(datetime(2026, 7, 1, 8, 30, tzinfo=UTC))  # 09:30 BST
    assert not CAL.is_working_time(datetime(2026, 1, 7, 8, 30, tzinfo=UTC))  # 08:30 GMT


def test_working_hours_reject_nonsense():
    with pytest.raises(ValueError, match="open before they close"):
        WorkingHours(start=time(17, 0), end=time(9, 0))
    with pytest.raises(ValueError, match="open before they close"):
        WorkingHours(start=time(9, 0), end=time(9, 0))
    with pytest.raises(ValueError, match="non-empty"):
        WorkingHours(weekdays=frozenset())
    with pytest.raises(ValueError, match="0 \\(Mon\\) to 6 \\(Sun\\)"):
        WorkingHours(weekdays=frozenset({1, 7}))
    with pytest.raises(ValueError, match="needs a name"):
        Shift(" ", time(7, 0), time(15, 0))
    assert WorkingHours(weekdays=[0, 2]).weekdays == frozenset({0, 2})


def test_naive_datetimes_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_hours(datetime(2026, 6, 10, 10, 0), 2)


# --- within N working hours -----------------------------------------------------------------------


def test_two_working_hours_inside_the_day():
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 10, 0), 2), london(2026, 6, 10, 12, 0))


def test_a_result_exactly_at_closing_stays_at_closing():
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 15, 0), 2), london(2026, 6, 10, 17, 0))
    # A full working week from Monday opening ends at Friday's close, not Monday morning.
    assert_london(CAL.add_working_hours(london(2026, 6, 8, 9, 0), 40), london(2026, 6, 12, 17, 0))


def test_working_hours_spill_into_the_next_morning():
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 16, 0), 2), london(2026, 6, 11, 10, 0))


def test_an_event_outside_working_hours_starts_counting_at_the_next_opening():
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 19, 45), 2), london(2026, 6, 11, 11, 0))
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 6, 0), 2), london(2026, 6, 10, 11, 0))
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 17, 0), 1), london(2026, 6, 11, 10, 0))


def test_a_weekend_event_counts_from_monday_opening():
    assert_london(CAL.add_working_hours(london(2026, 6, 13, 10, 0), 2), london(2026, 6, 15, 11, 0))


def test_working_hours_skip_christmas_boxing_day_substitute_and_new_year():
    # Thu 24 Dec 16:00: one hour that day, then Fri 25, weekend and Mon 28 Dec are all closed.
    assert_london(CAL.add_working_hours(london(2026, 12, 24, 16, 0), 2), london(2026, 12, 29, 10, 0))
    # Thu 31 Dec 16:30: half an hour, then Fri 1 Jan 2027 and the weekend.
    assert_london(CAL.add_working_hours(london(2026, 12, 31, 16, 30), 1), london(2027, 1, 4, 9, 30))


def test_working_hours_skip_easter_2027():
    # Thu 25 Mar 15:00: two hours, then Good Friday, weekend, Easter Monday; two more on Tuesday.
    assert_london(CAL.add_working_hours(london(2027, 3, 25, 15, 0), 4), london(2027, 3, 30, 11, 0))


def test_working_hours_across_both_clock_changes_count_wall_clock_working_days():
    assert_london(CAL.add_working_hours(london(2026, 3, 27, 16, 0), 3), london(2026, 3, 30, 11, 0))
    assert CAL.add_working_hours(london(2026, 3, 27, 16, 0), 3).utcoffset() == BST
    assert_london(CAL.add_working_hours(london(2026, 10, 23, 16, 0), 3), london(2026, 10, 26, 11, 0))
    assert CAL.add_working_hours(london(2026, 10, 23, 16, 0), 3).utcoffset() == GMT


def test_working_hours_accept_any_zone_and_fractional_hours():
    new_york = datetime(2026, 6, 10, 13, 0, tzinfo=ZoneInfo("America/New_York"))  # 18:00 in London
    assert_london(CAL.add_working_hours(new_york, 1), london(2026, 6, 11, 10, 0))
    assert_london(
        CAL.add_working_hours(london(2026, 6, 10, 16, 0), Decimal("1.5")), london(2026, 6, 11, 9, 30)
    )
    assert_london(CAL.add_working_hours(london(2026, 6, 10, 9, 0), 0.25), london(2026, 6, 10, 9, 15))


def test_zero_working_hours_is_the_start_itself_even_outside_working_time():
    saturday_utc = datetime(2026, 6, 13, 10, 0, tzinfo=UTC)
    assert_london(CAL.add_working_hours(saturday_utc, 0), london(2026, 6, 13, 11, 0))


def test_negative_or_non_numeric_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_hours(london(2026, 6, 10, 10, 0), -1)
    with pytest.raises(ValueError, match="number"):
        CAL.add_working_hours(london(2026, 6, 10, 10, 0), "2")
    with pytest.raises(ValueError, match="negative"):
        CAL.add_elapsed_hours(london(2026, 6, 10, 10, 0), -0.5)


def test_custom_monday_to_saturday_eight_to_six():
    assert_london(MON_SAT.add_working_hours(london(2026, 6, 12, 17, 0), 3), london(2026, 6, 13, 10, 0))
    # Christmas 2026 for a Saturday-working provider: 25, 26 (Boxing Day itself), Sunday, 28 all closed.
    assert_london(MON_SAT.add_working_hours(london(2026, 12, 24, 17, 0), 3), london(2026, 12, 29, 10, 0))


# --- a clock time on the same / following / Nth working day --------------------------------------


def test_by_1018_on_the_same_working_day():
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 10, 8, 0), time(10, 18)), london(2026, 6, 10, 10, 18)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 10, 10, 18), time(10, 18)), london(2026, 6, 10, 10, 18)
    )


def test_an_event_after_the_clock_time_rolls_to_the_next_working_day():
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 10, 11, 0), time(10, 18)), london(2026, 6, 11, 10, 18)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 12, 11, 0), time(10, 18)), london(2026, 6, 15, 10, 18)
    )


def test_weekend_and_bank_holiday_events_roll_forward():
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 13, 8, 0), time(10, 18)), london(2026, 6, 15, 10, 18)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 12, 24, 11, 0), time(10, 18)), london(2026, 12, 29, 10, 18)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 12, 28, 8, 0), time(10, 18)), london(2026, 12, 29, 10, 18)
    )


def test_at_1510_on_the_following_working_day():
    # Wednesday 16:00 is after 15:10, but "following working day" is still Thursday.
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 10, 16, 0), time(15, 10), 1),
        london(2026, 6, 11, 15, 10),
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 12, 9, 0), time(15, 10), 1), london(2026, 6, 15, 15, 10)
    )
    # A Saturday event is treated as Monday's, so the following working day is Tuesday.
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 6, 13, 9, 0), time(15, 10), 1), london(2026, 6, 16, 15, 10)
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 12, 31, 12, 0), time(15, 10), 1),
        london(2027, 1, 4, 15, 10),
    )
    assert_london(
        CAL.clock_time_on_working_day(london(2027, 3, 25, 12, 0), time(15, 10), 1),
        london(2027, 3, 30, 15, 10),
    )


def test_0936_on_the_third_working_day_after_implementation_starts():
    # Wed 23 Dec 2026: the 1st, 2nd and 3rd working days after are Thu 24, Tue 29 and Wed 30 Dec.
    assert_london(
        CAL.clock_time_on_working_day(london(2026, 12, 23, 14, 0), time(9, 36), 3),
        london(2026, 12, 30, 9, 36),
    )


def test_same_working_day_across_the_spring_clock_change_is_in_summer_time():
    result = CAL.clock_time_on_working_day(london(2026, 3, 27, 11, 0), time(10, 18))
    assert_london(result, london(2026, 3, 30, 10, 18))
    assert result.utcoffset() == BST


def test_custom_hours_make_saturday_the_next_working_day():
    assert_london(
        MON_SAT.clock_time_on_working_day(london(2026, 6, 12, 11, 0), time(10, 18)),
        london(2026, 6, 13, 10, 18),
    )


def test_negative_working_days_after_is_refused():
    with pytest.raises(ValueError, match="working_days_after"):
        CAL.clock_time_on_working_day(london(2026, 6, 10, 8, 0), time(10, 18), -1)


# --- within N elapsed hours -----------------------------------------------------------------------


def test_within_four_hours_is_plain_elapsed_time():
    assert_london(CAL.add_elapsed_hours(london(2026, 6, 10, 10, 0), 4), london(2026, 6, 10, 14, 0))


def test_elapsed_hours_ignore_weekends_and_bank_holidays():
    assert_london(CAL.add_elapsed_hours(london(2026, 12, 24, 20, 0), 30), london(2026, 12, 26, 2, 0))


def test_elapsed_hours_across_the_spring_clock_change_show_one_hour_more():
    assert_london(CAL.add_elapsed_hours(london(2026, 3, 28, 12, 0), 24), london(2026, 3, 29, 13, 0))
    assert_london(CAL.add_elapsed_hours(london(2026, 3, 28, 23, 0), 4), london(2026, 3, 29, 4, 0))


def test_elapsed_hours_across_the_autumn_clock_change_show_one_hour_less():
    assert_london(CAL.add_elapsed_hours(london(2026, 10, 24, 12, 0), 24), london(2026, 10, 25, 11, 0))
    assert_london(CAL.add_elapsed_hours(london(2026, 10, 23, 18, 0), 72), london(2026, 10, 26, 17, 0))
    # 00:30 BST + 1.5 h lands in the repeated hour, on its second (GMT) pass.
    result = CAL.add_elapsed_hours(london(2026, 10, 25, 0, 30), 1.5)
    assert_london(result, london(2026, 10, 25, 1, 0, fold=1))
    assert result.utcoffset() == GMT


# --- before a future event ------------------------------------------------------------------------


def test_five_working_days_before_issue_is_the_close_of_that_day():
    # Fri 19 June: Thu 18, Wed 17, Tue 16, Mon 15, Fri 12.
    assert_london(CAL.working_days_before(london(2026, 6, 19, 10, 0), 5), london(2026, 6, 12, 17, 0))


def test_working_days_before_skip_new_year_and_christmas():
    # Wed 6 Jan 2027: Tue 5, Mon 4, (Fri 1 Jan closed) Thu 31, Wed 30, Tue 29 Dec.
    assert_london(CAL.working_days_before(london(2027, 1, 6, 9, 0), 5), london(2026, 12, 29, 17, 0))


def test_working_days_before_skip_easter_2027():
    assert_london(CAL.working_days_before(london(2027, 3, 31, 9, 0), 2), london(2027, 3, 25, 17, 0))


def test_working_days_before_a_weekend_issue_and_across_the_autumn_change():
    assert_london(CAL.working_days_before(london(2026, 6, 14, 12, 0), 1), london(2026, 6, 12, 17, 0))
    result = CAL.working_days_before(london(2026, 10, 27, 9, 0), 3)
    assert_london(result, london(2026, 10, 22, 17, 0))
    assert result.utcoffset() == BST


def test_working_days_before_with_custom_hours_uses_their_closing_time():
    assert_london(MON_SAT.working_days_before(london(2026, 6, 15, 12, 0), 1), london(2026, 6, 13, 18, 0))


def test_zero_or_negative_working_days_before_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        CAL.working_days_before(london(2026, 6, 15, 12, 0), 0)
    with pytest.raises(ValueError, match="at least 1"):
        CAL.working_days_before(london(2026, 6, 15, 12, 0), -2)


def test_28_hours_before_issue():
    assert_london(CAL.elapsed_hours_before(london(2026, 6, 10, 12, 0), 28), london(2026, 6, 9, 8, 0))
    assert_london(CAL.elapsed_hours_before(london(2026, 12, 28, 10, 0), 28), london(2026, 12, 27, 6, 0))


def test_hours_before_across_the_clock_changes_are_real_hours():
    assert_london(CAL.elapsed_hours_before(london(2026, 3, 29, 12, 0), 28), london(2026, 3, 28, 7, 0))
    assert_london(CAL.elapsed_hours_before(london(2026, 10, 25, 12, 0), 28), london(2026, 10, 24, 9, 0))


def test_1610_on_the_working_day_before_issue():
    before = CAL.clock_time_on_working_day_before
    assert_london(before(london(2026, 6, 10, 9, 0), time(16, 10)), london(2026, 6, 9, 16, 10))
    assert_london(before(london(2026, 6, 15, 9, 0), time(16, 10)), london(2026, 6, 12, 16, 10))
    assert_london(before(london(2026, 12, 29, 9, 0), time(16, 10)), london(2026, 12, 24, 16, 10))
    assert_london(before(london(2027, 1, 4, 9, 0), time(16, 10)), london(2026, 12, 31, 16, 10))
    assert_london(before(london(2027, 3, 30, 9, 0), time(16, 10)), london(2027, 3, 25, 16, 10))
    spring = before(london(2026, 3, 30, 9, 0), time(16, 10))
    assert_london(spring, london(2026, 3, 27, 16, 10))
    assert spring.utcoffset() == GMT


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
