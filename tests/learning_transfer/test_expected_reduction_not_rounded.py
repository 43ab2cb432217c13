"""The expected reduction at a matched service is kept as entered, to one decimal place: A4 escalates
below 12 %, so 11.96 silently kept as 12.0 would hide the breach the person entered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from learning_transfer.services import issue_notices, update_exposure

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
NOW = CONFIRMED + timedelta(hours=3)
TO_ONE_PLACE = "Give the expected reduction to one decimal place, like 11.9"


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


@pytest.mark.parametrize("entered", ["11.96", "12.3456789", "0.05"])
def test_more_than_one_decimal_place_is_refused_on_the_field(ash, operations_director, entered):
    with pytest.raises(ValidationError) as error:
        update_exposure(ash, by=operations_director, expected_reduction_pct=Decimal(entered), now=NOW)
    assert TO_ONE_PLACE in error.value.message_dict["expected_reduction_pct"][0]
    ash.refresh_from_db()
    assert ash.expected_reduction_pct is None


@pytest.mark.parametrize("entered", ["11.9", "12", "11.90", "100", "0"])
def test_one_decimal_place_or_none_is_kept_as_entered(ash, operations_director, entered):
    update_exposure(ash, by=operations_director, expected_reduction_pct=Decimal(entered), now=NOW)
    ash.refresh_from_db()
    assert ash.expected_reduction_pct == Decimal(entered)


@pytest.mark.parametrize("entered", ["11.96", "12.3456789"])
def test_the_exposure_form_refuses_a_second_decimal_place_and_keeps_what_was_stored(
    client, sign_in, ash, operations_director, entered
):
    update_exposure(ash, by=operations_director, expected_reduction_pct=Decimal("15"), now=NOW)
    sign_in(operations_director)
    response = client.post(f"/learning/matches/{ash.pk}/exposure/", {"expected_reduction_pct": entered})
    assert response.status_code == 200  # the form again, with the error beside the field
    form = response.context["form"]
    assert form.errors["expected_reduction_pct"] == [f"{TO_ONE_PLACE}."]
    assert f'value="{entered}"' in response.text  # what the person typed stays in the box
    ash.refresh_from_db()
    assert ash.expected_reduction_pct == Decimal("15.0")


def test_the_exposure_form_keeps_11_9_below_the_a4_threshold(client, sign_in, ash, operations_director):
    sign_in(operations_director)
    response = client.post(f"/learning/matches/{ash.pk}/exposure/", {"expected_reduction_pct": "11.9"})
    assert response.status_code == 302
    ash.refresh_from_db()
    assert ash.expected_reduction_pct == Decimal("11.9")
