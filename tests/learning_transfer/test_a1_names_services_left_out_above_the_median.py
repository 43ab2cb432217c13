"""Tester 17 (M5): leaving out by hand the only matched service above the provider median turned A1's
decision to "Mandatory learning not required", and the A1 record read "no action needed … no matched
service's incident rate … is above the provider median", naming the three left, never the one left out.
A comparable service left out is a warning sign the spec names: the decision and the A1 record now say
which services above the median were left out by hand."""

import pytest
import time_machine

from learning_transfer import chain
from learning_transfer.services import adjust_match

from .conftest import CONFIRMED, add_incidents

pytestmark = pytest.mark.django_db
SAID = "Left out by hand while above the provider median: Ash Grove (1.143)"


@pytest.fixture
def ash_left_out(log_falls_trigger, falls_provider, quality_director):
    add_incidents(falls_provider["ash"], 1, prefix="extra")  # Ash Grove at 8 / 700 h, above the median of 1.0
    trigger = log_falls_trigger()
    adjust_match(trigger, falls_provider["ash"], False, "Different building layout.", quality_director)
    return trigger


def test_the_decision_names_the_service_left_out_above_the_median(
    client, sign_in, ash_left_out, quality_director
):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{ash_left_out.pk}/").text
    explanation = page.split('data-testid="a1-explanation">', 1)[1].split("</p>", 1)[0]
    assert explanation.startswith("Mandatory learning not required: 3 matched services, 0 above")
    assert SAID in explanation


def test_the_a1_record_names_it_too(client, sign_in, ash_left_out, quality_director):
    sign_in(quality_director)
    with time_machine.travel(CONFIRMED, tick=True):
        client.post(f"/learning/triggers/{ash_left_out.pk}/a1/")
    record = chain.step_run(ash_left_out, "A1").records.get(is_current=True)
    assert not record.breached
    assert SAID in record.explanation


def test_nothing_is_said_when_no_service_left_out_was_above_it(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()  # Ash Grove at 1.0, equal to the median: not above it
    adjust_match(trigger, falls_provider["ash"], False, "Different building layout.", quality_director)
    sign_in(quality_director)
    assert "Left out by hand while above" not in client.get(f"/learning/triggers/{trigger.pk}/").text
