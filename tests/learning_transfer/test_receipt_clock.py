"""A2's 4-hour receipt clock starts at each matched service's own first notice (round 1).

A service the quality director adds after the first issue gets its round-1 notice later; it has 4 hours
from that notice, not from the trigger's first issue. Redistribution (round 2 on) never restarts it.
The A2 figures, the trigger page, the executive summary and redistribution all read the one rule.
"""

import re
from datetime import timedelta

import pytest
import time_machine

from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, adjust_match, issue_notices, redistribute
from learning_transfer.services.measures import distribution, picture
from learning_transfer.services.summary import SummaryFilters, executive_summary
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # the trigger's first issue, 10:30
ADDED = ISSUED + timedelta(hours=5)  # Ember Court added and issued its round-1 notice at 15:30


@pytest.fixture
def ember_manager(falls_provider):
    ember = falls_provider["ember"]
    person = person_with_role(Role.REGISTERED_MANAGER, service=ember, username="ember-manager")
    ember.registered_manager = person
    ember.save()
    return person


@pytest.fixture
def trigger(log_falls_trigger, managers, ember_manager, quality_director, falls_provider):
    """Issued to the four rule matches at 10:30; Ash Grove acknowledges at 11:30. Ember Court is added
    with a reason at 15:30 and issued its own notice then."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledge_notice(
        notice_for(trigger, "ash", falls_provider), by=managers["ash"], now=ISSUED + timedelta(hours=1)
    )
    adjust_match(trigger, falls_provider["ember"], True, "Same night rota", quality_director, now=ADDED)
    issue_notices(trigger, by=quality_director, now=ADDED)
    return trigger


def notice_for(trigger, key, falls_provider):
    return LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service=falls_provider[key], superseded_at=None
    )


def received(trigger, now):
    figures = distribution(picture(trigger, now))
    return figures["received"], figures["included"], figures["pct_received"]


def ember_row(page: str) -> str:
    """The notices table row of Ember Court on the trigger page."""
    table = page.split('data-testid="notices"', 1)[1].split("</table>", 1)[0]
    return next(row for row in re.split(r"<tr\b", table) if "Ember Court" in row)


def test_a_late_added_service_acknowledging_within_4_hours_of_its_own_notice_is_in_time(
    trigger, ember_manager, falls_provider, provider
):
    ember = notice_for(trigger, "ember", falls_provider)
    assert ember.round == 1 and ember.issued_at == ADDED
    acknowledge_notice(ember, by=ember_manager, now=ADDED + timedelta(minutes=10))
    now = ADDED + timedelta(hours=1)
    assert received(trigger, now) == (2, 5, 40.0)  # Ash Grove and Ember Court
    row = {r.match.service.name: r for r in picture(trigger, now).included}["Ember Court"]
    assert row.received_in_time
    summary = executive_summary(provider, SummaryFilters(period="all"), now)
    assert (summary["services_received_in_time"], summary["services_issued"]) == (2, 5)
    assert summary["trigger_rows"][0]["received_in_time"] == 2


def test_the_trigger_page_marks_the_late_added_service_within_4_hours(
    client, sign_in, trigger, ember_manager, falls_provider, quality_director
):
    acknowledge_notice(
        notice_for(trigger, "ember", falls_provider), by=ember_manager, now=ADDED + timedelta(minutes=10)
    )
    sign_in(quality_director)
    with time_machine.travel(ADDED + timedelta(hours=1), tick=False):
        page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Within 4 hours" in ember_row(page) and "Late" not in ember_row(page)
    assert "40.0%" in page.split('data-testid="pct-received"', 1)[1].split("</dd>", 1)[0]


def test_a_late_added_service_acknowledging_after_4_hours_of_its_own_notice_is_late(
    trigger, ember_manager, falls_provider, provider
):
    acknowledge_notice(
        notice_for(trigger, "ember", falls_provider),
        by=ember_manager,
        now=ADDED + timedelta(hours=4, minutes=1),
    )
    now = ADDED + timedelta(hours=5)
    assert received(trigger, now) == (1, 5, 20.0)
    summary = executive_summary(provider, SummaryFilters(period="all"), now)
    assert summary["services_received_in_time"] == 1


def test_a_late_added_service_is_not_redistributed_within_its_own_4_hours(
    trigger, falls_provider, governance_officer
):
    reissued = redistribute(trigger, by=governance_officer, now=ADDED + timedelta(minutes=30))
    assert sorted(n.service.name for n in reissued) == ["Beech Lodge", "Cedar Court", "Dove Cottage"]
    assert notice_for(trigger, "ember", falls_provider).round == 1


def test_redistribution_does_not_restart_the_clock_of_a_late_added_service(
    trigger, ember_manager, falls_provider, governance_officer
):
    at = ADDED + timedelta(hours=4)  # Ember Court's own 4 hours are over, unacknowledged
    reissued = redistribute(trigger, by=governance_officer, now=at)
    assert "Ember Court" in {n.service.name for n in reissued}
    second = notice_for(trigger, "ember", falls_provider)
    assert second.round == 2
    acknowledge_notice(second, by=ember_manager, now=at + timedelta(minutes=10))
    row = {r.match.service.name: r for r in picture(trigger, at + timedelta(hours=1)).included}["Ember Court"]
    assert not row.received_in_time  # received only on redistribution: not within 4 h of its first notice
