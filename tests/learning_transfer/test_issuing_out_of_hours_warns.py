"""Found: notices issued at 04:27 on a Monday had a receipt window closing at 08:27, before anyone was
at work, so every service could only miss it, and nothing said so at the button. Out of working hours
the trigger page says when the window would close and why that matters."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from providers.calendar import LONDON

pytestmark = pytest.mark.django_db


def _page(client, trigger):
    return client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text


def test_issuing_before_work_starts_warns_that_the_window_closes_before_managers_are_in(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    with time_machine.travel(datetime(2026, 11, 23, 4, 27, tzinfo=LONDON), tick=False):
        page = _page(client, trigger)
    assert "Out of working hours" in page
    assert "until 08:27" in page
    assert "09:00" in page  # when the working day starts


def test_issuing_in_working_hours_says_nothing_more(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        assert "Out of working hours" not in _page(client, trigger)
