"""Putting a line right asks for its reason plainly, and reopening a line says what it undoes: the form
warns that it withdraws the service's verification, the message after it says it was withdrawn, and
the people told of the withdrawal are greeted and told who reopened which line and why (not the person
who reopened it: they know). A reopened line may be given a new due date, never one already past.

Tester's walk (a registered manager), findings 4 and 5: the reasons read "(optional)" but were refused
when empty; reopening withdrew someone else's verification with no warning, and the line came back
overdue with no way to give it a new date."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import notifications
from escalation.models import Notification
from learning_transfer.services import (
    add_line,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED, TESTS_START

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 Nov 2026, 10:30
VERIFIED_AT = CONFIRMED + timedelta(hours=3)  # Wed 18 Nov 2026, 13:00
DUE = CONFIRMED + timedelta(days=7)  # Wed 25 Nov 2026, 10:00


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    """Ash Grove, its learning issued."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    Notification.objects.all().delete()  # the notices' own mails: not these tests'
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


@pytest.fixture
def line(ash, managers):
    """An open line at Ash Grove, owned by its registered manager."""
    return add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)


@pytest.fixture
def verified(ash, line, managers, operations_director):
    """Ash Grove verified by the operations director, its one line done."""
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=VERIFIED_AT)
    update_exposure(ash, by=operations_director, briefing_completed_at=VERIFIED_AT, now=VERIFIED_AT)
    complete_line(line, by=managers["ash"], now=VERIFIED_AT)
    confirm_implementation(ash, by=operations_director, now=VERIFIED_AT)
    Notification.objects.all().delete()
    return ash


def label_of(html: str, field: str) -> str:
    """The words of a form field's label."""
    start = html.index(f'for="id_{field}"')
    return " ".join(strip_tags(html[start : html.index("</label>", start)].partition(">")[2]).split())


def test_the_reasons_for_changing_or_reopening_a_line_are_asked_as_required(
    client, sign_in, ash, line, managers
):
    sign_in(managers["ash"])
    change = reverse("learning_transfer:line_change", args=[line.pk])
    assert label_of(client.get(change).text, "reason") == "Why you are changing this line"
    refused = client.post(
        change,
        {
            "task": "Re-brief the night team",
            "owner": managers["ash"].pk,
            "due_at": "2026-11-27T18:00",
            "reason": "",
        },
    )
    assert "Give the reason for changing this line." in text_inside_main(refused.text)

    complete_line(line, by=managers["ash"])
    reopen = reverse("learning_transfer:line_reopen", args=[line.pk])
    form = client.get(reopen).text
    assert label_of(form, "reason") == "Why you are reopening this line"
    assert "(optional)" in label_of(form, "due_at")  # the new due date alone may be left empty
    assert "Give the reason for reopening this line." in text_inside_main(client.post(reopen, {}).text)


def test_the_reopen_form_warns_that_it_withdraws_the_verification(
    client, sign_in, verified, line, managers, operations_director
):
    sign_in(managers["ash"])
    form = text_inside_main(client.get(reverse("learning_transfer:line_reopen", args=[line.pk])).text)
    assert (
        f"Reopening this line withdraws the verification of implementation at Ash Grove by "
        f"{operations_director} on Wed 18 Nov 2026 at 13:00." in form
    )


def test_the_reopen_form_warns_of_nothing_when_nothing_is_verified(client, sign_in, ash, line, managers):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    form = text_inside_main(client.get(reverse("learning_transfer:line_reopen", args=[line.pk])).text)
    assert "withdraws the verification" not in form


def test_reopening_says_the_verification_was_withdrawn_and_tells_the_verifier_who_and_why(
    client, sign_in, verified, line, managers, operations_director
):
    sign_in(managers["ash"])
    response = client.post(
        reverse("learning_transfer:line_reopen", args=[line.pk]),
        {"reason": "Ticked by mistake: the night team is not briefed yet."},
        follow=True,
    )
    text = text_inside_main(response.text)
    assert "Line reopened: it is to do again." in text
    assert "The verification of implementation at Ash Grove is withdrawn" in text

    notifications.send_pending(TESTS_START + timedelta(minutes=5))
    assert [message.to for message in mail.outbox] == [[operations_director.email]]  # not the reopener
    body = mail.outbox[0].body
    assert body.startswith(f"Dear {operations_director},")
    assert (
        f"{managers['ash']} reopened the line “Re-brief nights”: Ticked by mistake: the night team is "
        "not briefed yet." in body
    )
    assert "because implementation line “Re-brief nights” is not done" in body


def test_a_reopened_line_may_be_given_a_new_due_date_kept_in_its_history(
    client, sign_in, ash, line, managers
):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    url = reverse("learning_transfer:line_reopen", args=[line.pk])
    refused = client.post(url, {"reason": "Not finished", "due_at": "2026-11-20T10:00"})
    assert "The new due date is in the past" in text_inside_main(refused.text)
    line.refresh_from_db()
    assert line.completed_at is not None and line.due_at == DUE

    client.post(url, {"reason": "Not finished", "due_at": "2026-11-30T17:00"})
    line.refresh_from_db()
    assert line.completed_at is None
    assert line.due_at == CONFIRMED.replace(day=30, hour=17)
    reason = line.history.order_by("-history_id").first().history_change_reason
    assert reason == "Reopened: due date was Wed 25 Nov 2026, 10:00. Not finished"


def test_a_reopened_line_given_no_new_date_keeps_the_one_it_had(client, sign_in, ash, line, managers):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    client.post(reverse("learning_transfer:line_reopen", args=[line.pk]), {"reason": "Not finished"})
    line.refresh_from_db()
    assert line.completed_at is None and line.due_at == DUE
