"""An escalation nobody acknowledges in time climbs: Provider Director, then Nominated Individual."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalation import engine, services
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db


def a2(escalations):
    """Only A2's escalations (A1, A3 and A4 fall due too as the day goes on)."""
    return [e for e in escalations if e.step_run.code == "A2"]


def test_an_unacknowledged_escalation_goes_to_the_provider_director_then_the_nominated_individual(
    chain_a, people
):
    [overdue] = a2(engine.tick(at(23, 10, 19)).overdue)  # A2 → Quality Director, acknowledge by 12:19
    assert a2(engine.tick(at(23, 12, 18)).follow_ups) == []

    [second] = a2(engine.tick(at(23, 12, 20)).follow_ups)
    assert (second.kind, second.level, second.target_role) == ("follow_up", 2, "provider_director")
    assert second.parent == overdue and second.root == overdue
    assert second.acknowledge_by == at(23, 14, 20)
    assert "Not acknowledged by the Quality Director within 2 working hours" in second.reason
    assert [n.user for n in second.notifications.all()] == [people.provider_director]

    [third] = a2(engine.tick(at(23, 14, 21)).follow_ups)
    assert (third.level, third.target_role, third.parent, third.root) == (
        3,
        "nominated_individual",
        second,
        overdue,
    )
    assert [n.user for n in third.notifications.all()] == [people.nominated_individual]

    assert a2(engine.tick(at(24, 17)).follow_ups) == []  # the Nominated Individual is the top
    assert Escalation.objects.filter(step_run__code="A2").count() == 3


def test_an_acknowledged_escalation_does_not_climb(chain_a, people):
    [overdue] = a2(engine.tick(at(23, 10, 19)).overdue)
    services.acknowledge(overdue, by=people.quality_director, now=at(23, 11))
    assert a2(engine.tick(at(23, 17)).follow_ups) == []
    overdue.refresh_from_db()
    assert (overdue.state, overdue.acknowledged_by) == ("acknowledged", people.quality_director)


def test_acknowledging_any_level_stops_the_whole_thread(chain_a, people):
    [overdue] = a2(engine.tick(at(23, 10, 19)).overdue)
    [second] = a2(engine.tick(at(23, 12, 20)).follow_ups)
    services.acknowledge(overdue, by=people.quality_director, now=at(23, 12, 30))  # late, but answered
    assert a2(engine.tick(at(23, 16)).follow_ups) == []
    second.refresh_from_db()
    assert second.follow_up_due is False


def test_a_step_targeting_the_provider_director_climbs_straight_to_the_nominated_individual(chain_a, people):
    engine.tick(at(23, 13, 15))  # A2 and A3 overdue
    a3 = Escalation.objects.get(step_run__code="A3")
    assert a3.target_role == "provider_director" and a3.acknowledge_by == at(23, 16, 15)
    [follow_up] = [e for e in engine.tick(at(23, 16, 16)).follow_ups if e.step_run.code == "A3"]
    assert (follow_up.level, follow_up.target_role) == (2, "nominated_individual")


def test_acting_needs_a_person_told_the_target_role_or_the_nominated_individual(chain_a, people):
    [overdue] = a2(engine.tick(at(23, 10, 19)).overdue)
    with pytest.raises(PermissionDenied):
        services.acknowledge(overdue, by=people.clinical_lead)
    services.acknowledge(overdue, by=people.nominated_individual, now=at(23, 11))
    with pytest.raises(ValidationError, match="already been acknowledged"):
        services.acknowledge(overdue, by=people.quality_director)


def test_an_escalation_is_acknowledged_actioned_and_resolved_with_history(chain_a, people):
    [overdue] = a2(engine.tick(at(23, 10, 19)).overdue)
    qd = people.quality_director
    with pytest.raises(ValidationError, match="Record the action taken before resolving"):
        services.resolve(overdue, by=qd)
    services.record_action(
        overdue,
        by=qd,
        action_taken="Phoned the Governance Officer; sample done by 11:00.",
        now=at(23, 10, 40),
    )
    services.resolve(overdue, by=qd, note="A2 recorded.", now=at(23, 11))
    overdue.refresh_from_db()
    assert overdue.state == "resolved" and overdue.acknowledged_by == qd and overdue.resolved_by == qd
    reasons = list(overdue.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["Action recorded", "Resolved"]  # raising is an event, not an edit
    kinds = list(overdue.events.values_list("kind", flat=True))
    assert kinds == ["escalation_raised", "action_recorded", "escalation_resolved"]
