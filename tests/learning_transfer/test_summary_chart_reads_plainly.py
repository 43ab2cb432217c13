"""The executive summary's before/after chart reads as a board member reads a chart: its rate axis goes
up in round steps (0, 0.01, 0.02 … not 0.0125, 0.0375), and it names each week exactly as the table
beside it does."""

import re
from datetime import date, timedelta

import pytest
import time_machine

from learning_transfer.charts import before_after_chart
from learning_transfer.services import issue_notices

from .conftest import CONFIRMED, add_care_hours, add_incidents
from .test_executive_summary import ISSUED

pytestmark = pytest.mark.django_db

WEEK_LABEL = re.compile(r'text-anchor="middle"[^>]*>([^\s<\d]?\d+)</text>')


def axis_ticks(svg: str) -> list[str]:
    """The rate axis's tick labels, bottom to top (they stand right-aligned beside the axis)."""
    return re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)


def weeks_of(rates: list[float]) -> list[dict]:
    """Trend rows with the given rates, the first half before learning and the rest after."""
    half = len(rates) // 2
    weeks = [*range(-half, 0), *range(1, len(rates) - half + 1)]
    return [
        {"week": week, "period": "before" if week < 0 else "after", "rate": rate}
        for week, rate in zip(weeks, rates, strict=True)
    ]


@pytest.mark.parametrize(
    ("highest", "ticks"),
    [
        (0.05, ["0", "0.01", "0.02", "0.03", "0.04", "0.05"]),  # the tester's 0.0125, 0.025, 0.0375
        (0.047, ["0", "0.01", "0.02", "0.03", "0.04", "0.05"]),
        (0.22, ["0", "0.05", "0.1", "0.15", "0.2", "0.25"]),
        (1.3, ["0", "0.5", "1", "1.5"]),
        (0.7, ["0", "0.2", "0.4", "0.6", "0.8"]),
        (3, ["0", "1", "2", "3"]),
        (12, ["0", "2.5", "5", "7.5", "10", "12.5"]),
        (0, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),  # no incidents at all: an axis still drawn
    ],
)
def test_the_rate_axis_goes_up_in_round_steps(highest, ticks):
    assert axis_ticks(before_after_chart(weeks_of([highest / 2, highest, highest / 3, 0]))) == ticks


def test_the_highest_bar_stays_inside_the_chart():
    svg = before_after_chart(weeks_of([0.05, 0.049]))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    top_gridline = min(float(y) for y in re.findall(r'<line x1="\d+" y1="([\d.]+)"', svg))
    bottom_gridline = max(float(y) for y in re.findall(r'<line x1="\d+" y1="([\d.]+)"', svg))
    assert max(heights) <= bottom_gridline - top_gridline + 0.1


def test_the_chart_names_each_week_as_the_table_beside_it_does(
    client, sign_in, log_falls_trigger, managers, quality_director, falls_provider, nominated_individual
):
    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    # Weeks −1 (from the example's care hours) and +1 (18–19 November) have care hours; the rest none.
    ash = falls_provider["ash"]
    add_care_hours(ash, 100, days=[date(2026, 11, 18), date(2026, 11, 19)])
    add_incidents(ash, 1, day=date(2026, 11, 19), prefix="after")
    sign_in(nominated_individual)
    with time_machine.travel(CONFIRMED + timedelta(days=2), tick=False):
        page = client.get("/learning/summary/?period=all").text
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    in_table = re.findall(r'<td class="nhsuk-table__cell"><span [^>]*>Week </span>([^ <]+) \(', table)
    assert in_table == ["-1", "+1"]
    assert WEEK_LABEL.findall(chart) == in_table
