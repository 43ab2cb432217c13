"""A step past its deadline and not recorded is escalated as overdue by the scan."""

import pytest

from escalation import engine, services
from escalation.models import EngineEvent, Escalation
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db


A1_VALUES = {
    "matched_services": 1,
    "open_actions_due_5d": 0,
    "matched_service_rates": {"Birch Lodge": 0.4},
    "provider_median_rate": 0.5,
}


def test_nothing_is_overdue_before_the_deadline(chain_a, people):
    assert engine.tick(at(23, 9, 59)).raised == []
    assert not Escalation.objects.exists()


def test_a_step_not_recorded_by_its_deadline_is_escalated_to_its_target(chain_a, people):
    report = engine.tick(at(23, 10, 1))
    [escalation] = report.overdue
    assert escalation.step_run == step(chain_a, "A1")
    assert (escalation.kind, escalation.target_role, escalation.role_gap) == (
        "overdue",
        "operations_director",
        False,
    )
    assert escalation.occurred_at == at(23, 10)
    assert escalation.acknowledge_by == at(23, 11, 1)  # 1 working hour after it was raised
    assert "has not recorded it" in escalation.reason
    assert [n.user for n in escalation.notifications.all()] == [people.operations_director]
    a1 = step(chain_a, "A1")
    assert (a1.state, a1.overdue_at) == ("overdue", at(23, 10, 1))
    assert EngineEvent.objects.filter(kind="step_overdue", step_run=a1).count() == 1
    assert EngineEvent.objects.filter(kind="escalation_raised", escalation=escalation).count() == 1


def test_steps_fall_overdue_in_step_order(chain_a, people):
    assert [e.step_run.code for e in engine.tick(at(23, 10, 1)).overdue] == ["A1"]
    assert [e.step_run.code for e in engine.tick(at(23, 10, 19)).overdue] == ["A2"]
    assert [e.step_run.code for e in engine.tick(at(23, 13, 15)).overdue] == ["A3"]
    assert [e.step_run.code for e in engine.tick(at(23, 16, 7)).overdue] == ["A4"]
    assert [e.step_run.code for e in engine.tick(at(24, 15, 11)).overdue] == ["A5"]


def test_recording_late_still_evaluates_the_threshold(chain_a, people):
    engine.tick(at(23, 10, 19))
    values = {"pct_received_within_4h": 50, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    record = services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=values,
        now=at(23, 11),
        check_done=CHECK_DONE,
    )
    assert record.late and record.breached
    kinds = Escalation.objects.filter(step_run__code="A2").values_list("kind", flat=True)
    assert sorted(kinds) == ["breach", "overdue"]


def test_a_recorded_step_is_never_overdue(chain_a, people):
    services.record_step(
        step(chain_a, "A1"),
        by=people.quality_director,
        values=A1_VALUES,
        now=at(23, 9, 30),
        check_done=CHECK_DONE,
    )
    assert engine.tick(at(23, 10, 1)).raised == []


def test_a_closed_case_raises_no_overdue_escalations(chain_a, people):
    services.close_chain_run(chain_a, by=people.quality_director, reason="Duplicate trigger")
    assert engine.tick(at(25, 9)).raised == []


def test_an_overdue_escalation_says_when_the_step_was_recorded_late(chain_a, people, client, sign_in):
    """Its reason says the step "has not recorded it", which stays true of the moment it was raised; the
    page also says the step has since been recorded, so nobody chases a check already done."""
    from django.urls import reverse

    [escalation] = engine.tick(at(23, 10, 1)).overdue
    url = reverse("escalation:detail", args=[escalation.pk])
    sign_in(people.operations_director)
    assert "Recorded late" not in client.get(url).text

    services.record_step(
        step(chain_a, "A1"),
        by=people.quality_director,
        values=A1_VALUES,
        now=at(23, 10, 40),
        check_done=CHECK_DONE,
    )
    page = client.get(url).text
    assert "Recorded late" in page
    assert f"{people.quality_director} recorded it on Mon 23 Nov 2026 at 10:40" in page
