"""A step past its deadline and not recorded is escalated as overdue by the scan."""

import pytest

from escalation import engine, services
from escalation.models import EngineEvent, Escalation

from .conftest import at, step

pytestmark = pytest.mark.django_db


def test_nothing_is_overdue_before_the_deadline(chain_a, people):
    assert engine.tick(at(23, 10, 17)).raised == []
    assert not Escalation.objects.exists()


def test_a_step_not_recorded_by_its_deadline_is_escalated_to_its_target(chain_a, people):
    report = engine.tick(at(23, 10, 19))
    [escalation] = report.overdue
    assert escalation.step_run == step(chain_a, "A2")
    assert (escalation.kind, escalation.target_role, escalation.role_gap) == (
        "overdue",
        "quality_director",
        False,
    )
    assert escalation.occurred_at == at(23, 10, 18)
    assert escalation.acknowledge_by == at(23, 12, 19)  # 2 working hours after it was raised
    assert "has not recorded it" in escalation.reason
    assert [n.user for n in escalation.notifications.all()] == [people.quality_director]
    a2 = step(chain_a, "A2")
    assert (a2.state, a2.overdue_at) == ("overdue", at(23, 10, 19))
    assert EngineEvent.objects.filter(kind="step_overdue", step_run=a2).count() == 1
    assert EngineEvent.objects.filter(kind="escalation_raised", escalation=escalation).count() == 1


def test_recording_late_still_evaluates_the_threshold(chain_a, people):
    engine.tick(at(23, 10, 19))
    values = {"pct_received_within_4h": 50, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    record = services.record_step(
        step(chain_a, "A2"), by=people.governance_officer, values=values, now=at(23, 11)
    )
    assert record.late and record.breached
    assert sorted(Escalation.objects.values_list("kind", flat=True)) == ["breach", "overdue"]


def test_a_recorded_step_is_never_overdue(chain_a, people):
    values = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    services.record_step(step(chain_a, "A2"), by=people.governance_officer, values=values, now=at(23, 10))
    assert engine.tick(at(23, 10, 30)).raised == []


def test_a_closed_case_raises_no_overdue_escalations(chain_a, people):
    services.close_chain_run(chain_a, by=people.quality_director, reason="Duplicate trigger")
    assert engine.tick(at(25, 9)).raised == []
