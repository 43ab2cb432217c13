"""A registered manager is told when their learning notice is late: not received within the receipt
window (judged as the trigger's page judges it), or its implementation due date passed, on the
dashboard, on the notice list and in the message after acknowledging. The manager of the service
where the failure happened reaches that failure's page from their dashboard.

The notices go out on Wed 18 Nov 2026 at 10:30 with a 4-hour receipt window and implementation due
72 hours later (Sat 21 Nov, 10:30); the tests' clock reads Mon 23 Nov, 09:30.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, issue_notices
from providers.choices import Role
from tests.factories import give_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
DASHBOARD = reverse("dashboard", args=[Role.REGISTERED_MANAGER])


def words(response) -> str:
    return " ".join(strip_tags(response.text).split())


def notice_for(trigger, service) -> LearningNotice:
    return LearningNotice.objects.get(matched_service__trigger=trigger, matched_service__service=service)


def test_the_dashboard_says_the_notice_missed_its_window_and_its_due_date(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    sign_in(managers["ash"])
    said = words(client.get(DASHBOARD))
    assert "Not received in time — the receipt window of 4 hours closed Wed 18 Nov 2026, 14:30" in said
    assert "Implementation due date passed (Sat 21 Nov 2026, 10:30)" in said


def test_a_notice_inside_its_window_reads_as_nothing_late(
    client, sign_in, log_falls_trigger, managers, quality_director, time_machine
):
    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    time_machine.move_to(ISSUED + timedelta(hours=1), tick=False)
    sign_in(managers["ash"])
    said = words(client.get(DASHBOARD))
    assert "Acknowledge receipt" in said
    assert "Not received in time" not in said and "due date passed" not in said


def test_acknowledging_late_says_how_late_in_the_message_and_on_the_list(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    sign_in(managers["ash"])
    trigger_notice = LearningNotice.objects.get(matched_service__service__name="Ash Grove")
    response = client.post(
        reverse("learning_transfer:notice_acknowledge", args=[trigger_notice.pk]),
        {"next": DASHBOARD},
        follow=True,
    )
    said = words(response)
    assert (
        "Receipt of the learning for Ash Grove acknowledged 4 days after issue"
        " — the receipt window was 4 hours." in said
    )
    assert "Implementation due date passed (Sat 21 Nov 2026, 10:30)" in said

    listed = words(client.get(reverse("learning_transfer:notice_list")))
    assert "Acknowledged 4 days after issue — the receipt window was 4 hours" in listed
    assert "Implementation due date passed (Sat 21 Nov 2026, 10:30)" in listed


def test_a_notice_acknowledged_in_time_is_not_called_late(
    client, sign_in, log_falls_trigger, managers, quality_director, falls_provider
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, falls_provider["ash"])
    acknowledge_notice(notice, by=managers["ash"], now=ISSUED + timedelta(hours=2))
    sign_in(managers["ash"])
    listed = words(client.get(reverse("learning_transfer:notice_list")))
    assert "Acknowledged Wed 18 Nov 2026, 12:30" in listed and "after issue" not in listed


def test_the_source_services_manager_reaches_the_failure_at_their_service(
    client, sign_in, log_falls_trigger, registered_manager, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    other = log_falls_trigger(source_service=falls_provider["ash"], title="A fall elsewhere")
    sign_in(registered_manager)  # Elm House's manager
    response = client.get(DASHBOARD)
    assert reverse("learning_transfer:trigger_detail", args=[trigger.pk]) in response.text
    said = words(response)
    failures = said.split("Serious failures at your service", 1)[1]
    assert f"{trigger.reference} Unwitnessed fall at night at Elm House" in failures
    assert reverse("learning_transfer:trigger_detail", args=[other.pk]) not in response.text


def test_the_managers_dashboard_needs_the_same_queries_for_one_or_many_notices(
    client, sign_in, log_falls_trigger, managers, quality_director, registered_manager, falls_provider
):
    # Elm House's manager also manages Ash Grove: its notices and the failures at Elm House.
    give_role(registered_manager, Role.REGISTERED_MANAGER, service=falls_provider["ash"])
    sign_in(registered_manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured.captured_queries)

    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    client.get(DASHBOARD)
    one = queries()
    for number in range(3):
        issue_notices(log_falls_trigger(title=f"Another fall {number}"), by=quality_director, now=ISSUED)
    response = client.get(DASHBOARD)
    assert words(response).count("Not received in time") == 4
    assert queries() == one
