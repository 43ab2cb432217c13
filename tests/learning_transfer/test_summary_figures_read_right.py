"""The executive summary's figures read as a board member reads them: the region filter narrows the
escalations, an average is rounded once from the exact figure, the trend marks part weeks and leaves
out weeks with no care hours, every rate has one precision, and plain words come before step codes."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template

from escalation import computations
from escalation import services as engine
from escalation.models import Escalation
from learning_transfer.models import MatchedService
from learning_transfer.services import issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary
from providers.calendar import LONDON
from tests.factories import CHECK_DONE

from . import test_a4_per_region
from .conftest import CONFIRMED, add_care_hours, add_incidents
from .test_a4_per_region import a4_runs, expect
from .test_executive_summary import ALL_DUE, ISSUED, NOW, raise_a2_escalation, verify

pytestmark = pytest.mark.django_db
deputies = test_a4_per_region.deputies  # the fixture: the North's and the South's deputy


@pytest.fixture
def issued(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger


def shown(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">', 1)[1].split("</dd>", 1)[0]


def test_the_region_filter_narrows_the_escalation_count(
    client, sign_in, issued, governance_officer, nominated_individual, north, south
):
    # The trigger is in both regions' summaries (Ash Grove and Beech Lodge in the North, Cedar Court
    # and Dove Cottage in the South); its A2 escalation is about the whole trigger, so each region's
    # summary counts it (it was once counted only where the failure happened, Elm House's North).
    raise_a2_escalation(issued, governance_officer)
    sign_in(nominated_individual)
    with time_machine.travel(NOW, tick=False):
        in_north = client.get(f"/learning/summary/?period=all&region={north.pk}").text
        in_south = client.get(f"/learning/summary/?period=all&region={south.pk}").text
        medication = client.get(f"/learning/summary/?period=all&region={south.pk}&theme=medication").text
    assert shown(in_north, "escalations").startswith("1 open")
    assert shown(in_south, "escalations").startswith("1 open")
    assert "counts in every region its learning reaches" in shown(in_south, "escalations")
    assert shown(medication, "escalations").startswith("0 open")  # not a trigger this summary holds
    assert shown(in_south, "trigger-count").startswith("1 ")


def test_a_regions_escalation_count_takes_its_own_a4_and_its_services_steps(
    issued, provider, governance_officer, deputies, operations_director, north, south
):
    # A2's breach is about the whole trigger: every region it reaches counts it. The South's A4 breach
    # names the South although its case's service is Elm House (North): only the South counts it.
    raise_a2_escalation(issued, governance_officer)
    expect(
        issued,
        operations_director,
        {"Ash Grove": 15, "Beech Lodge": 13, "Cedar Court": 20, "Dove Cottage": 9},
    )
    for region, run in a4_runs(issued).items():
        with time_machine.travel(NOW, tick=False):
            values = computations.compute(run).values
        engine.record_step(run, by=deputies[region.lower()], values=values, now=NOW, check_done=CHECK_DONE)
    [a4] = Escalation.objects.filter(step_run__code="A4")
    assert a4.region == south and a4.service.region == north  # the case where region and service differ

    def counts(region, at):
        return executive_summary(provider, SummaryFilters(period="all", region=region), at)["escalations"]

    assert counts(None, NOW) == {"open": 2, "overdue": 1}  # A2's acknowledgement is already late
    assert counts(north, NOW) == {"open": 1, "overdue": 1}
    assert counts(south, NOW) == {"open": 2, "overdue": 1}
    later = a4.acknowledge_by + timedelta(minutes=1)
    assert counts(south, later) == {"open": 2, "overdue": 2}
    assert counts(north, later) == {"open": 1, "overdue": 1}


def test_the_average_confirmation_rate_is_rounded_once_from_the_exact_figure(
    client,
    sign_in,
    issued,
    log_falls_trigger,
    managers,
    operations_director,
    quality_director,
    nominated_individual,
    provider,
):
    # Two triggers of three included services each: one verified of three (33.3%), none of three (0%).
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    MatchedService.objects.filter(service__name="Dove Cottage").update(included=False)
    issue_notices(second, by=quality_director, now=NOW)
    verify(issued, "Ash Grove", managers["ash"], operations_director)
    # Judged once both triggers' implementation is due (the second's unverified are not yet due before).
    summary = executive_summary(provider, SummaryFilters(period="all"), ALL_DUE)
    assert sorted(row["rate"] for row in summary["trigger_rows"]) == [0.0, 33.3]
    assert summary["avg_confirmation_rate"] == 16.7  # 16.666…, not the average of 0.0 and 33.3
    with time_machine.travel(ALL_DUE, tick=False):  # signed in then: a day-old sign-in has expired
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    assert shown(page, "avg-confirmation") == "16.7%"


def test_the_trend_marks_a_part_week_and_leaves_out_weeks_without_care_hours(
    client, sign_in, issued, falls_provider, nominated_individual
):
    # Learning issued Wed 18 November; today is Fri 20 November, so week +1 (18–24 November) is not
    # over. Ash Grove records care hours on the 18th and 19th only; weeks −4 to −2 and +2 to +4 have none.
    ash = falls_provider["ash"]
    add_care_hours(ash, 100, days=[date(2026, 11, 18), date(2026, 11, 19)])
    add_incidents(ash, 1, day=date(2026, 11, 19), prefix="after")
    today = CONFIRMED + timedelta(days=2)
    sign_in(nominated_individual)
    with time_machine.travel(today, tick=False):
        page = client.get("/learning/summary/?period=all").text
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    assert "+1 (after), part week: not over yet" in table
    assert "+2 (after)" not in table and "-4 (before)" not in table
    assert "No care hours recorded" not in table
    left_out = page.split('data-testid="trend-weeks-left-out">', 1)[1].split("</p>", 1)[0]
    assert left_out == (
        "Left out: week -4, week -3, week -2, week +2, week +3, week +4 "
        "(no care hours recorded in the matched services)."
    )
    description = page.split('<desc id="trend-desc">', 1)[1].split("</desc>", 1)[0]
    # Week −1 pools 14 incidents in 2,800 hours: 0.500, written as the table writes it.
    assert "Rate per 100 care hours </span>0.500</td>" in table
    assert "before learning: 0.500; after learning: no complete week" in description
    # Tester 18 (L2): said on the page too, not only in the chart's description.
    averages = page.split('data-testid="trend-averages">', 1)[1].split("</p>", 1)[0]
    assert averages.startswith("Average weekly incidents per 100 care hours before learning: 0.500;")
    assert "Week +1 is a part week" in description
    assert "The table below the chart lists every week." in description and "beside" not in description


def test_a_week_a_later_issue_has_not_reached_is_not_a_part_week_of_an_earlier_issue(
    client, sign_in, issued, log_falls_trigger, falls_provider, quality_director, nominated_individual
):
    # The first learning was issued Wed 18 November, so its week +2 (25 November – 1 December) is long
    # over on Sun 20 December. A second issued Fri 18 December is in its week +1; its week +2 has not
    # begun, so it adds nothing to the pooled week +2, which stays a whole week.
    add_care_hours(falls_provider["ash"], 100, days=[date(2026, 11, 26)])
    add_incidents(falls_provider["ash"], 1, day=date(2026, 11, 26), prefix="week2")
    second_issued = datetime(2026, 12, 18, 11, 0, tzinfo=LONDON)
    second = log_falls_trigger(
        title="Second fall", confirmed_at=second_issued - timedelta(hours=1), now=second_issued, log_late=True
    )
    issue_notices(second, by=quality_director, now=second_issued)
    with time_machine.travel(datetime(2026, 12, 20, 12, 0, tzinfo=LONDON), tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    assert "+2 (after)</" in table
    assert "+2 (after), part week" not in table


@pytest.mark.parametrize(
    ("value", "compared_with", "text"),
    [
        (0, None, "0.000"),
        (0.0172, None, "0.017"),
        (0.008, None, "0.008"),
        (0.027271, None, "0.027"),
        (0.0425, None, "0.043"),  # a half is rounded up
        (1.5, None, "1.500"),
        (0.02731, 0.027271, "0.02731"),  # just above the median: more places, never equal-looking
    ],
)
def test_every_rate_is_shown_to_three_decimal_places(value, compared_with, text):
    page = Template("{% load learning %}{{ value|rate:compared_with }}|{{ none|rate }}")
    rendered = page.render(Context({"value": value, "compared_with": compared_with, "none": None}))
    assert rendered == f"{text}|No care hours recorded"


def test_the_summary_says_what_failed_in_plain_words_before_the_step_code(
    client, sign_in, issued, governance_officer, nominated_individual
):
    raise_a2_escalation(issued, governance_officer)
    sign_in(nominated_individual)
    later = ISSUED + timedelta(hours=73)  # Ash Grove and Dove Cottage are due and not verified
    with time_machine.travel(later, tick=False):
        page = client.get("/learning/summary/?period=all").text
    assert "Step A5 threshold breached" not in page and "Chain A escalations" not in page
    breach = page.split('data-testid="a5-breach"', 1)[1].split("</h2>", 1)[0]
    assert "The board's assurance check has failed" in breach
    assert breach.index("failed") < breach.index('<span class="app-code">A5</span>')
    assert 'Open escalations about learning transfer <span class="app-code">chain A</span>' in page
