"""Over random anchors in 2026-2028, the chains as loaded keep their steps in order.

Half the anchors are drawn within four days of a bank holiday or a clock change, so Christmas, Easter
and both clock changes are tried on every run rather than left to chance. The checks ask the holidays
package directly which days are worked and share no code with the calendar module.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace

import holidays
from hypothesis import example, given, settings
from hypothesis import strategies as st

from escalation.loading import read_fixture
from escalation.scheduling import one_off_deadlines, schedule
from providers.calendar import LONDON, WorkingCalendar, WorkingHours

CALENDARS = {
    "office": WorkingCalendar(),  # Monday to Friday 09:00-17:00
    "mon-sat": WorkingCalendar(WorkingHours(start=time(8, 0), end=time(18, 0), weekdays=frozenset(range(6)))),
}
STEPS = {chain["code"]: chain["steps"] for chain in read_fixture()}
YEARS = (2026, 2027, 2028)
ONE_DAY = timedelta(days=1)
THOROUGH = settings(max_examples=300, deadline=None)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def clock_change_sundays() -> list[date]:
    """The last Sundays of March and October."""
    sundays = []
    for year in YEARS:
        for month in (3, 10):
            last = date(year, month, 31)
            sundays.append(last - timedelta(days=(last.weekday() + 1) % 7))
    return sundays


SPECIAL_DAYS = sorted({d for year in YEARS for d in bank_holidays(year)} | set(clock_change_sundays()))
anywhere = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59),
    timezones=st.just(LONDON),
    allow_imaginary=False,
)
near_a_special_day = st.builds(
    lambda day, minutes: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes),
    st.sampled_from(SPECIAL_DAYS),
    st.integers(-4 * 24 * 60, 4 * 24 * 60),
)
anchors = st.one_of(anywhere, near_a_special_day)
calendar_names = st.sampled_from(sorted(CALENDARS))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def is_working_day(cal: WorkingCalendar, day: date) -> bool:
    return day.weekday() in cal.hours.weekdays and day not in bank_holidays(day.year)


def opening(cal: WorkingCalendar, day: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, cal.hours.start, tzinfo=LONDON).astimezone(UTC),
        datetime.combine(day, cal.hours.end, tzinfo=LONDON).astimezone(UTC),
    )


def in_working_time(cal: WorkingCalendar, moment: datetime) -> bool:
    """On a working day, from its opening to its closing time (a deadline may be "by the close")."""
    day = moment.astimezone(LONDON).date()
    opens, closes = opening(cal, day)
    return is_working_day(cal, day) and opens <= utc(moment) <= closes


def next_working_day(cal: WorkingCalendar, day: date) -> date:
    day += ONE_DAY
    while not is_working_day(cal, day):
        day += ONE_DAY
    return day


def working_day_before(cal: WorkingCalendar, day: date, count: int = 1) -> date:
    for _ in range(count):
        day -= ONE_DAY
        while not is_working_day(cal, day):
            day -= ONE_DAY
    return day


def last_working_moment_at_or_before(cal: WorkingCalendar, moment: datetime) -> datetime:
    day = moment.astimezone(LONDON).date()
    while True:
        if is_working_day(cal, day):
            opens, closes = opening(cal, day)
            if opens <= utc(moment):
                return min(utc(moment), closes)
        day -= ONE_DAY


def at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


@THOROUGH
@given(name=calendar_names, confirmed=anchors)
@example(name="office", confirmed=datetime(2026, 12, 24, 15, 0, tzinfo=LONDON))
@example(name="office", confirmed=datetime(2027, 3, 25, 16, 30, tzinfo=LONDON))
@example(name="office", confirmed=datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1))
@example(name="office", confirmed=datetime(2026, 11, 23, 16, 18, tzinfo=LONDON))  # A1 exactly 10:18
def test_chain_a_steps_fall_due_one_after_another_in_working_time(name, confirmed):
    cal = CALENDARS[name]
    due = {code: utc(d) for code, d in one_off_deadlines(STEPS["A"], confirmed, cal).items()}
    order = [due[code] for code in ("A1", "A2", "A3", "A4", "A5")]
    assert utc(confirmed) < order[0]
    assert all(earlier < later for earlier, later in zip(order, order[1:], strict=False)), due
    assert all(in_working_time(cal, d) for d in order), due
    # A2, A3 and A4: at their clock time on the day the step before is due, unless not after it.
    for previous, code, clock in (
        ("A1", "A2", time(10, 18)),
        ("A2", "A3", time(13, 14)),
        ("A3", "A4", time(16, 6)),
    ):
        day = due[previous].astimezone(LONDON).date()
        expected = at(day, clock) if at(day, clock) > due[previous] else at(next_working_day(cal, day), clock)
        assert due[code] == expected, (code, due)
    assert due["A5"] == at(next_working_day(cal, due["A4"].astimezone(LONDON).date()), time(15, 10))


@THOROUGH
@given(name=calendar_names, issue=anchors)
@example(name="office", issue=datetime(2026, 11, 30, 9, 0, tzinfo=LONDON))  # a Monday
@example(name="office", issue=datetime(2027, 3, 30, 9, 0, tzinfo=LONDON))  # after Easter Monday
@example(name="office", issue=datetime(2026, 12, 29, 0, 30, tzinfo=LONDON))  # after Christmas
@example(name="office", issue=datetime(2026, 3, 30, 12, 0, tzinfo=LONDON))  # after the spring change
def test_chain_c_steps_fall_due_in_order_in_working_time_before_the_issue(name, issue):
    cal = CALENDARS[name]
    chain = SimpleNamespace(preparation_working_days=5)
    plan, _ = schedule(chain, STEPS["C"], issue, None, cal, None)
    assert all(in_working_time(cal, d) and utc(d) < utc(issue) for _, _, d, _ in plan), plan
    due = {step["code"]: utc(d) for step, _, d, _ in plan if step["code"] != "C2"}
    assert due["C1"] < due["C3"] <= due["C4"] <= due["C5"], due
    issue_day = issue.astimezone(LONDON).date()
    assert due["C5"] == at(working_day_before(cal, issue_day), time(16, 10))
    moved_back = last_working_moment_at_or_before(cal, utc(issue) - timedelta(hours=28))
    assert due["C4"] == min(moved_back, due["C5"])
    assert due["C1"] == at(working_day_before(cal, issue_day, 5), cal.hours.end)
    preparation_days = [d.astimezone(LONDON).date() for step, _, d, _ in plan if step["code"] == "C2"]
    assert preparation_days == sorted(working_day_before(cal, issue_day, n) for n in range(1, 6))


@THOROUGH
@given(name=calendar_names, deployed=anchors)
def test_chain_b_one_off_steps_fall_due_in_order(name, deployed):
    # B3 is "within 30 hours of learning rollout", elapsed time as the seed says: a drill may fall at a
    # weekend, when the service runs its shifts. B5 is a working-day clock time, after B3.
    cal = CALENDARS[name]
    due = {code: utc(d) for code, d in one_off_deadlines(STEPS["B"], deployed, cal).items()}
    assert due["B3"] == utc(deployed) + timedelta(hours=30)
    assert due["B3"] < due["B5"] and in_working_time(cal, due["B5"])
