"""The executive summary and A5 count only learning that was issued, and only items whose window has
closed: a notice still inside its receipt window, or an implementation not yet due, is "not yet due",
shown as such and left out of rates and breaches until it is."""

from datetime import timedelta

import pytest
import time_machine

from escalation import computations
from learning_transfer import chain
from learning_transfer.services import acknowledge_notice, issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary

from .conftest import CONFIRMED
from .test_executive_summary import verify

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
LATER = CONFIRMED + timedelta(days=3)  # after the trigger's A5 (Fri 20 November, 15:10)
EVERYONE = ("ash", "beech", "cedar", "dove")
NAMES = {"ash": "Ash Grove", "beech": "Beech Lodge", "cedar": "Cedar Court", "dove": "Dove Cottage"}


@pytest.fixture
def verified_everywhere(log_falls_trigger, managers, operations_director, quality_director):
    """A trigger issued, acknowledged at once and verified at every matched service."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    for key in EVERYONE:
        notice = trigger.matches.get(service__name=NAMES[key]).notices.get()
        acknowledge_notice(notice, by=managers[key], now=ISSUED + timedelta(minutes=10))
        verify(trigger, NAMES[key], managers[key], operations_director)
    return trigger


def figure(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">', 1)[1].split("</dd>", 1)[0]


def test_a_trigger_whose_learning_was_never_issued_adds_no_high_risk_service_lacking_action(
    client, sign_in, verified_everywhere, log_falls_trigger, provider, nominated_individual
):
    # A second failure is logged (Ash Grove and Dove Cottage are high risk) but its learning is not issued.
    logged = log_falls_trigger(title="Logged, not issued", now=LATER, log_late=True)
    later = LATER + timedelta(hours=1)
    summary = executive_summary(provider, SummaryFilters(period="all"), later)
    assert summary["high_risk_lacking_count"] == 0
    assert not summary["a5"]["breached"]
    with time_machine.travel(later, tick=False):
        for trigger in (verified_everywhere, logged):
            a5 = computations.compute(chain.step_run(trigger, "A5")).values
            assert a5["high_risk_lacking_action"] == 0, trigger.title
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    assert figure(page, "high-risk-lacking").startswith("0")
    assert logged.reference not in figure(page, "high-risk-lacking")
    assert 'data-testid="a5-breach"' not in page


def test_the_summary_and_the_a5_step_say_a5_is_judged_across_every_trigger(
    client, sign_in, verified_everywhere, nominated_individual
):
    sign_in(nominated_individual)
    with time_machine.travel(ISSUED + timedelta(hours=5), tick=False):
        page = client.get("/learning/summary/?period=all").text
    assert "judged across every trigger with learning issued, not one trigger" in page


def test_notices_still_inside_their_receipt_window_are_not_yet_due(
    client, sign_in, log_falls_trigger, managers, provider, quality_director, nominated_individual
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    ash = trigger.matches.get(service__name="Ash Grove").notices.get()
    acknowledge_notice(ash, by=managers["ash"], now=ISSUED + timedelta(minutes=20))
    soon = ISSUED + timedelta(hours=1)  # the 4-hour window is still open for the other three
    summary = executive_summary(provider, SummaryFilters(period="all"), soon)
    assert (summary["services_received_in_time"], summary["services_issued"]) == (1, 1)
    assert summary["services_receipt_not_yet_due"] == 3
    row = summary["trigger_rows"][0]
    assert (row["received_in_time"], row["receipt_due"], row["receipt_not_yet_due"]) == (1, 1, 3)
    sign_in(nominated_individual)
    with time_machine.travel(soon, tick=False):
        page = client.get("/learning/summary/?period=all").text
    assert figure(page, "received-in-time") == "1 of 1; 3 not yet due (window still open)"
    assert "1 of 1; 3 not yet due" in page.split('data-testid="summary-triggers"', 1)[1]
    # Once the window has closed, the three who did not acknowledge are late.
    closed = executive_summary(provider, SummaryFilters(period="all"), ISSUED + timedelta(hours=4, minutes=1))
    assert (closed["services_received_in_time"], closed["services_issued"]) == (1, 4)
    assert closed["services_receipt_not_yet_due"] == 0


def test_high_risk_services_whose_board_check_is_not_yet_due_do_not_breach_a5(
    client, sign_in, log_falls_trigger, provider, quality_director, nominated_individual
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    a5_due = chain.step_run(trigger, "A5").due_at  # Fri 20 November, 15:10
    minutes_after = ISSUED + timedelta(minutes=10)
    summary = executive_summary(provider, SummaryFilters(period="all"), minutes_after)
    assert summary["high_risk_lacking_count"] == 0
    assert summary["high_risk_not_yet_due"] == 2  # Ash Grove and Dove Cottage
    assert not summary["a5"]["breached"]
    with time_machine.travel(minutes_after, tick=False):
        assert computations.compute(chain.step_run(trigger, "A5")).values["high_risk_lacking_action"] == 0
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    lacking = figure(page, "high-risk-lacking")
    assert lacking == "0; 2 more not yet due (their trigger's board check is still to come)"
    # Tester 18 (L6): the dashboards' panel said "0" alone.
    with time_machine.travel(minutes_after, tick=False):
        panel = client.get("/dashboard/nominated_individual/").text
    shown = panel.split('data-testid="panel-high-risk-lacking"', 1)[1].split(">", 1)[1].split("</dd>", 1)[0]
    assert shown == lacking
    assert 'data-testid="a5-breach"' not in page
    # Once the trigger's board check falls due with both still unverified, both count and A5 is breached.
    overdue = executive_summary(provider, SummaryFilters(period="all"), a5_due + timedelta(minutes=1))
    assert overdue["high_risk_lacking_count"] == 2 and overdue["high_risk_not_yet_due"] == 0
    assert overdue["a5"]["breached"]


def test_a_service_inside_its_receipt_window_is_not_a_repeated_distribution_defect(
    log_falls_trigger, provider, managers, quality_director, falls_provider
):
    first = log_falls_trigger()
    issue_notices(first, by=quality_director, now=ISSUED)
    second_at = ISSUED + timedelta(days=2)
    second = log_falls_trigger(
        title="Second fall", confirmed_at=second_at - timedelta(hours=1), now=second_at
    )
    issue_notices(second, by=quality_director, now=second_at)
    # Dove Cottage missed the first window; the second is still open a minute after issue.
    defects = executive_summary(provider, SummaryFilters(period="all"), second_at + timedelta(minutes=1))
    assert ("Dove Cottage", "distribution") not in {
        (d["service"], d["defect"]) for d in defects["repeated_defects"]
    }


def test_right_after_issue_nothing_is_due_and_the_summary_says_so(
    client, sign_in, log_falls_trigger, managers, quality_director, nominated_individual
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(nominated_individual)
    with time_machine.travel(ISSUED + timedelta(minutes=10), tick=False):
        page = client.get("/learning/summary/?period=all").text
    assert figure(page, "received-in-time") == "None due yet; 4 not yet due (window still open)"
