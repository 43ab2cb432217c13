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


@pytest.mark.parametrize(
    ("clock", "warned"),
    [
        # Found by a tester: at 13:04 on a Monday the window closes at 17:04, and the page told the
        # quality director to "issue it when managers are at work" although 3 h 56 of it is working time.
        ((13, 4), False),
        ((15, 0), False),  # 2 of its 4 hours in the working day: half the window
        ((15, 1), True),
        ((16, 0), True),  # 1 hour of it in the working day: acknowledged in the morning, it is late
    ],
)
def test_it_warns_only_when_most_of_the_window_is_out_of_working_hours(
    client, sign_in, log_falls_trigger, managers, quality_director, clock, warned
):
    trigger = log_falls_trigger()
    with time_machine.travel(datetime(2026, 11, 23, *clock, tzinfo=LONDON), tick=False):
        sign_in(quality_director)  # signed in at that time: an idle session would be signed out
        page = _page(client, trigger)
    assert "Issue learning notices" in page
    assert ("Out of working hours" in page) is warned
