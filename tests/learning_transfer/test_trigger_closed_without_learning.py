"""A trigger whose A1 found no mandatory learning needed can be closed, with the reason on the record:
its remaining steps are closed as no longer needed, so nothing falls overdue or escalates."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation.engine import tick
from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.choices import TriggerStatus
from learning_transfer.services import close_without_learning, match_services

from .conftest import CONFIRMED, add_incidents

pytestmark = pytest.mark.django_db
REASON = "Only services with no falls above the median match; local fix is enough."


def record_a1(client, trigger):
    return client.post(f"/learning/triggers/{trigger.pk}/a1/", follow=True)


def test_after_a1_finds_no_mandatory_learning_the_page_offers_to_close(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = record_a1(client, trigger).text
    assert "Close: no mandatory learning needed" in page


def test_closing_with_a_reason_ends_the_case_and_nothing_escalates(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    record_a1(client, trigger)
    response = client.post(
        f"/learning/triggers/{trigger.pk}/close-no-learning/", {"reason": REASON}, follow=True
    )
    trigger.refresh_from_db()
    assert trigger.status == TriggerStatus.CLOSED_NO_LEARNING
    assert "Closed — no mandatory learning needed" in response.text
    assert REASON in response.text
    states = {step.code: step.state for step in chain.run_for(trigger).step_runs.all()}
    assert states["A1"] == "recorded"
    assert {states[code] for code in ("A2", "A3", "A4", "A5")} == {"closed"}
    assert "Closed — no longer needed" in response.text
    tick(CONFIRMED + timedelta(days=10))
    assert not Escalation.objects.exists()


def test_closing_needs_a_reason_and_keeps_the_form(client, sign_in, log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    record_a1(client, trigger)
    response = client.post(f"/learning/triggers/{trigger.pk}/close-no-learning/", {"reason": "  "})
    assert response.status_code == 200
    assert "Give the reason no mandatory learning is needed" in response.text
    trigger.refresh_from_db()
    assert trigger.status == TriggerStatus.LOGGED


def test_closing_is_refused_before_a1_is_recorded(log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    with pytest.raises(ValidationError, match="Record the decision on comparable services"):
        close_without_learning(trigger, by=quality_director, reason=REASON)


def test_closing_is_refused_when_a1_found_learning_mandatory(
    client, sign_in, log_falls_trigger, falls_provider, quality_director, operations_director
):
    add_incidents(falls_provider["ash"], 1, prefix="extra")  # Ash Grove above the median: mandatory
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = record_a1(client, trigger).text
    assert "Close: no mandatory learning needed" not in page
    with pytest.raises(ValidationError, match="mandatory learning is needed"):
        close_without_learning(trigger, by=quality_director, reason=REASON)


def test_closing_twice_changes_nothing_twice(client, sign_in, log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    record_a1(client, trigger)
    close_without_learning(trigger, by=quality_director, reason=REASON)
    with pytest.raises(ValidationError, match="already closed"):
        close_without_learning(trigger, by=quality_director, reason="Another reason")
    trigger.refresh_from_db()
    assert trigger.closed_reason == REASON


def test_a_closed_trigger_is_not_matched_again_and_says_to_log_a_new_one(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    record_a1(client, trigger)
    close_without_learning(trigger, by=quality_director, reason=REASON)
    with pytest.raises(ValidationError, match="log a new trigger"):
        match_services(trigger, by=quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Run matching again" not in page
