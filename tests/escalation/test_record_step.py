"""A person holding the step's role records it; the threshold is evaluated at once."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalation import services
from escalation.models import EngineEvent, Escalation, Notification, StepRecord
from escalation.recording import SAY_WHAT_YOU_CHECKED
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_OK = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
A2_BREACH = {**A2_OK, "pct_received_within_4h": 75}


def test_a_record_within_threshold_raises_nothing(chain_a, people):
    a2 = step(chain_a, "A2")
    record = services.record_step(
        a2, by=people.governance_officer, values=A2_OK, now=at(23, 10), check_done=CHECK_DONE
    )
    assert record.breached is False and record.escalation is None
    assert "no" in record.explanation
    a2.refresh_from_db()
    assert (a2.state, a2.recorded_at) == ("recorded", at(23, 10))
    assert not Escalation.objects.exists()
    assert EngineEvent.objects.filter(kind="step_recorded", step_run=a2).exists()


def test_a_breach_escalates_to_the_target_role_with_the_window_and_action(chain_a, people):
    a2 = step(chain_a, "A2")
    record = services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, check_done="12-notice sample", now=at(23, 10)
    )
    assert record.breached is True
    escalation = record.escalation
    assert (escalation.kind, escalation.level, escalation.target_role) == ("breach", 1, "quality_director")
    assert escalation.acknowledge_by == at(23, 12)  # within 2 working hours
    assert escalation.action == "Trigger same-day redistribution of the learning notice."
    assert escalation.deciding == {"pct_received_within_4h": 75}
    assert "75" in escalation.reason
    assert [n.user for n in escalation.notifications.all()] == [people.quality_director]
    a2.refresh_from_db()
    assert a2.state == "breached"


def test_recording_again_supersedes_but_never_escalates_twice(chain_a, people):
    a2 = step(chain_a, "A2")
    first = services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10), check_done=CHECK_DONE
    )
    second = services.record_step(
        a2,
        by=people.governance_officer,
        values={**A2_BREACH, "pct_received_within_4h": 50},
        now=at(23, 10, 5),
        check_done=CHECK_DONE,
    )
    assert second.escalation == first.escalation
    assert Escalation.objects.count() == 1 and Notification.objects.count() == 1
    assert StepRecord.objects.filter(step_run=a2).count() == 2
    first.refresh_from_db()
    assert first.is_current is False and second.is_current is True


def test_a_later_breach_after_a_clean_record_escalates_once(chain_a, people):
    a2 = step(chain_a, "A2")
    services.record_step(
        a2, by=people.governance_officer, values=A2_OK, now=at(23, 10), check_done=CHECK_DONE
    )
    record = services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10, 10), check_done=CHECK_DONE
    )
    assert record.escalation is not None and Escalation.objects.count() == 1


def test_someone_without_the_step_role_cannot_record(chain_a, people):
    with pytest.raises(PermissionDenied, match="Only a Governance Officer"):
        services.record_step(
            step(chain_a, "A2"), by=people.operations_director, values=A2_OK, check_done=CHECK_DONE
        )
    assert not StepRecord.objects.exists()


def test_a_regional_role_records_only_for_its_region(chain_a, people, south):
    from providers.choices import Role
    from tests.factories import person_with_role

    southern = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=south, username="south-drm")
    values = {"briefings_completed_4h": 3, "local_tasks_due_24h": 2, "expected_reduction_pct": {"North": 20}}
    with pytest.raises(PermissionDenied):
        services.record_step(step(chain_a, "A4"), by=southern, values=values, check_done=CHECK_DONE)
    record = services.record_step(
        step(chain_a, "A4"), by=people.deputy_regional_manager, values=values, check_done=CHECK_DONE
    )
    assert record.breached is False


def test_values_are_checked_against_the_step_measures(chain_a, people):
    with pytest.raises(ValidationError) as caught:
        services.record_step(
            step(chain_a, "A2"),
            by=people.governance_officer,
            values={"pct_received_within_4h": 140, "sampled_with_named_owner": -1, "colour": 3},
            check_done=CHECK_DONE,
        )
    errors = caught.value.message_dict
    assert errors["pct_received_within_4h"] == [
        "Matched services receiving the issued learning notice within 4 hours must be a percentage "
        "from 0 to 100, not 140."
    ]
    assert "whole number, 0 or more" in errors["sampled_with_named_owner"][0]
    assert errors["sampled_due_within_72h"] == [
        "Enter sampled notices with an implementation due date within 72 hours."
    ]
    assert "There is no measure called 'colour' in A2" in errors["colour"][0]
    assert not StepRecord.objects.exists()


@pytest.mark.parametrize("check_done", ["", "   "])
def test_a_record_without_the_check_done_is_refused_and_nothing_is_written(chain_a, people, check_done):
    """The figures the system filled in are never recorded without the person saying what they checked."""
    a2 = step(chain_a, "A2")
    with pytest.raises(ValidationError) as refused:
        services.record_step(a2, by=people.governance_officer, values=A2_OK, check_done=check_done)
    assert refused.value.message_dict == {"check_done": [SAY_WHAT_YOU_CHECKED]}
    assert (
        SAY_WHAT_YOU_CHECKED
        == "Say what you checked, for example which records you compared the figures with."
    )
    assert not StepRecord.objects.exists() and not EngineEvent.objects.filter(kind="step_recorded").exists()
    assert step(chain_a, "A2").state == "due"


def test_a_closed_case_cannot_be_recorded(chain_a, people):
    services.close_chain_run(chain_a, by=people.quality_director, reason="Trigger withdrawn")
    with pytest.raises(ValidationError, match="closed"):
        services.record_step(
            step(chain_a, "A2"), by=people.governance_officer, values=A2_OK, check_done=CHECK_DONE
        )
    assert set(chain_a.step_runs.values_list("state", flat=True)) == {"closed"}


def test_c2_tells_the_registered_manager_of_the_affected_service(
    chains, provider, people, elm_house, subject
):
    run = services.start_chain(
        "C", provider=provider, subject=subject("Update"), anchor_at=at(4, 10, month=12)
    )
    values = {
        "pct_completing_in_time": 80,
        "incident_rate_7d": 0.4,
        "movement_from_baseline_pct": {"Falls": -12},
    }
    record = services.record_step(
        step(run, "C2"),
        by=people.performance_analyst,
        values=values,
        affected_service=elm_house,
        now=at(27, 12),
        check_done=CHECK_DONE,
    )
    escalation = record.escalation
    assert escalation.service == elm_house and escalation.role_gap is False
    assert [n.user for n in escalation.notifications.all()] == [people.registered_manager]


def test_a_recurring_check_opens_when_the_one_before_it_falls_due(chains, provider, people, subject):
    """A shift's check was accepted days before the shift (a late shift's B1 recorded five days early).
    An occurrence of a step run each shift, day or late shift opens when the occurrence before it falls
    due; the first is open from the start of the case."""
    run = services.start_chain(
        "C", provider=provider, subject=subject("Update"), anchor_at=at(4, 10, month=12)
    )
    days = list(run.step_runs.filter(code="C2").order_by("occurrence"))
    values = {
        "pct_completing_in_time": 95,
        "incident_rate_7d": 0.4,
        "movement_from_baseline_pct": {"Falls": 2},
    }
    analyst = people.performance_analyst

    with pytest.raises(ValidationError) as early:
        services.record_step(days[2], by=analyst, values=values, now=days[0].due_at, check_done=CHECK_DONE)
    opens = days[1].due_at.astimezone(ZoneInfo("Europe/London")).strftime("on %a %-d %b %Y at %H:%M")
    assert f"It opens {opens}" in early.value.messages[0]
    assert not StepRecord.objects.exists()

    services.record_step(
        days[0], by=analyst, values=values, now=days[0].due_at - timedelta(hours=1), check_done=CHECK_DONE
    )
    services.record_step(days[2], by=analyst, values=values, now=days[1].due_at, check_done=CHECK_DONE)
    assert StepRecord.objects.count() == 2


def test_the_page_of_a_check_not_open_yet_says_when_it_opens(
    chains, provider, people, subject, client, sign_in, time_machine
):
    from django.urls import reverse

    run = services.start_chain(
        "C", provider=provider, subject=subject("Update"), anchor_at=at(4, 10, month=12)
    )
    days = list(run.step_runs.filter(code="C2").order_by("occurrence"))
    time_machine.move_to(days[0].due_at, tick=False)
    sign_in(people.performance_analyst)

    later = client.get(reverse("escalation:step_run", args=[days[2].pk])).text
    assert "This check opens on" in later and "Save the check" not in later
    today = client.get(reverse("escalation:step_run", args=[days[1].pk])).text
    assert "Save the check" in today and "This check opens on" not in today
