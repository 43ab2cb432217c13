"""A3 and A4: each matched service's implementation lead, briefing, comparable risk and lines, and the
rule for verifying implementation (only verified action counts)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from escalation import computations
from learning_transfer import chain
from learning_transfer.services import (
    add_line,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
NOW = CONFIRMED + timedelta(hours=3)


@pytest.fixture
def issued(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    return trigger


def match(trigger, name):
    return trigger.matches.select_related("service", "trigger__provider").get(service__name=name)


def comparable_risks_found(trigger, managers, operations_director, **more_at_ash):
    """A comparable risk found 25 hours ago at Ash Grove (with `more_at_ash` of its exposure), and 2
    hours ago at Beech Lodge."""
    update_exposure(
        match(trigger, "Ash Grove"),
        by=operations_director,
        comparable_risk_open_since=NOW - timedelta(hours=25),
        now=NOW,
        **more_at_ash,
    )
    update_exposure(
        match(trigger, "Beech Lodge"),
        by=managers["beech"],
        comparable_risk_open_since=NOW - timedelta(hours=2),
        now=NOW,
    )


def test_a3_counts_services_without_lead_with_old_comparable_risk_and_incomplete_briefing(
    issued, managers, operations_director
):
    ash = match(issued, "Ash Grove")
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=NOW)
    comparable_risks_found(
        issued, managers, operations_director, briefing_completed_at=NOW - timedelta(hours=1)
    )
    assert computations.compute(chain.step_run(issued, "A3"), NOW).values == {
        "services_without_lead": 3,
        "comparable_risk_unresolved_24h": 1,  # Ash's is 25 hours old; Beech's only 2
        "briefing_incomplete": 3,
    }


def test_the_trigger_page_marks_each_comparable_risk_open_longer_than_a3_allows(
    issued, managers, operations_director, quality_director, client, sign_in
):
    comparable_risks_found(issued, managers, operations_director)
    sign_in(quality_director)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/learning/triggers/{issued.pk}/").text
    exposure = page[page.index('id="exposure"') :]
    rows = {name: exposure[exposure.index(name) :].split("</tr>")[0] for name in ("Ash Grove", "Beech Lodge")}
    assert "Over 24 hours" in rows["Ash Grove"]  # 25 hours old
    assert "Open since" in rows["Beech Lodge"] and "Over 24 hours" not in rows["Beech Lodge"]


def north_a4(trigger):
    """A4 runs once per region: the North's, where Ash Grove and Beech Lodge are."""
    return next(s for s in chain.region_step_runs(trigger, "A4") if s.region.name == "North")


def test_a4_counts_recent_briefings_tasks_due_and_expected_reduction(issued, managers, operations_director):
    ash = match(issued, "Ash Grove")
    update_exposure(
        ash,
        by=operations_director,
        briefing_completed_at=NOW - timedelta(hours=2),
        expected_reduction_pct=Decimal("15"),
        now=NOW,
    )
    update_exposure(
        match(issued, "Beech Lodge"),
        by=operations_director,
        # Not briefed yet: the learning reached it 2½ hours ago, so no earlier briefing can be logged.
        expected_reduction_pct=Decimal("10"),
        now=NOW,
    )
    add_line(
        ash,
        by=operations_director,
        task="Re-brief night staff",
        owner=managers["ash"],
        due_at=NOW + timedelta(hours=20),
    )
    add_line(
        ash,
        by=operations_director,
        task="Audit mats",
        owner=managers["ash"],
        due_at=NOW + timedelta(hours=30),
    )
    assert computations.compute(north_a4(issued), NOW).values == {
        "briefings_completed_4h": 1,
        "local_tasks_due_24h": 1,
        # Per matched service group: Ash Grove is high risk, Beech Lodge medium.
        "expected_reduction_pct": {"High-risk services": 15.0, "Medium-risk services": 10.0},
    }


