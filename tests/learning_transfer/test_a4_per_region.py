"""A4 across the matched services: one A4 per region that has matched services, recorded by that
region's Deputy Regional Manager, measuring that region's services, and its rule judged per matched
service group (the region's matched services of one risk level).

The falls trigger at Elm House (North) matches Ash Grove (North, high risk), Beech Lodge (North,
medium), Cedar Court (South, medium) and Dove Cottage (South, high).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from escalation import computations, permissions
from escalation import services as engine
from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.services import adjust_match, update_exposure
from learning_transfer.services.summary import SummaryFilters, executive_summary
from providers.actions import AlreadyDone
from providers.choices import RiskLevel, Role
from tests.factories import CHECK_DONE, RegionFactory, ServiceFactory, person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
NOW = CONFIRMED + timedelta(hours=3)


@pytest.fixture
def deputies(north, south):
    return {
        "north": person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm-north"),
        "south": person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=south, username="drm-south"),
    }


@pytest.fixture
def trigger(log_falls_trigger):
    return log_falls_trigger()


def a4_runs(trigger) -> dict:
    return {run.region.name: run for run in chain.region_step_runs(trigger, "A4")}


def expect(trigger, operations_director, reductions: dict) -> None:
    """Record each matched service's expected reduction in comparable risk."""
    for name, pct in reductions.items():
        match = trigger.matches.select_related("trigger__provider", "service").get(service__name=name)
        update_exposure(match, by=operations_director, expected_reduction_pct=Decimal(pct), now=NOW)


def test_one_a4_per_region_with_matched_services_each_for_its_deputy(trigger, deputies):
    runs = a4_runs(trigger)
    assert sorted(runs) == ["North", "South"]
    assert {run.due_at for run in runs.values()} == {chain.step_run(trigger, "A4").due_at}  # one deadline
    assert all(run.role == Role.DEPUTY_REGIONAL_MANAGER for run in runs.values())
    assert deputies["north"].has_perm("escalation.record_step", runs["North"])
    assert deputies["south"].has_perm("escalation.record_step", runs["South"])
    assert not deputies["north"].has_perm("escalation.record_step", runs["South"])
    assert not deputies["south"].has_perm("escalation.record_step", runs["North"])
    # The South's deputy sees the case although the failure happened in the North.
    assert permissions.visible_step_runs(deputies["south"]).filter(pk=runs["South"].pk).exists()


def test_a_deputy_cannot_record_another_regions_a4(trigger, deputies):
    values = {"briefings_completed_4h": 0, "local_tasks_due_24h": 0, "expected_reduction_pct": {}}
    with pytest.raises(PermissionDenied, match="Deputy Regional Manager"):
        engine.record_step(
            a4_runs(trigger)["South"], by=deputies["north"], values=values, now=NOW, check_done=CHECK_DONE
        )


def test_each_regions_a4_measures_only_its_own_matched_services_by_risk_level_group(
    trigger, operations_director
):
    expect(
        trigger,
        operations_director,
        {"Ash Grove": 15, "Beech Lodge": 13, "Cedar Court": 20, "Dove Cottage": 9},
    )
    with time_machine.travel(NOW, tick=False):
        north = computations.compute(a4_runs(trigger)["North"]).values
        south = computations.compute(a4_runs(trigger)["South"]).values
    assert north["expected_reduction_pct"] == {"High-risk services": 15.0, "Medium-risk services": 13.0}
    assert south["expected_reduction_pct"] == {"High-risk services": 9.0, "Medium-risk services": 20.0}


def test_the_rule_is_judged_per_group_so_only_the_weak_regions_a4_escalates(
    trigger, deputies, operations_director, provider
):
    compliance = person_with_role(Role.COMPLIANCE_MANAGER, provider=provider, username="compliance")
    expect(
        trigger,
        operations_director,
        {"Ash Grove": 15, "Beech Lodge": 13, "Cedar Court": 20, "Dove Cottage": 9},
    )
    runs = a4_runs(trigger)
    for region, run in runs.items():
        with time_machine.travel(NOW, tick=False):
            values = computations.compute(run).values
        engine.record_step(run, by=deputies[region.lower()], values=values, now=NOW, check_done=CHECK_DONE)
    [escalation] = Escalation.objects.filter(kind="breach")
    assert escalation.step_run == runs["South"]  # the South's high-risk group expects only 9 %
    assert escalation.target_role == "compliance_manager"
    assert [n.user for n in escalation.notifications.all()] == [compliance]
    assert "High-risk services" in str(escalation.deciding)


