"""The average implementation-confirmation rate leaves out matched services whose implementation is not
yet due, as the summary says it does: a service not verified before its notice's due date is not
failing yet. The summary page, its table, the A5 pre-fill and the nominated individual's dashboard
read the one figure."""

from datetime import timedelta

import pytest
import time_machine

from escalation import computations
from learning_transfer import chain
from learning_transfer.services import issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary

from .conftest import CONFIRMED
from .test_executive_summary import verify
from .test_summary_counts_only_issued_and_due_items import figure

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 November 10:30: implementation due Sat 21, 10:30
BEFORE_DUE = CONFIRMED + timedelta(days=2)
AFTER_DUE = ISSUED + timedelta(hours=72, minutes=1)


@pytest.fixture
def ash_verified(log_falls_trigger, managers, operations_director, quality_director):
    """Learning issued to four services; only Ash Grove has verified it so far."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    verify(trigger, "Ash Grove", managers["ash"], operations_director)
    return trigger


def test_services_whose_implementation_is_not_yet_due_are_left_out_of_the_average(ash_verified, provider):
    before = executive_summary(provider, SummaryFilters(period="all"), BEFORE_DUE)
    assert before["avg_confirmation_rate"] == 100.0  # Ash Grove, the only one due (it verified early)
    assert before["services_implementation_not_yet_due"] == 3
    row = before["trigger_rows"][0]
    assert (row["confirmed"], row["implementation_due"], row["implementation_not_yet_due"]) == (1, 1, 3)
    assert row["rate"] == 100.0
    after = executive_summary(provider, SummaryFilters(period="all"), AFTER_DUE)
    assert after["avg_confirmation_rate"] == 25.0  # once due, the three unverified count as not done
    assert after["services_implementation_not_yet_due"] == 0


def test_a_trigger_with_nothing_due_yet_is_left_out_of_the_average(
    ash_verified, log_falls_trigger, provider, quality_director
):
    second = log_falls_trigger(title="Second fall", confirmed_at=BEFORE_DUE, now=BEFORE_DUE, log_late=True)
    issue_notices(second, by=quality_director, now=BEFORE_DUE)
    summary = executive_summary(provider, SummaryFilters(period="all"), BEFORE_DUE + timedelta(hours=1))
    assert summary["avg_confirmation_rate"] == 100.0  # not (100% + 0%) / 2: the second is not yet due
    assert summary["services_implementation_not_yet_due"] == 7


def test_the_page_the_a5_pre_fill_and_the_dashboard_agree(
    client, sign_in, ash_verified, provider, nominated_individual
):
    with time_machine.travel(BEFORE_DUE, tick=False):
        a5 = computations.compute(chain.step_run(ash_verified, "A5")).values
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
        dashboard = client.get("/dashboard/nominated_individual/").text
    assert a5["avg_confirmation_rate"] == 100.0
    assert figure(page, "avg-confirmation") == "100.0%; 3 not yet due (implementation due date still to come)"
    table = page.split('data-testid="summary-triggers"', 1)[1]
    assert "1 of 1 (100.0%); 3 not yet due" in table
    panel = dashboard.split("Executive learning summary", 1)[1]
    assert "100.0%; 3 not yet due" in panel


def test_before_anything_is_due_the_page_says_so(
    client, sign_in, log_falls_trigger, provider, quality_director, nominated_individual
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    summary = executive_summary(provider, SummaryFilters(period="all"), BEFORE_DUE)
    assert summary["avg_confirmation_rate"] is None
    sign_in(nominated_individual)
    with time_machine.travel(BEFORE_DUE, tick=False):
        page = client.get("/learning/summary/?period=all").text
    expected = "None due yet; 4 not yet due (implementation due date still to come)"
    assert figure(page, "avg-confirmation") == expected
    table = page.split('data-testid="summary-triggers"', 1)[1]
    assert "Not yet due (implementation due date still to come)" in table
