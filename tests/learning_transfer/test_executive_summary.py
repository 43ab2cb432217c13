"""A5: the nominated individual's executive learning summary across every trigger of the provider."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from escalation import computations
from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.services import (
    acknowledge_notice,
    add_line,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from learning_transfer.services.summary import SummaryFilters, executive_summary
from tests.factories import CHECK_DONE

from .conftest import CONFIRMED, LONDON, add_care_hours, add_incidents

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
NOW = CONFIRMED + timedelta(days=3)
# Implementation of learning issued by NOW is due (72 hours after issue): before it, services not yet
# verified are not yet due and left out of the confirmation rates.
ALL_DUE = NOW + timedelta(hours=72, minutes=1)


@pytest.fixture
def issued(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger


def verify(trigger, name, person, by, at=ISSUED):
    match = trigger.matches.select_related("service", "trigger__provider").get(service__name=name)
    confirm_lead(match, person=person, by=by, now=at)
    update_exposure(match, by=by, briefing_completed_at=at, now=at)
    line = add_line(match, by=by, task="Re-brief nights", owner=person, due_at=at + timedelta(hours=8))
    complete_line(line, by=by, now=at + timedelta(hours=1))
    confirm_implementation(match, by=by, now=at + timedelta(hours=2))


def test_the_summary_counts_confirmation_receipt_and_high_risk_services_lacking_action(
    issued, provider, managers, operations_director
):
    notice = issued.matches.get(service__name="Ash Grove").notices.get()
    acknowledge_notice(notice, by=managers["ash"], now=ISSUED + timedelta(hours=1))
    verify(issued, "Ash Grove", managers["ash"], operations_director)
    summary = executive_summary(provider, SummaryFilters(period="all"), ALL_DUE)
    assert summary["avg_confirmation_rate"] == 25.0
    assert (summary["services_received_in_time"], summary["services_issued"]) == (1, 4)
    assert (summary["notices_acknowledged"], summary["notices_current"]) == (1, 4)
    # Ash Grove is high risk but verified; Dove Cottage is high risk and not.
    assert [item["service"] for item in summary["high_risk_lacking"]] == ["Dove Cottage"]
    assert not summary["a5"]["breached"], "one high-risk service lacking action is within A5's rule"


def test_two_high_risk_services_lacking_verified_action_breach_a5_as_the_chain_defines_it(issued, provider):
    summary = executive_summary(provider, SummaryFilters(period="all"), NOW)
    assert len(summary["high_risk_lacking"]) == 2
    assert summary["a5"]["breached"]
    assert (summary["a5"]["target"], summary["a5"]["window"]) == ("Provider Director", "4 working hours")
    assert "redesign" in summary["a5"]["action"].lower()


def test_the_average_is_over_triggers_with_learning_issued(
    issued, log_falls_trigger, provider, managers, operations_director, quality_director
):
    verify(issued, "Ash Grove", managers["ash"], operations_director)
    verify(issued, "Beech Lodge", managers["beech"], operations_director)
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    issue_notices(second, by=quality_director, now=NOW)
    log_falls_trigger(title="Not issued yet", now=NOW, log_late=True)
    summary = executive_summary(provider, SummaryFilters(period="all"), ALL_DUE)
    assert summary["issued_triggers"] == 2
    assert summary["avg_confirmation_rate"] == 25.0  # (50% + 0%) / 2
    assert len(summary["triggers"]) == 3


def test_a_distribution_defect_repeated_in_the_last_two_cycles_is_reported(
    issued, log_falls_trigger, provider, managers, quality_director, falls_provider
):
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    issue_notices(second, by=quality_director, now=NOW)
    for trigger, at in ((issued, ISSUED), (second, NOW)):
        for key in ("ash", "beech", "cedar"):  # Dove Cottage never acknowledges in time
            notice = trigger.matches.get(service=falls_provider[key]).notices.get()
            acknowledge_notice(notice, by=managers[key], now=at + timedelta(hours=1))
    # Judged once the second cycle's receipt window has closed: inside it, nobody is late yet.
    after_window = NOW + timedelta(hours=4, minutes=1)
    defects = executive_summary(provider, SummaryFilters(period="all"), after_window)["repeated_defects"]
    found = {(d["service"], d["defect"]) for d in defects}
    # Dove Cottage missed the 4-hour receipt both times; no service has a confirmed lead in either
    # cycle, so every one repeats an ownership defect.
    names = ["Ash Grove", "Beech Lodge", "Cedar Court", "Dove Cottage"]
    assert found == {("Dove Cottage", "distribution")} | {(name, "ownership") for name in names}


def test_a_defect_in_only_one_of_the_last_two_cycles_is_not_repeated(
    issued, log_falls_trigger, provider, managers, quality_director, falls_provider
):
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    third = log_falls_trigger(
        title="Third fall", confirmed_at=CONFIRMED + timedelta(days=2), now=NOW, log_late=True
    )
    for trigger in (second, third):
        issue_notices(trigger, by=quality_director, now=NOW)
    # Dove Cottage misses the receipt window in the first and the third cycle, not in the second: the
    # last two cycles (second, third) hold its defect once, and the first is older than they are.
    for trigger, at, late in ((issued, ISSUED, True), (second, NOW, False), (third, NOW, True)):
        keys = ["ash", "beech", "cedar"] + ([] if late else ["dove"])
        for key in keys:
            notice = trigger.matches.get(service=falls_provider[key]).notices.get()
            acknowledge_notice(notice, by=managers[key], now=at + timedelta(hours=1))
    defects = executive_summary(provider, SummaryFilters(period="all"), NOW)["repeated_defects"]
    assert {d["defect"] for d in defects} == {"ownership"}  # no lead anywhere: those do repeat


def test_the_trend_compares_weekly_rates_before_and_after_learning(issued, provider, falls_provider):
    # Ash Grove: 100 care hours a day for 2 weeks either side of the issue day (18 November).
    ash = falls_provider["ash"]
    issue_day = date(2026, 11, 18)
    after = [issue_day + timedelta(days=n) for n in range(14)]
    add_care_hours(ash, 100, days=after)
    add_incidents(ash, 3, day=issue_day + timedelta(days=2), prefix="after")
    rows = {r["week"]: r for r in executive_summary(provider, SummaryFilters(period="all"), NOW)["trend"]}
    # Week -1 is 11–17 November, pooled over services with care hours: Ash 7/700, Beech 7/1400,
    # Cedar 0/700 = 14 in 2,800 hours = 0.5 (Dove Cottage recorded no hours). Week +1: Ash 3 in 700.
    assert rows[-1]["incidents"] == 14
    assert rows[-1]["rate"] == 0.5
    assert rows[1]["incidents"] == 3 and rows[1]["rate"] == pytest.approx(0.429, abs=0.001)


def test_filters_narrow_the_summary(issued, provider, north, south):
    assert (
        len(executive_summary(provider, SummaryFilters(theme="medication", period="all"), NOW)["triggers"])
        == 0
    )
    by_region = executive_summary(provider, SummaryFilters(region=south, period="all"), NOW)
    assert len(by_region["triggers"]) == 1
    assert by_region["services_issued"] == 2  # Cedar Court and Dove Cottage are in the South
    old = datetime(2027, 6, 1, tzinfo=LONDON)
    assert len(executive_summary(provider, SummaryFilters(period="30"), old)["triggers"]) == 0


def test_the_summary_page_shows_the_chart_with_its_table(client, sign_in, issued, nominated_individual):
    sign_in(nominated_individual)
    page = client.get("/learning/summary/?period=all").text
    assert "<svg" in page and 'role="img"' in page and "Learning issued" in page
    assert 'data-testid="trend-table"' in page
    assert "Average implementation-confirmation rate" in page


def test_the_a5_prefill_shows_the_summarys_figures_across_every_trigger(
    issued, log_falls_trigger, provider, managers, operations_director, quality_director
):
    for key, name in (
        ("ash", "Ash Grove"),
        ("beech", "Beech Lodge"),
        ("cedar", "Cedar Court"),
        ("dove", "Dove Cottage"),
    ):
        verify(issued, name, managers[key], operations_director)  # the first trigger: 100% verified
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True
    )
    issue_notices(second, by=quality_director, now=NOW)
    verify(second, "Ash Grove", managers["ash"], operations_director, at=NOW)  # the second: 50%
    verify(second, "Beech Lodge", managers["beech"], operations_director, at=NOW)
    # Once the second trigger's own board check (A5) and its implementation have fallen due: before
    # them, its high-risk services and its unverified ones are not yet due.
    later = max(chain.step_run(second, "A5").due_at + timedelta(minutes=1), ALL_DUE)
    summary = executive_summary(provider, SummaryFilters(), later)
    assert summary["avg_confirmation_rate"] == 75.0  # (100% + 50%) / 2
    expected = {
        "avg_confirmation_rate": 75.0,
        "repeated_defects": len(summary["repeated_defects"]),
        "high_risk_lacking_action": 1,  # Dove Cottage in the second trigger
    }
    assert len(summary["high_risk_lacking"]) == 1
    with time_machine.travel(later, tick=False):  # the engine's form pre-fills at the current time
        for trigger in (issued, second):
            a5 = computations.compute(chain.step_run(trigger, "A5")).values
            assert {key: a5.get(key) for key in expected} == expected, trigger.title


def raise_a2_escalation(trigger, governance_officer):
    """Record A2 with 0% received within 4 hours: a breach, escalated to the quality director."""
    values = {"pct_received_within_4h": 0, "sampled_with_named_owner": 4, "sampled_due_within_72h": 4}
    record = chain.record(
        trigger,
        "A2",
        by=governance_officer,
        values=values,
        now=ISSUED + timedelta(hours=1),
        check_done=CHECK_DONE,
    )
    assert record.escalation is not None


def test_escalation_counts_follow_the_summary_filters(issued, provider, governance_officer):
    raise_a2_escalation(issued, governance_officer)
    assert Escalation.objects.count() == 1
    unfiltered = executive_summary(provider, SummaryFilters(period="all"), NOW)["escalations"]
    assert unfiltered["open"] == 1
    other_theme = executive_summary(provider, SummaryFilters(theme="medication", period="all"), NOW)
    assert other_theme["escalations"] == {"open": 0, "overdue": 0}
    too_old = executive_summary(provider, SummaryFilters(period="30"), CONFIRMED + timedelta(days=60))
    assert too_old["escalations"]["open"] == 0


def test_the_summary_page_counts_only_the_filtered_triggers_escalations(
    client, sign_in, issued, governance_officer, nominated_individual
):
    raise_a2_escalation(issued, governance_officer)
    sign_in(nominated_individual)
    with time_machine.travel(NOW, tick=False):
        everything = client.get("/learning/summary/?period=all").text
        medication = client.get("/learning/summary/?period=all&theme=medication").text

    def escalations(page):
        return page.split('data-testid="escalations">', 1)[1].split("</dd>", 1)[0]

    assert escalations(everything).startswith("1 open")
    assert escalations(medication).startswith("0 open")


def test_an_invalid_filter_is_shown_as_an_error_not_ignored(client, sign_in, issued, nominated_individual):
    sign_in(nominated_individual)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/learning/summary/?period=forever").text
    assert "<title>Error: Executive learning summary" in page
    assert "nhsuk-error-summary" in page and "There is a problem" in page
    assert 'href="#id_period"' in page  # the summary links to the field
    assert "nhsuk-form-group--error" in page and 'id="id_period-error"' in page
    assert "Choose one of the choices listed under “Period”." in page
    assert 'data-testid="filter-not-applied"' in page
    # The box shows the period the figures below are for, not its first choice.
    assert '<option value="365" selected>' in page


def test_a_valid_filter_shows_no_error(client, sign_in, issued, nominated_individual):
    with time_machine.travel(NOW, tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=90&theme=fall").text
    assert 'data-testid="summary-scope"' in page  # the summary itself, not a sign-in step
    assert "There is a problem" not in page and "filter-not-applied" not in page


def test_the_summary_page_lists_the_newest_triggers_and_points_to_the_register_for_the_rest(
    client, sign_in, issued, log_falls_trigger, nominated_individual, monkeypatch
):
    from learning_transfer.services import summary

    log_falls_trigger(title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=NOW, log_late=True)
    log_falls_trigger(title="Third fall", confirmed_at=CONFIRMED + timedelta(days=2), now=NOW, log_late=True)
    monkeypatch.setattr(summary, "SHOWN_TRIGGERS", 2)  # a large provider logs thousands a year
    sign_in(nominated_individual)
    with time_machine.travel(NOW):
        page = client.get("/learning/summary/?period=all").text
    assert "Third fall" in page and "Second fall" in page and issued.title not in page
    assert "Showing 2 of 3 triggers." in page
    assert 'data-testid="trigger-count">3 ' in page  # the figures still count every trigger


def test_the_nominated_individuals_dashboard_shows_the_summarys_headline_figures(
    client, sign_in, issued, provider, managers, operations_director, nominated_individual
):
    verify(issued, "Ash Grove", managers["ash"], operations_director)
    with time_machine.travel(ALL_DUE, tick=False):  # signed in then: a day-old sign-in has expired
        sign_in(nominated_individual)
        summary = executive_summary(provider, SummaryFilters(), ALL_DUE)
        page = client.get("/dashboard/nominated_individual/").text
    panel = page.split("Executive learning summary", 1)[1]
    values = [cell.split("</dd>", 1)[0] for cell in panel.split('summary-list__value">')[1:5]]
    # One trigger, Ash Grove of four verified, Dove Cottage (high risk) not; one cycle cannot repeat.
    assert values == ["1", "25.0%", "1", "0"]
    figures = (summary["trigger_count"], summary["avg_confirmation_rate"], summary["high_risk_lacking_count"])
    assert figures == (1, 25.0, 1) and summary["repeated_defects"] == []


def test_the_summary_says_what_the_board_last_recorded(client, sign_in, issued, nominated_individual):
    """Found: the nominated individual recorded the board's check (A5) with 2 high-risk services lacking
    action typed over the system's 0, and it breached; the summary it names as its evidence went on
    showing 0 with no word of the record. Here the board counts one more than the system."""
    a5 = chain.step_run(issued, "A5")
    at = a5.due_at
    with time_machine.travel(at, tick=False):
        system = computations.compute(a5).values
        typed = system["high_risk_lacking_action"] + 1  # one more than the system knows of
        # No implementation is due yet, so the system gives no average: the board's figure stands alone.
        values = {"avg_confirmation_rate": system.get("avg_confirmation_rate", 50.0), "repeated_defects": 0}
        record = chain.record(
            issued,
            "A5",
            by=nominated_individual,
            values=values | {"high_risk_lacking_action": typed},
            reasons={"high_risk_lacking_action": "A third home's night team fails its checks."},
            now=at,
            check_done=CHECK_DONE,
        )
        assert record.breached
        sign_in(nominated_individual)
        page = client.get("/learning/summary/").text
        # The board's check is judged across every trigger: a filter does not hide what it recorded.
        filtered = client.get("/learning/summary/?theme=medication").text
    assert 'data-testid="a5-recorded"' in filtered
    said = page[page.index('data-testid="a5-recorded"') :]
    said = said[: said.index("</div>")]
    assert f"by {nominated_individual}" in said
    assert "threshold reached, with a figure typed over the system" in said
    assert a5.get_absolute_url() in said


def test_an_address_without_a_period_shows_the_default_period_in_its_box(
    client, sign_in, issued, nominated_individual
):
    """Found: "?region=1" showed "Last 30 days" in the Period box above 12 months' figures; pressing
    Apply then switched to 30 days without anyone choosing it."""
    with time_machine.travel(NOW, tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?theme=fall").text
    assert '<option value="365" selected>' in page
    assert "There is a problem" not in page
