"""A4 judges the expected reduction of each risk-level group: recorded with no group at all, it would
read "within threshold" with nothing to judge. Such a record is refused on the field, and nothing is kept."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import services
from escalation.models import StepRecord
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

NO_GROUPS = {"briefings_completed_4h": 3, "local_tasks_due_24h": 2, "expected_reduction_pct": {}}
NEEDED = "Enter the expected reduction in comparable risk exposure for each risk-level group"


def test_a4_with_no_risk_level_group_is_refused_on_its_field(chain_a, people):
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            step(chain_a, "A4"),
            by=people.deputy_regional_manager,
            values=NO_GROUPS,
            now=at(23, 15),
            check_done=CHECK_DONE,
        )
    [message] = refused.value.message_dict["expected_reduction_pct"]
    assert message.startswith(NEEDED)
    assert not StepRecord.objects.exists()
    assert step(chain_a, "A4").state == "due"


def test_a4_with_each_group_is_judged_as_before(chain_a, people):
    values = {**NO_GROUPS, "expected_reduction_pct": {"High risk": 15, "Medium risk": 11}}
    record = services.record_step(
        step(chain_a, "A4"),
        by=people.deputy_regional_manager,
        values=values,
        now=at(23, 15),
        check_done=CHECK_DONE,
    )
    assert record.breached


def test_a_per_item_measure_that_may_be_empty_still_records_with_no_items(chain_a, people):
    """A1 with no matched service has no rate to list: that is a real answer, not a missing one."""
    values = {
        "matched_services": 0,
        "open_actions_due_5d": 0,
        "matched_service_rates": {},
        "provider_median_rate": 0.5,
    }
    record = services.record_step(
        step(chain_a, "A1"), by=people.quality_director, values=values, now=at(23, 9), check_done=CHECK_DONE
    )
    assert record.breached is False


def test_the_step_page_shows_it_on_the_field(chain_a, people, client, sign_in, time_machine):
    time_machine.move_to(at(23, 15), tick=False)
    sign_in(people.deputy_regional_manager)
    page = client.post(
        reverse("escalation:step_run", args=[step(chain_a, "A4").pk]),
        {"briefings_completed_4h": "3", "local_tasks_due_24h": "2", "expected_reduction_pct": "\n \n"},
    ).text
    assert "There is a problem" in page and NEEDED.lower() in page.lower()
    assert not StepRecord.objects.exists()
