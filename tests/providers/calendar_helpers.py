"""Shared calendars, shifts and London-time helpers for the working-time tests."""

from datetime import UTC, datetime, time, timedelta

from providers.calendar import LONDON, Shift, WorkingCalendar, WorkingHours

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
