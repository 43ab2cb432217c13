"""The summary's "before and after learning" weeks say what each holds: the weeks before learning pool
every issued trigger's matched services, a week after learning only the triggers whose learning has
reached it; a week not yet reached by every trigger is marked, in the table and the chart."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from learning_transfer.charts import before_after_chart
from learning_transfer.services import issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary

from .conftest import CONFIRMED, LONDON, add_care_hours

pytestmark = pytest.mark.django_db
FIRST_ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 November: its weeks +1 to +4 end 15 December
SECOND_ISSUED = datetime(2026, 12, 18, 11, 0, tzinfo=LONDON)  # Fri 18 December: in its week +1
TODAY = datetime(2026, 12, 20, 12, 0, tzinfo=LONDON)


@pytest.fixture
def two_issues(log_falls_trigger, managers, quality_director):
    """Two falls triggers, four matched services each; the second's learning went out two days ago."""
    first = log_falls_trigger()
    issue_notices(first, by=quality_director, now=FIRST_ISSUED)
    second = log_falls_trigger(
        title="Second fall", confirmed_at=SECOND_ISSUED - timedelta(hours=1), now=SECOND_ISSUED, log_late=True
    )
    issue_notices(second, by=quality_director, now=SECOND_ISSUED)
    return first, second


def held(trend) -> dict:
    return {row["week"]: (row["triggers"], row["services"], row["all_triggers"]) for row in trend}


def test_each_week_says_how_many_triggers_and_services_it_holds(two_issues, provider):
    trend = executive_summary(provider, SummaryFilters(period="all"), TODAY)["trend"]
    assert held(trend) == {
        -4: (2, 8, 2),
        -3: (2, 8, 2),
        -2: (2, 8, 2),
        -1: (2, 8, 2),
        1: (2, 8, 2),  # the second's week +1 has begun (a part week)
        2: (1, 4, 2),  # only the first trigger has reached weeks +2 to +4
        3: (1, 4, 2),
        4: (1, 4, 2),
    }
    parts = {row["week"] for row in trend if row["part_week"]}
    assert parts == {1}


def test_the_table_marks_weeks_not_yet_reached_by_every_trigger(
    client, sign_in, two_issues, falls_provider, nominated_individual
):
    # Care hours every day since the first issue, so every week after learning has a rate to show.
    add_care_hours(
        falls_provider["ash"], 100, days=[date(2026, 11, 18) + timedelta(days=n) for n in range(33)]
    )
    with time_machine.travel(TODAY, tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    held_by = page.split('data-testid="trend-held-by"', 1)[1].split("</p>", 1)[0]
    assert (
        "a week after learning holds only the triggers whose learning was issued long enough ago" in held_by
    )
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    rows = {line.split("</td>", 1)[0].rsplit(">", 1)[1]: line for line in table.split("<tr")[2:]}
    assert "2 triggers, 8 services" in rows["-1 (before)"]
    assert "1 of 2 triggers, 4 services: not yet reached by every trigger" in rows["+3 (after)"]


def test_the_chart_marks_weeks_not_yet_reached_by_every_trigger():
    weeks = [
        {"week": -1, "period": "before", "rate": 1.0, "triggers": 2, "services": 8, "all_triggers": 2},
        {"week": 2, "period": "after", "rate": 0.5, "triggers": 1, "services": 4, "all_triggers": 2},
    ]
    chart = str(before_after_chart(weeks))
    assert ">1 of 2</text>" in chart and ">2 of 2</text>" not in chart
    description = chart.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "Week +2 holds 1 of the 2 triggers: the rest have not reached it yet" in description


def test_the_averages_compare_the_same_triggers_before_and_after():
    """Tester 17 (M4): "before learning: 0.032; after learning: 0.021" set three triggers' weeks before
    against one trigger's weeks after: read as a fall of a third, it compared different services. A
    week after learning not yet reached by every trigger is left out of the averages, and said so."""
    weeks = [
        {"week": -1, "period": "before", "rate": 1.0, "triggers": 2, "services": 8, "all_triggers": 2},
        {"week": 1, "period": "after", "rate": 0.8, "triggers": 2, "services": 8, "all_triggers": 2},
        {"week": 2, "period": "after", "rate": 0.2, "triggers": 1, "services": 4, "all_triggers": 2},
    ]
    description = str(before_after_chart(weeks)).split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "before learning: 1.000; after learning: 0.800." in description
    assert (
        "Week +2 holds 1 of the 2 triggers: the rest have not reached it yet, so it is left out of the "
        "averages." in description
    )
    only_some = str(before_after_chart([weeks[0], weeks[2]])).split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "after learning: no week yet reached by every trigger." in only_some