def test_a_groups_figure_is_the_mean_of_its_services(trigger, operations_director, quality_director, south):
    ember = trigger.provider.services.get(name="Ember Court")  # South, medium risk, not matched by rule
    adjust_match(trigger, ember, True, "Same night staffing model.", by=quality_director, now=NOW)
    expect(trigger, operations_director, {"Cedar Court": 20, "Ember Court": 5, "Dove Cottage": 12})
    with time_machine.travel(NOW, tick=False):
        south = computations.compute(a4_runs(trigger)["South"]).values
    # A weak service can sit in a group that passes: the page lists each service beside its group.
    assert south["expected_reduction_pct"] == {"High-risk services": 12.0, "Medium-risk services": 12.5}


def test_a_service_matched_later_in_a_new_region_gets_that_regions_a4(trigger, quality_director, provider):
    midlands = RegionFactory(provider=provider, name="Midlands")
    oak = ServiceFactory(region=midlands, name="Oak Mews", risk_level=RiskLevel.HIGH)
    adjust_match(trigger, oak, True, "Same building layout.", by=quality_director, now=NOW)
    runs = a4_runs(trigger)
    assert sorted(runs) == ["Midlands", "North", "South"]
    assert runs["Midlands"].due_at == runs["North"].due_at
    with pytest.raises(AlreadyDone):  # adding it again changes nothing
        adjust_match(trigger, oak, True, "Still matched.", by=quality_director, now=NOW)
    adjust_match(trigger, oak, False, "Not after all.", by=quality_director, now=NOW)
    adjust_match(trigger, oak, True, "Matched again.", by=quality_director, now=NOW)
    assert len(a4_runs(trigger)) == 3  # once per region, however often


def test_the_trigger_page_shows_each_regions_a4_and_its_groups(
    client, trigger, deputies, operations_director
):
    expect(trigger, operations_director, {"Ash Grove": 15, "Dove Cottage": 9})
    # Each deputy sees their own region's check; another region's lateness and holder are not theirs.
    name = "Check each region put the learning in place – {}"
    for own, other in (("north", "South"), ("south", "North")):
        client.force_login(deputies[own])
        page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
        assert f'{name.format(own.capitalize())} <span class="app-code">A4</span>' in page
        assert name.format(other) not in page
    assert "grouped by risk level" in page
    assert "High-risk services" in page and "Dove Cottage" in page


def test_the_summary_counts_a_triggers_own_escalations_in_every_region_it_reaches(
    trigger, deputies, operations_director, governance_officer, provider, north, south
):
    """Found: filtered to a region, the summary counted the escalations about a whole trigger (A2, A3,
    A5) in the region of the service where the failure happened only: a region whose service never
    received the learning showed none of the A2 escalation it caused. A trigger's own escalations now
    count in every region it reaches; a region's check (A4) only in its region."""
    expect(
        trigger,
        operations_director,
        {"Ash Grove": 15, "Beech Lodge": 13, "Cedar Court": 20, "Dove Cottage": 9},
    )
    south_a4 = a4_runs(trigger)["South"]
    with time_machine.travel(NOW, tick=False):
        values = computations.compute(south_a4).values
    engine.record_step(south_a4, by=deputies["south"], values=values, now=NOW, check_done=CHECK_DONE)
    a2 = chain.step_run(trigger, "A2")
    with time_machine.travel(NOW, tick=False):
        values = computations.compute(a2).values  # the learning not issued: nothing received
    chain.record(trigger, "A2", by=governance_officer, values=values, now=NOW, check_done=CHECK_DONE)
    assert Escalation.objects.filter(kind="breach").count() == 2

    def open_in(region):
        return executive_summary(provider, SummaryFilters(region=region, period="all"), NOW)["escalations"][
            "open"
        ]

    assert open_in(None) == 2
    assert open_in(north) == 1  # the trigger's A2; not the South's A4
    assert open_in(south) == 2  # the trigger's A2 and its own A4
