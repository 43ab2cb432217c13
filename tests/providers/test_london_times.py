"""Times are shown in London, whatever zone they were made in and however often one is shown (the
words of each instant are kept once worked out)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from providers.calendar import LONDON
from providers.templatetags.nhsuk import london, on_at


def test_the_same_instant_reads_the_same_in_london_whatever_zone_it_came_in():
    summer = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)  # British Summer Time: an hour ahead
    assert london(summer) == "Wed 1 Jul 2026, 10:05"
    assert london(summer.astimezone(LONDON)) == "Wed 1 Jul 2026, 10:05"
    assert london(summer.astimezone(timezone(timedelta(hours=-5)))) == "Wed 1 Jul 2026, 10:05"
    winter = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)  # Greenwich Mean Time
    assert london(winter) == "Tue 1 Dec 2026, 09:05"
    assert london(winter.astimezone(timezone(timedelta(hours=2)))) == "Tue 1 Dec 2026, 09:05"


def test_the_hour_the_clocks_go_back_is_told_apart():
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, then 01:30 GMT an hour later
    assert london(first) == london(first + timedelta(hours=1)) == "Sun 25 Oct 2026, 01:30"
    assert london(first + timedelta(hours=2)) == "Sun 25 Oct 2026, 02:30"


def test_no_time_reads_as_nothing_and_a_time_without_a_zone_is_refused():
    assert london(None) == ""
    with pytest.raises(ValueError, match="naive"):
        london(datetime(2026, 7, 1, 9, 5))


def test_an_instant_after_a_verb_reads_on_a_day_at_a_time():
    """ "Recorded by Grace Nair on Mon 7 Dec 2026 at 01:17", not "at Mon 7 Dec 2026, 01:17"."""
    assert on_at(datetime(2026, 12, 7, 1, 17, tzinfo=UTC)) == "on Mon 7 Dec 2026 at 01:17"
    assert on_at(datetime(2026, 7, 1, 9, 5, tzinfo=UTC)) == "on Wed 1 Jul 2026 at 10:05"
    assert on_at(None) == ""
