"""A4's expected reduction per risk-level group is the exposure log's (the mean of the group's services'
figures): the Deputy Regional Manager recording it cannot add a group the region does not have, give a
figure the log does not hold, or record another figure than the log's; and where a group has no figure
yet, the check says whose log it waits for.

The falls trigger at Elm House matches, in the North, Ash Grove (high risk) and Beech Lodge (medium).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import computations
from escalation import services as engine
from escalation.models import StepRecord
from learning_transfer import chain
from learning_transfer.services import update_exposure
from providers.choices import Role
from tests.factories import CHECK_DONE, person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
NOW = CONFIRMED + timedelta(hours=3)
GROUPS = "expected_reduction_pct"


@pytest.fixture
def trigger(log_falls_trigger):
    return log_falls_trigger()


@pytest.fixture
def deputy(north):
    return person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm-north")


@pytest.fixture
def north_a4(trigger):
    return next(run for run in chain.region_step_runs(trigger, "A4") if run.region.name == "North")


def expect(trigger, by, reductions: dict) -> None:
    for name, pct in reductions.items():
        match = trigger.matches.select_related("trigger__provider", "service").get(service__name=name)
        update_exposure(match, by=by, expected_reduction_pct=Decimal(pct), now=NOW)


def record(run, by, groups: dict):
    with time_machine.travel(NOW, tick=False):
        values = computations.compute(run).values | {GROUPS: groups}
        return engine.record_step(run, by=by, values=values, now=NOW, check_done=CHECK_DONE)


def refusal(run, by, groups: dict) -> str:
    with pytest.raises(ValidationError) as refused:
        record(run, by, groups)
    assert not StepRecord.objects.exists()
    return " ".join(refused.value.message_dict[GROUPS])


def test_a_group_the_region_does_not_have_is_refused_naming_its_groups(
    trigger, north_a4, deputy, operations_director
):
    expect(trigger, operations_director, {"Ash Grove": 15, "Beech Lodge": 14})
    message = refusal(
        north_a4, deputy, {"High-risk services": 15, "Medium-risk services": 14, "MadeUp group": 50}
    )
    assert "MadeUp group" in message
    assert "High-risk services, Medium-risk services" in message


def test_a_figure_for_a_group_with_none_in_the_exposure_log_is_refused_saying_why(
    trigger, north_a4, deputy, operations_director
):
    expect(trigger, operations_director, {"Ash Grove": 15})
    message = refusal(north_a4, deputy, {"High-risk services": 15, "Medium-risk services": 25})
    assert "No expected reduction is recorded yet for Beech Lodge" in message
    assert "exposure log" in message


def test_a_figure_other_than_the_exposure_logs_is_refused(trigger, north_a4, deputy, operations_director):
    expect(trigger, operations_director, {"Ash Grove": 15, "Beech Lodge": 14})
    message = refusal(north_a4, deputy, {"High-risk services": 25, "Medium-risk services": 14})
    assert "High-risk services" in message and "15" in message and "exposure log" in message


def test_leaving_out_a_group_the_log_has_a_figure_for_is_refused(
    trigger, north_a4, deputy, operations_director
):
    # Left out, the weak medium-risk group would never be judged.
    expect(trigger, operations_director, {"Ash Grove": 15, "Beech Lodge": 9})
    message = refusal(north_a4, deputy, {"High-risk services": 15})
    assert "Medium-risk services" in message and "9" in message


def test_the_exposure_logs_figures_are_recorded_and_judged(trigger, north_a4, deputy, operations_director):
    expect(trigger, operations_director, {"Ash Grove": 15, "Beech Lodge": 9})
    kept = record(north_a4, deputy, {"High-risk services": "15", "Medium-risk services": "9.0"})
    assert kept.breached


def test_the_check_page_says_whose_exposure_log_a_group_waits_for(
    client, trigger, north_a4, deputy, operations_director
):
    expect(trigger, operations_director, {"Ash Grove": 15})
    client.force_login(deputy)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("escalation:step_run", args=[north_a4.pk])).text
    # Shown in the read-only table of the groups' figures, beside the group.
    row = page.split("Medium-risk services</td>", 1)[1].split("</tr>", 1)[0]
    assert (
        "No figure yet: no expected reduction is recorded yet for Beech Lodge; "
        "its registered manager records it in the exposure log"
    ) in row
