"""A5's "defects repeated across the last 2 learning cycles" compares only cycles whose defects can be
known: learning just issued (its receipt window still open, or its exposure check A3, by which every
service needs an implementation lead, still to come) never pushes a real repeat out. The summary, the
nominated individual's dashboard and A5's own figure read one function, and the page names the cycles."""

from datetime import datetime, timedelta

import pytest
import time_machine

from escalation import computations
from learning_transfer import chain
from learning_transfer.services import acknowledge_notice, confirm_lead, issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary, headline

from .conftest import CONFIRMED, LONDON

pytestmark = pytest.mark.django_db
FIRST_ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 November 10:30
SECOND_ISSUED = CONFIRMED + timedelta(days=3)  # Sat 21 November 10:00
# The third is confirmed Mon 23 November 09:00 and issued at 09:30: its 4-hour receipt window closes at
# 13:30 and its A3 (exposure check) falls due at 13:14 on Tue 24 November.
THIRD_CONFIRMED = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
THIRD_ISSUED = THIRD_CONFIRMED + timedelta(minutes=30)
WINDOW_OPEN = THIRD_ISSUED + timedelta(hours=1)
WINDOW_CLOSED = THIRD_ISSUED + timedelta(hours=4, minutes=1)
A3_DUE = datetime(2026, 11, 24, 13, 15, tzinfo=LONDON)


def issue(trigger, at, quality_director, managers, operations_director, *, dove_in_time, leads=True):
    """Issue the learning at `at`; Ash Grove, Beech Lodge and Cedar Court acknowledge within the hour
    (Dove Cottage too when `dove_in_time`) and, with `leads`, every service gets its lead at once."""
    issue_notices(trigger, by=quality_director, now=at)
    keys = ["ash", "beech", "cedar"] + (["dove"] if dove_in_time else [])
    for match in trigger.matches.select_related("service", "trigger__provider"):
        key = match.service.name.split()[0].lower()
        if key in keys:
            acknowledge_notice(match.notices.get(), by=managers[key], now=at + timedelta(hours=1))
        if leads:
            confirm_lead(match, person=managers[key], by=operations_director, now=at + timedelta(hours=1))


@pytest.fixture
def repeat_then_new_learning(log_falls_trigger, quality_director, managers, operations_director):
    """Dove Cottage misses the receipt window in the first two cycles (a repeated distribution defect);
    every service has its lead in both. A third trigger is then logged and its learning issued."""
    first = log_falls_trigger()
    second = log_falls_trigger(
        title="Second fall", confirmed_at=CONFIRMED + timedelta(days=1), now=SECOND_ISSUED, log_late=True
    )
    third = log_falls_trigger(title="Third fall", confirmed_at=THIRD_CONFIRMED, now=THIRD_ISSUED)
    people = (quality_director, managers, operations_director)
    issue(first, FIRST_ISSUED, *people, dove_in_time=False)
    issue(second, SECOND_ISSUED, *people, dove_in_time=False)
    return first, second, third


def figures(provider, third, at, region=None):
    """The repeat as the summary, the dashboard's headline and A5's own figure count it at `at`."""
    summary = executive_summary(provider, SummaryFilters(period="all", region=region), at)
    a5 = computations.compute(chain.step_run(third, "A5"), at).values["repeated_defects"]
    return summary, headline(provider, at), a5


def found(defects) -> set:
    return {(d["service"], d["defect"]) for d in defects}


def test_new_learning_inside_its_receipt_window_does_not_hide_a_repeat(
    repeat_then_new_learning, provider, quality_director, managers, operations_director
):
    first, second, third = repeat_then_new_learning
    # Issued, and nobody has acknowledged or been given a lead yet: its defects cannot be known.
    issue_notices(third, by=quality_director, now=THIRD_ISSUED)
    summary, panel, a5 = figures(provider, third, WINDOW_OPEN)
    assert found(summary["repeated_defects"]) == {("Dove Cottage", "distribution")}
    assert found(panel["repeated_defects"]) == {("Dove Cottage", "distribution")} and a5 == 1
    assert [c.reference for c in summary["defect_cycles_compared"]] == [second.reference, first.reference]


def test_a_cycle_counts_only_once_its_exposure_check_has_fallen_due(
    repeat_then_new_learning, provider, quality_director, managers, operations_director
):
    first, second, third = repeat_then_new_learning
    # Every service received the third learning in time and has a lead: no defect in it.
    issue(third, THIRD_ISSUED, quality_director, managers, operations_director, dove_in_time=True)
    # The receipt window has closed, but A3 is still to come: the third is not a cycle yet.
    summary, panel, a5 = figures(provider, third, WINDOW_CLOSED)
    assert (
        found(summary["repeated_defects"])
        == found(panel["repeated_defects"])
        == {("Dove Cottage", "distribution")}
    )
    assert a5 == 1
    # Once A3 has fallen due the third is a cycle, and Dove Cottage did not repeat in it.
    summary, panel, a5 = figures(provider, third, A3_DUE)
    assert summary["repeated_defects"] == panel["repeated_defects"] == [] and a5 == 0
    assert [c.reference for c in summary["defect_cycles_compared"]] == [third.reference, second.reference]


def test_the_region_filter_compares_its_own_closed_cycles(
    repeat_then_new_learning, provider, quality_director, south
):
    first, second, third = repeat_then_new_learning
    issue_notices(third, by=quality_director, now=THIRD_ISSUED)
    summary = executive_summary(provider, SummaryFilters(period="all", region=south), WINDOW_OPEN)
    assert found(summary["repeated_defects"]) == {("Dove Cottage", "distribution")}


def test_the_page_names_the_cycles_it_compares(
    client, sign_in, repeat_then_new_learning, quality_director, nominated_individual
):
    first, second, third = repeat_then_new_learning
    issue_notices(third, by=quality_director, now=THIRD_ISSUED)
    with time_machine.travel(WINDOW_OPEN, tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
        dashboard = client.get("/dashboard/nominated_individual/").text
    shown = page.split('data-testid="repeated-defects">', 1)[1].split("</dd>", 1)[0]
    assert shown.startswith("1: Dove Cottage (distribution)")
    cycles = page.split('data-testid="defect-cycles">', 1)[1].split("</p>", 1)[0]
    assert f"{second.reference} and {first.reference}" in cycles
    assert third.reference in cycles and "not yet" in cycles  # said why the newest is not compared
    panel = dashboard.split("Repeated defects (last 2 cycles)", 1)[1].split("</dd>", 1)[0]
    assert panel.endswith(">1")


def test_fewer_closed_cycles_than_asked_are_said_so(
    client, sign_in, log_falls_trigger, quality_director, managers, operations_director, nominated_individual
):
    first = log_falls_trigger()
    issue(first, FIRST_ISSUED, quality_director, managers, operations_director, dove_in_time=False)
    with time_machine.travel(WINDOW_OPEN, tick=False):
        sign_in(nominated_individual)
        page = client.get("/learning/summary/?period=all").text
    cycles = page.split('data-testid="defect-cycles">', 1)[1].split("</p>", 1)[0]
    assert f"Only 1 learning cycle has closed ({first.reference})" in cycles
