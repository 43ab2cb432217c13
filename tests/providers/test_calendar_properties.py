"""Property tests for providers.calendar, checked against a small independent reference.

The reference works day by day: for each calendar day it asks the holidays package directly whether the
day is a bank holiday, builds that day's opening interval in real (UTC) time, and sums overlaps. It
shares no code with the module under test.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import example, given, settings
from hypothesis import strategies as st

from providers.calendar import WorkingCalendar, WorkingHours

LONDON = ZoneInfo("Europe/London")
ONE_DAY = timedelta(days=1)

CALENDARS = {
    "office": WorkingCalendar(),
    "mon-sat": WorkingCalendar(WorkingHours(start=time(8, 0), end=time(18, 0), weekdays=frozenset(range(6)))),
    # Weekend small hours: on the clock-change Sundays these days are 1.5 h and 3.5 h long.
    "small-hours": WorkingCalendar(WorkingHours(start=time(0, 30), end=time(3, 0), weekdays={5, 6})),
}
ZONES = [
    UTC,
    LONDON,
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    timezone(timedelta(hours=-3, minutes=-30)),
]

moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59),
    timezones=st.sampled_from(ZONES),
    allow_imaginary=False,
)
hour_counts = st.one_of(
    st.integers(0, 40),
    st.floats(0, 40, allow_nan=False),
    st.decimals(0, 40, places=2, allow_nan=False, allow_infinity=False),
)
calendar_names = st.sampled_from(sorted(CALENDARS))
SLOW = settings(max_examples=300, deadline=None)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(hours: WorkingHours, day: date) -> bool:
    return day.weekday() in hours.weekdays and day not in bank_holidays(day.year)


def opening(hours: WorkingHours, day: date) -> tuple[datetime, datetime]:
    """The day's opening interval in UTC, from London wall times (fold=0, as the module documents)."""
    return (
        datetime.combine(day, hours.start, tzinfo=LONDON).astimezone(UTC),
        datetime.combine(day, hours.end, tzinfo=LONDON).astimezone(UTC),
    )


def working_time_between(hours: WorkingHours, a: datetime, b: datetime) -> timedelta:
    """Real working time inside [a, b], summed one working-day interval at a time."""
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total, day = timedelta(0), a.astimezone(LONDON).date() - ONE_DAY
    while day <= b.astimezone(LONDON).date():
        if is_working_day(hours, day):
            opens, closes = opening(hours, day)
            low, high = max(opens, a), min(closes, b)
            total += max(high - low, timedelta(0))
        day += ONE_DAY
    return total


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


@SLOW
@given(name=calendar_names, start=moments, hours=hour_counts)
@example(name="small-hours", start=datetime(2026, 3, 29, 0, 45, tzinfo=LONDON), hours=2)
@example(name="small-hours", start=datetime(2026, 10, 25, 1, 15, tzinfo=LONDON, fold=1), hours=3)
@example(name="small-hours", start=datetime(2026, 10, 25, 0, 45, tzinfo=LONDON), hours=3)
@example(name="office", start=datetime(2026, 12, 24, 15, 0, tzinfo=LONDON), hours=2)
@example(
    name="small-hours", start=datetime(2025, 2, 10, 0, 0, tzinfo=UTC), hours=33
)  # ends at a gap-day opening
def test_add_working_hours_counts_exactly_the_requested_working_time(name, start, hours):
    cal = CALENDARS[name]
    result = cal.add_working_hours(start, hours)
    requested = timedelta(hours=float(hours))
    assert result.tzinfo is not None and result.astimezone(UTC) >= start.astimezone(UTC)
    assert working_time_between(cal.hours, start, result) == requested
    if hours > 0:
        opens, closes = opening(cal.hours, london_day(result))
        assert is_working_day(cal.hours, london_day(result))
        assert opens <= result.astimezone(UTC) <= closes  # in working time, or exactly at closing
    if requested > timedelta(0):
        # The earliest such moment: a microsecond earlier (in real time), not enough working time has passed.
        assert (
            working_time_between(cal.hours, start, result.astimezone(UTC) - timedelta(microseconds=1))
            < requested
        )


@SLOW
@given(name=calendar_names, event=moments, clock=st.times(), days_after=st.integers(0, 5))
def test_clock_time_on_working_day_lands_on_a_working_day_not_before_event(name, event, clock, days_after):
    cal = CALENDARS[name]
    result = cal.clock_time_on_working_day(event, clock, days_after)
    assert result.astimezone(UTC) >= event.astimezone(UTC)
    assert is_working_day(cal.hours, london_day(result))


@SLOW
@given(name=calendar_names, target=moments, days=st.integers(1, 15))
def test_working_days_before_is_a_working_day_close_exactly_that_many_working_days_back(name, target, days):
    cal = CALENDARS[name]
    result = cal.working_days_before(target, days)
    assert result.astimezone(UTC) < target.astimezone(UTC)
    day = london_day(result)
    assert is_working_day(cal.hours, day)
    assert result.astimezone(UTC) == opening(cal.hours, day)[1]
    between = [day + ONE_DAY * i for i in range(1, (london_day(target) - day).days)]
    assert sum(is_working_day(cal.hours, d) for d in between) == days - 1


@SLOW
@given(start=moments, hours=hour_counts)
def test_elapsed_hours_are_real_time_both_ways(start, hours):
    cal = CALENDARS["office"]
    after = cal.add_elapsed_hours(start, hours)
    assert after.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=float(hours))
    assert cal.elapsed_hours_before(after, hours).astimezone(UTC) == start.astimezone(UTC)


@SLOW
@given(name=calendar_names, start=moments, span_days=st.integers(0, 20), clock=st.times())
def test_each_working_day_hits_every_working_day_once_between_start_and_until(name, start, span_days, clock):
    cal = CALENDARS[name]
    until = start + timedelta(days=span_days)
    result = cal.each_working_day(start, clock, until)
    assert all(start.astimezone(UTC) < d.astimezone(UTC) <= until.astimezone(UTC) for d in result)
    days = [london_day(d) for d in result]
    assert all(is_working_day(cal.hours, d) for d in days)
    first, last = start.astimezone(UTC), until.astimezone(UTC)
    candidates = [london_day(start) + ONE_DAY * i for i in range(span_days + 2)]
    expected = [
        d
        for d in candidates
        if is_working_day(cal.hours, d)
        and first < datetime.combine(d, clock, tzinfo=LONDON).astimezone(UTC) <= last
    ]
    assert days == expected


def test_decimal_and_float_hours_agree():
    start = datetime(2026, 6, 10, 16, 0, tzinfo=LONDON)
    cal = CALENDARS["office"]
    assert cal.add_working_hours(start, Decimal("2.5")) == cal.add_working_hours(start, 2.5)
