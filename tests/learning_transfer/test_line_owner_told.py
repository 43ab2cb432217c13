"""A person given an implementation line by someone else is e-mailed what the task is, where, for which
learning, when it is due, who gave it to them and why: when the line is added with them as its owner, and
each time a correction hands it to them. Through the outbox, after the change commits, once per hand-over;
a mail whose line was handed on again, or marked done, before it left does not leave."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from escalation import notifications
from escalation.models import Notification
from learning_transfer.choices import TriggerStatus
from learning_transfer.models import LearningTrigger
from learning_transfer.services import add_line, complete_line, correct_line, issue_notices
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 Nov 2026, 10:30
DUE = CONFIRMED + timedelta(days=7)  # Wed 25 Nov 2026, 10:00


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://governance.example.org"


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    """Ash Grove, its learning issued (the notices' own mails cleared: not these tests')."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    Notification.objects.all().delete()
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


@pytest.fixture
def beth(falls_provider):
    return person_with_role(
        Role.CLINICAL_LEAD,
        service=falls_provider["ash"],
        first_name="Beth",
        last_name="Byrne",
        username="beth",
    )


@pytest.fixture
def carl(falls_provider):
    return person_with_role(
        Role.CLINICAL_LEAD,
        service=falls_provider["ash"],
        first_name="Carl",
        last_name="Cole",
        username="carl",
    )


def send():
    """The outbox sent a minute from now, as the beat schedule would."""
    notifications.send_pending(timezone.now() + timedelta(minutes=1))


def mails_to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


def hand_to(line, person, by, reason="Beth runs the night briefings"):
    return correct_line(line, by=by, task=line.task, owner=person, due_at=line.due_at, reason=reason)


def test_a_line_added_for_someone_else_tells_its_owner_after_commit(
    ash, managers, beth, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
    assert callbacks and mail.outbox == []  # nothing leaves before the line is saved for good
    send()
    [message] = mail.outbox
    assert message.to == [beth.email]
    assert message.subject == "Ash Grove: an implementation task for you — Unwitnessed fall at night"
    body = message.body
    assert "Dear Beth Byrne," in body
    assert "Task: Re-brief nights" in body
    assert "Service: Ash Grove" in body
    assert f"{ash.trigger.reference} Unwitnessed fall at night" in body and "Elm House" in body
    assert "Night checks must follow the falls-risk plan, not a fixed round." in body
    assert "Due: Wed 25 Nov 2026, 10:00" in body
    assert f"Given to you by: {managers['ash']}" in body
    assert f"https://governance.example.org/learning/matches/{ash.pk}/" in body
    send()  # the task run again
    assert len(mail.outbox) == 1


def test_a_line_whose_saving_is_undone_tells_nobody(ash, managers, beth):
    with pytest.raises(RuntimeError), transaction.atomic():
        add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
        raise RuntimeError("the request failed after the line was saved")
    assert not Notification.objects.exists()
    send()
    assert mail.outbox == []


def test_a_line_the_adder_owns_or_nobody_owns_tells_nobody(ash, managers):
    add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    add_line(ash, by=managers["ash"], task="Audit sensors", owner=None, due_at=DUE)
    send()
    assert mail.outbox == []


def test_a_correction_handing_a_line_on_tells_the_new_owner_who_and_why(
    ash, managers, beth, django_capture_on_commit_callbacks
):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    with django_capture_on_commit_callbacks() as callbacks:
        hand_to(line, beth, managers["ash"], reason="Beth runs the night briefings")
    assert callbacks and mail.outbox == []
    send()
    [message] = mail.outbox
    assert message.to == [beth.email]
    body = message.body
    assert "Task: Re-brief nights" in body and "Service: Ash Grove" in body
    assert "Due: Wed 25 Nov 2026, 10:00" in body
    assert f"Given to you by: {managers['ash']}" in body
    assert f"Why: owner was {managers['ash']}. Beth runs the night briefings" in body
    send()
    assert len(mail.outbox) == 1


def test_a_correction_that_keeps_the_owner_tells_nobody_again(ash, managers, beth):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
    send()
    mail.outbox.clear()
    correct_line(
        line, by=managers["ash"], task=line.task, owner=beth, due_at=DUE + timedelta(days=1), reason="Rota"
    )
    send()
    assert mail.outbox == []


def test_a_mail_whose_line_was_handed_on_again_before_it_left_does_not_leave(ash, managers, beth, carl):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    hand_to(line, beth, managers["ash"])
    hand_to(line, carl, managers["ash"], reason="Beth is on leave")  # before the worker ran
    send()
    assert mails_to(beth) == []
    [message] = mails_to(carl)
    assert "Why: owner was Beth Byrne. Beth is on leave" in message.body


def test_handed_away_and_back_before_the_mail_left_tells_once(ash, managers, beth):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    hand_to(line, beth, managers["ash"])
    hand_to(line, managers["ash"], managers["ash"], reason="Kept it after all")
    hand_to(line, beth, managers["ash"], reason="Beth after all")
    send()
    [message] = mails_to(beth)
    assert "Beth after all" in message.body


def test_each_hand_over_is_told_once(ash, managers, beth):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    hand_to(line, beth, managers["ash"])
    send()
    hand_to(line, managers["ash"], managers["ash"], reason="Kept it after all")
    hand_to(line, beth, managers["ash"], reason="Beth after all")
    send()
    assert len(mails_to(beth)) == 2
    assert mails_to(managers["ash"]) == []  # handing it to oneself tells nobody


def test_a_line_done_before_its_mail_left_is_not_e_mailed(ash, managers, beth):
    line = add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
    complete_line(line, by=beth)
    send()
    assert mail.outbox == []


def test_a_mail_that_leaves_after_the_due_date_says_it_is_overdue(ash, managers, beth):
    add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
    notifications.send_pending(DUE + timedelta(hours=1))  # the worker was down for days
    [message] = mail.outbox
    assert "Due: Wed 25 Nov 2026, 10:00 — this is overdue." in message.body


def test_a_line_whose_trigger_closed_before_its_mail_left_is_not_e_mailed(ash, managers, beth):
    add_line(ash, by=managers["ash"], task="Re-brief nights", owner=beth, due_at=DUE)
    LearningTrigger.objects.filter(pk=ash.trigger_id).update(status=TriggerStatus.CLOSED)
    send()
    assert mail.outbox == []
