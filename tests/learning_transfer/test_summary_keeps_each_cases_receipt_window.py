"""A provider administrator changes A2's receipt window from 4 to 6 hours: "your change applies to cases
started from now on". The executive summary, the nominated individual's dashboard and A5's repeated
defects judge every trigger by the window its own case started with, so the board's past figures do not
change; a trigger started after the change is judged by 6 hours, a trigger with no case by the setting
now; and the summary does not claim one window for all when they differ."""

import html
from datetime import datetime, timedelta

import pytest
import time_machine

from escalation import computations
from learning_transfer import chain
from learning_transfer.models import LearningNotice, LearningTrigger
from learning_transfer.services import acknowledge_notice, confirm_lead, issue_notices
from learning_transfer.services.notices import refresh_notice_figures
from learning_transfer.services.summary import SummaryFilters, executive_summary, headline
from tests.factories import ServiceFactory

from .conftest import CONFIRMED, LONDON
from .test_query_counts import make_triggers

pytestmark = pytest.mark.django_db
SIX_HOURS = {"pct_received_within_4h": {"window_hours": 6}}
FIRST_ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 November 10:30
SECOND_ISSUED = CONFIRMED + timedelta(days=3)  # Sat 21 November 10:00
# Both cycles are closed by Monday 23 November 09:10: windows ended, exposure checks (A3) fallen due.
BEFORE_THE_CHANGE = datetime(2026, 11, 23, 9, 10, tzinfo=LONDON)
# A third trigger is logged after the change, issued at 09:30 Monday; by 13:15 Tuesday its receipt
# window has ended and its A3 has fallen due, so it is the newest closed cycle.
THIRD_CONFIRMED = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
THIRD_ISSUED = THIRD_CONFIRMED + timedelta(minutes=30)
THIRD_CLOSED = datetime(2026, 11, 24, 13, 15, tzinfo=LONDON)


def issue(trigger, at, quality_director, managers, operations_director) -> None:
    """Issue the learning at `at`: Ash Grove, Beech Lodge and Cedar Court acknowledge within the hour,
    Dove Cottage 5 hours after (late with a 4-hour window, in time with 6); every service has its lead."""
    issue_notices(trigger, by=quality_director, now=at)
    for match in trigger.matches.select_related("service", "trigger__provider"):
        key = match.service.name.split()[0].lower()
        after = timedelta(hours=5 if key == "dove" else 1)
        acknowledge_notice(match.notices.get(), by=managers[key], now=at + after)
        confirm_lead(match, person=managers[key], by=operations_director, now=at + timedelta(hours=1))


@pytest.fixture
def two_cycles_under_four_hours(log_falls_trigger, quality_director, managers, operations_director):
    """Two triggers whose cases started with the 4-hour window; Dove Cottage is late in both."""
    first = log_falls_trigger()
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=SECOND_ISSUED, log_late=True
    )
    for trigger, at in ((first, FIRST_ISSUED), (second, SECOND_ISSUED)):
        issue(trigger, at, quality_director, managers, operations_director)
    return first, second


def what_the_board_sees(client, sign_in, nominated_individual, provider, second, at) -> dict:
    """The summary's figures, its page, the dashboard's headline and the open case's A5 figure at `at`."""
    summary = executive_summary(provider, SummaryFilters(period="all"), at)
    with time_machine.travel(at, tick=False):
        sign_in(nominated_individual)
        page = html.unescape(client.get("/learning/summary/?period=all").text)
        dashboard = client.get("/dashboard/nominated_individual/").text
    received = page.split('data-testid="received-in-time">', 1)[1].split("</dd>", 1)[0]
    label = page.split('data-testid="received-in-time">', 1)[0].rsplit("<dt", 1)[1]
    return {
        "received": (summary["services_received_in_time"], summary["services_issued"]),
        "label": label.split(">", 1)[1].split("</dt>", 1)[0],
        "received_shown": received.split("<", 1)[0],
        "repeated": [(d["service"], d["defect"]) for d in summary["repeated_defects"]],
        "repeated_shown": page.split('data-testid="repeated-defects">', 1)[1].split("</dd>", 1)[0],
        "headline": [(d["service"], d["defect"]) for d in headline(provider, at)["repeated_defects"]],
        "panel": dashboard.split("Repeated defects (last 2 cycles)", 1)[1].split("</dd>", 1)[0][-2:],
        "a5": computations.compute(chain.step_run(second, "A5"), at).values["repeated_defects"],
    }


