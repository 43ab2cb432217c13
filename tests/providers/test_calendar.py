"""Stories for the deadline forms of providers.calendar, each with a hand-worked expected London time.

Calendar facts used below (checked against the holidays package in the first tests):
* 2026: Christmas Day Fri 25 Dec, Boxing Day Sat 26 Dec, substitute bank holiday Mon 28 Dec.
* 2027: New Year's Day Fri 1 Jan; Good Friday 26 Mar; Easter Monday 29 Mar; clocks go forward Sun 28 Mar.
* 2026 clock changes: forward Sun 29 Mar 01:00 GMT, back Sun 25 Oct 02:00 BST.
No function here reads the clock, so no time travel is needed.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest

from providers.calendar import Shift, WorkingHours

from .calendar_helpers import BST, CAL, GMT, MON_SAT, assert_london, london

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


def test_clock_times_across_the_autumn_clock_change_are_in_winter_time():
    # Friday 23 October 2026 after 10:18 (BST): the same-day deadline rolls to Monday 26th, after the
    # clocks went back on Sunday 25th, so it is 10:18 GMT; 15:10 on the following working day likewise.
    same_day = CAL.clock_time_on_working_day(london(2026, 10, 23, 11, 0), time(10, 18))
    assert_london(same_day, london(2026, 10, 26, 10, 18))
    assert same_day.utcoffset() == GMT
    following = CAL.clock_time_on_working_day(london(2026, 10, 23, 9, 30), time(15, 10), 1)
    assert_london(following, london(2026, 10, 26, 15, 10))
    assert following.utcoffset() == GMT


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
