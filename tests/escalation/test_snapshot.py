"""An open case keeps the values it started with, whatever happens to the template later."""

from decimal import Decimal

import pytest

from escalation import services
from escalation.models import StepTemplate
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db


def test_an_open_case_keeps_its_snapshot_after_the_template_changes(
    chain_a, people, provider, elm_house, subject
):
    a2 = StepTemplate.objects.get(code="A2")
    a2.deadline_rule = {"kind": "clock_on_working_day", "time": "12:00", "working_days_after": 0}
    a2.threshold_rule = {"measure": "pct_received_within_4h", "op": "<", "value": 80}
    a2.escalate_to = "operations_director"
    a2.response_working_hours = Decimal(4)
    a2.save()

    snapshot = step(chain_a, "A2")
    assert snapshot.due_at == at(23, 10, 18)
    assert snapshot.threshold_rule["value"] == 100
    assert (snapshot.escalate_to, snapshot.response_working_hours) == ("quality_director", Decimal(2))
    values = {"pct_received_within_4h": 90, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    record = services.record_step(
        snapshot, by=people.governance_officer, values=values, now=at(23, 10), check_done=CHECK_DONE
    )
    assert record.breached and record.escalation.target_role == "quality_director"

    new_case = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(23, 8), service=elm_house
    )
    assert step(new_case, "A2").due_at == at(23, 12)
    assert step(new_case, "A2").threshold_rule["value"] == 80


def test_template_edits_are_kept_in_history(chains):
    a2 = StepTemplate.objects.get(code="A2")
    a2.response_working_hours = Decimal(3)
    a2._change_reason = "Quality committee decision"
    a2.save()
    assert a2.history.first().history_change_reason == "Quality committee decision"