def test_implementation_is_verified_only_with_lead_briefing_and_every_line_done(
    issued, managers, operations_director
):
    ash = match(issued, "Ash Grove")
    with pytest.raises(ValidationError) as error:
        confirm_implementation(ash, by=operations_director, now=NOW)
    assert "a confirmed implementation lead" in str(error.value)
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=NOW)
    update_exposure(ash, by=operations_director, briefing_completed_at=NOW, now=NOW)
    line = add_line(
        ash, by=operations_director, task="Re-brief", owner=managers["ash"], due_at=NOW + timedelta(hours=4)
    )
    with pytest.raises(ValidationError, match="every implementation line complete"):
        confirm_implementation(ash, by=operations_director, now=NOW)
    complete_line(line, by=managers["ash"], now=NOW)
    confirm_implementation(ash, by=operations_director, now=NOW)
    a5 = chain.step_run(issued, "A5")
    # Judged once A5 and the notices' implementation (72 hours after issue) have both fallen due.
    implementation_due = CONFIRMED + timedelta(minutes=30, hours=72, seconds=1)
    values = computations.compute(a5, max(a5.due_at + timedelta(minutes=1), implementation_due)).values
    assert values["avg_confirmation_rate"] == 25.0  # 1 of 4 matched services
    assert values["high_risk_lacking_action"] == 1  # Dove Cottage is high risk and unverified


def test_a_registered_manager_keeps_their_own_service_log_but_cannot_verify_it(issued, managers):
    ash = match(issued, "Ash Grove")
    confirm_lead(ash, person=managers["ash"], by=managers["ash"], now=NOW)
    with pytest.raises(PermissionDenied):
        confirm_lead(match(issued, "Beech Lodge"), person=managers["ash"], by=managers["ash"], now=NOW)
    with pytest.raises(PermissionDenied):
        confirm_implementation(ash, by=managers["ash"], now=NOW)


def test_the_lead_must_work_at_the_service(issued, managers, operations_director):
    with pytest.raises(ValidationError, match="does not work at Ash Grove"):
        confirm_lead(match(issued, "Ash Grove"), person=managers["beech"], by=operations_director, now=NOW)


def test_a_risk_cannot_be_resolved_before_it_was_found(issued, operations_director):
    with pytest.raises(ValidationError) as error:
        update_exposure(
            match(issued, "Ash Grove"),
            by=operations_director,
            comparable_risk_open_since=NOW,
            comparable_risk_resolved_at=NOW - timedelta(hours=1),
            now=NOW,
        )
    assert "comparable_risk_resolved_at" in error.value.message_dict


def test_the_operations_directors_panel_counts_every_match_and_names_those_waiting_longest_for_a_lead(
    issued, managers, operations_director, client, sign_in
):
    """The three counts are the matches' own, and the services named are the matches made first that
    still have no lead (the panel no longer sorts every match to name five)."""
    ash = match(issued, "Ash Grove")
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=NOW)
    update_exposure(ash, by=operations_director, briefing_completed_at=NOW - timedelta(hours=1))
    included = issued.matches.filter(included=True).select_related("service")
    without_lead = [m for m in included.order_by("pk") if not hasattr(m, "lead")]
    sign_in(operations_director)
    page = client.get("/dashboard/operations_director/")
    text = text_inside_main(page.text)
    briefing_incomplete = included.filter(briefing_completed_at__isnull=True).count()
    assert (
        f"{len(without_lead)} without a confirmed implementation lead, {briefing_incomplete} with the "
        f"mandatory briefing incomplete, {included.count()} not yet verified." in text
    )
    named = [str(m.service) for m in without_lead[:5]]
    listed = text.split("Waiting longest for a lead:")[1]
    assert [name for name in named if name in listed] == named and "Ash Grove (" not in listed
    assert [listed.index(name) for name in named] == sorted(listed.index(name) for name in named)


def test_a_lead_who_left_leads_nothing(
    issued, managers, operations_director, quality_director, client, sign_in
):
    """Found: Yusuf Price, his roles removed and his sign-in switched off, stayed Rowan Court's named
    implementation lead, and A3 counted the service as led."""
    ash = match(issued, "Ash Grove")
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=NOW)
    values = computations.compute(chain.step_run(issued, "A3"), NOW).values
    assert values["services_without_lead"] == 3
    type(managers["ash"]).objects.filter(pk=managers["ash"].pk).update(is_active=False)
    values = computations.compute(chain.step_run(issued, "A3"), NOW).values
    assert values["services_without_lead"] == 4
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert f"{managers['ash']} (left: sign-in switched off)" in page