def test_changing_the_window_does_not_rewrite_the_past_figures(
    two_cycles_under_four_hours, tune, client, sign_in, nominated_individual, provider
):
    first, second = two_cycles_under_four_hours
    before = what_the_board_sees(client, sign_in, nominated_individual, provider, second, BEFORE_THE_CHANGE)
    assert before == {
        "received": (6, 8),  # Dove Cottage late in both cycles
        "label": "Matched services receiving notices within 4 hours",
        "received_shown": "6 of 8",
        "repeated": [("Dove Cottage", "distribution")],
        "repeated_shown": "1: Dove Cottage (distribution)",
        "headline": [("Dove Cottage", "distribution")],
        "panel": ">1",
        "a5": 1,
    }
    tune("A2", SIX_HOURS)  # "applies to cases started from now on"
    after = what_the_board_sees(client, sign_in, nominated_individual, provider, second, BEFORE_THE_CHANGE)
    assert after == before


def test_a_trigger_started_after_the_change_is_judged_by_six_hours(
    two_cycles_under_four_hours,
    tune,
    log_falls_trigger,
    quality_director,
    managers,
    operations_director,
    client,
    sign_in,
    nominated_individual,
    provider,
):
    first, second = two_cycles_under_four_hours
    tune("A2", SIX_HOURS)
    third = log_falls_trigger(title="Third fall", confirmed_at=THIRD_CONFIRMED, now=THIRD_ISSUED)
    issue(third, THIRD_ISSUED, quality_director, managers, operations_director)
    seen = what_the_board_sees(client, sign_in, nominated_individual, provider, second, THIRD_CLOSED)
    # The two older triggers still 6 of 8 with 4 hours; the third 4 of 4, Dove Cottage in time with 6.
    assert seen["received"] == (10, 12) and seen["received_shown"] == "10 of 12"
    assert seen["label"] == (
        "Matched services receiving notices within their trigger's own receipt window, the one its "
        "case started with (4 hours for 2 triggers, 6 hours for 1)"
    )
    # The newest two closed cycles are the third and the second: Dove Cottage did not repeat.
    assert seen["repeated"] == seen["headline"] == [] and seen["a5"] == 0 and seen["panel"] == ">0"
    summary = executive_summary(provider, SummaryFilters(period="all"), THIRD_CLOSED)
    rows = {row["trigger"].pk: row for row in summary["trigger_rows"]}
    assert [
        (rows[t.pk]["received_in_time"], rows[t.pk]["receipt_hours"]) for t in (third, second, first)
    ] == [
        (4, 6),
        (3, 4),
        (3, 4),
    ]
    with time_machine.travel(THIRD_CLOSED, tick=False):
        page = html.unescape(client.get("/learning/summary/?period=all").text)
    table = page.split('data-testid="summary-triggers">', 1)[1]
    assert "4 of 4 within 6 hours" in table and "3 of 4 within 4 hours" in table
    cycles = page.split('data-testid="defect-cycles">', 1)[1].split("</p>", 1)[0]
    assert "its trigger's receipt window has ended" in cycles and "-hour" not in cycles


def test_a_trigger_with_no_case_is_judged_by_the_setting_now(tune, provider, north, quality_director):
    """A history loaded without a case: the one service not acknowledging within the hour does so 5
    hours after its notice, in time with the 6 hours the provider runs now."""
    services = [ServiceFactory(region=north) for _ in range(2)]
    make_triggers([1], provider, services, quality_director)
    trigger = LearningTrigger.objects.get(title="Fall 1")
    tune("A2", SIX_HOURS)
    late = LearningNotice.objects.get(matched_service__trigger=trigger, acknowledged_at=None)
    late.acknowledged_at = late.issued_at + timedelta(hours=5)
    late.save()
    refresh_notice_figures(trigger.matches.values("pk"))
    summary = executive_summary(provider, SummaryFilters(period="all"), CONFIRMED + timedelta(days=5))
    assert (summary["services_received_in_time"], summary["services_issued"]) == (2, 2)
    assert summary["receipt_window_hours"] == 6
