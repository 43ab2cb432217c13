"""A step recorded twice with the same figures by the same person (a double press of a one-click
button, a form sent twice) is recorded once: the second press changes nothing and says so."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from escalation import services
from escalation.models import EngineEvent, Escalation, Notification, StepRecord
from learning_transfer import chain
from learning_transfer.services import log_trigger
from providers.actions import AlreadyDone
from providers.choices import RiskTag
from tests.factories import CHECK_DONE
from tests.learning_transfer.conftest import add_care_hours, add_incidents

from .conftest import at, step

pytestmark = pytest.mark.django_db

A3_WITHIN = {"services_without_lead": 0, "comparable_risk_unresolved_24h": 0, "briefing_incomplete": 0}
A2_BREACH = {"pct_received_within_4h": 75, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}


def test_the_same_figures_sent_twice_are_recorded_once(chain_a, people):
    a2 = step(chain_a, "A2")
    first = services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10), check_done=CHECK_DONE
    )
    with pytest.raises(AlreadyDone, match="already recorded") as repeat:
        services.record_step(
            a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10, 1), check_done=CHECK_DONE
        )
    assert repeat.value.existing == first
    assert list(StepRecord.objects.filter(step_run=a2)) == [first]
    assert EngineEvent.objects.filter(kind="step_recorded", step_run=a2).count() == 1
    assert Escalation.objects.count() == 1 and Notification.objects.count() == 1


def test_other_figures_or_another_person_still_record_again(chain_a, people, quality_director):
    from providers.choices import Role
    from tests.factories import person_with_role

    a2 = step(chain_a, "A2")
    services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10), check_done=CHECK_DONE
    )
    corrected = {**A2_BREACH, "pct_received_within_4h": 50}
    services.record_step(
        a2, by=people.governance_officer, values=corrected, now=at(23, 10, 5), check_done=CHECK_DONE
    )
    colleague = person_with_role(Role.GOVERNANCE_OFFICER, provider=chain_a.provider, username="gov2")
    services.record_step(a2, by=colleague, values=corrected, now=at(23, 10, 6), check_done=CHECK_DONE)
    assert StepRecord.objects.filter(step_run=a2).count() == 3


def test_the_same_figures_after_another_step_was_recorded_are_a_new_record(chain_a, people):
    """Recorded again once the case has moved on (C5 signed off again after a missing check came in),
    the same figures judge the step afresh: that is not a double press."""
    a2, a3 = step(chain_a, "A2"), step(chain_a, "A3")
    services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10), check_done=CHECK_DONE
    )
    services.record_step(
        a3, by=people.operations_director, values=A3_WITHIN, now=at(23, 10, 2), check_done=CHECK_DONE
    )
    services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, now=at(23, 10, 3), check_done=CHECK_DONE
    )
    assert StepRecord.objects.filter(step_run=a2).count() == 2


def test_the_step_form_sent_twice_records_once_and_says_so(client, sign_in, chain_a, people, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    a2 = step(chain_a, "A2")
    sign_in(people.governance_officer)
    form = {key: str(value) for key, value in A2_BREACH.items()} | {"check_done": "12-notice sample"}
    client.post(a2.get_absolute_url(), form)
    page = client.post(a2.get_absolute_url(), form, follow=True).text
    assert "already recorded with these figures" in page and "There is a problem" not in page
    assert StepRecord.objects.filter(step_run=a2).count() == 1


@pytest.fixture
def falls_trigger(chains, provider, elm_house, birch_lodge, quality_director, time_machine):
    """A fall at Elm House confirmed at 09:00 on Monday 23 November; Birch Lodge has the same risk."""
    time_machine.move_to(at(23, 9, 30), tick=False)
    week = [date(2026, 11, 16) + timedelta(days=n) for n in range(7)]
    for service, falls in ((elm_house, 3), (birch_lodge, 2)):
        add_care_hours(service, 100, week)
        add_incidents(service, falls, day=date(2026, 11, 18))
    return log_trigger(
        by=quality_director,
        source_service=elm_house,
        title="Unwitnessed fall at night",
        theme="fall",
        risk_tags=[RiskTag.FALLS],
        what_happened="A resident fell at 02:10 and was found at 03:40.",
        confirmed_at=at(23, 9),
        learning_statement="Night checks must follow the falls-risk plan.",
        now=at(23, 9, 5),
    )


def test_the_quality_directors_one_click_a1_pressed_twice_records_once(
    client, sign_in, falls_trigger, quality_director
):
    sign_in(quality_director)
    url = reverse("learning_transfer:trigger_record_a1", args=[falls_trigger.pk])
    first = client.post(url, follow=True).text
    assert "(A1) recorded" in first
    second = client.post(url, follow=True).text
    assert "already recorded with these figures" in second and "(A1) recorded" not in second
    assert chain.step_run(falls_trigger, "A1").records.count() == 1
