"""A measurable target is met after the failure it learns from: a target date before the failure was
confirmed is refused, naming the target date, by the service and on the learning page."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from learning_transfer.services import record_learning

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
TARGET = "100% of agency nurses checked"


def test_recording_a_target_dated_before_the_failure_is_refused(log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    with pytest.raises(ValidationError) as refused:
        record_learning(trigger, by=quality_director, measurable_target=TARGET, target_date=date(2020, 1, 1))
    assert "target_date" in refused.value.message_dict
    [message] = refused.value.message_dict["target_date"]
    assert message == "The target date cannot be before the failure was confirmed (Wed 18 Nov 2026, 10:00)."
    trigger.refresh_from_db()
    assert trigger.target_date is None


def test_logging_a_failure_with_a_target_dated_before_it_is_refused(log_falls_trigger):
    with pytest.raises(ValidationError) as refused:
        log_falls_trigger(measurable_target=TARGET, target_date=date(2001, 3, 1))
    assert "target_date" in refused.value.message_dict


def test_a_target_on_or_after_the_day_of_the_failure_is_kept(log_falls_trigger, quality_director):
    trigger = log_falls_trigger()
    record_learning(trigger, by=quality_director, measurable_target=TARGET, target_date=CONFIRMED.date())
    record_learning(trigger, by=quality_director, target_date=date(2027, 3, 1))
    trigger.refresh_from_db()
    assert trigger.target_date == date(2027, 3, 1)


def test_the_learning_page_shows_the_refusal_on_the_target_date(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    with time_machine.travel(CONFIRMED + timedelta(hours=1), tick=False):
        response = client.post(
            f"/learning/triggers/{trigger.pk}/learning/",
            {
                "learning_statement": trigger.learning_statement,
                "measurable_target": TARGET,
                "target_date": "2020-01-01",
            },
        )
    assert response.status_code == 200
    page = response.text
    assert 'href="#id_target_date"' in page and 'id="id_target_date-error"' in page
    assert "The target date cannot be before the failure was confirmed (Wed 18 Nov 2026, 10:00)." in page
    trigger.refresh_from_db()
    assert trigger.target_date is None
