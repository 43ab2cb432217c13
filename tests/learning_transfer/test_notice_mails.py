"""A2: the person a learning notice is addressed to is e-mailed when it is issued (first issue,
redistribution, a service added later), once per notice, after the issue commits; a mail that leaves
after the receipt window closed says it is overdue, and one whose notice was acknowledged meanwhile
does not leave."""

from datetime import timedelta

import pytest
from django.core import mail

from escalation import notifications
from learning_transfer.services import acknowledge_notice, adjust_match, issue_notices, redistribute
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=35)  # Wed 18 Nov 2026, 10:35


@pytest.fixture
def trigger(log_falls_trigger, managers):
    return log_falls_trigger()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://governance.example.org"


def mails_to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


def test_issuing_e_mails_each_notice_owner_what_to_do_and_by_when(
    trigger, quality_director, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        issue_notices(trigger, by=quality_director, now=ISSUED)
    assert callbacks and mail.outbox == []  # nothing leaves before the issue commits
    notifications.send_pending(ISSUED + timedelta(minutes=1))
    assert {tuple(m.to) for m in mail.outbox} == {(m.email,) for m in managers.values()}
    [message] = mails_to(managers["ash"])
    assert message.subject == "Ash Grove: new learning to acknowledge — Unwitnessed fall at night"
    assert f"{trigger.reference} Unwitnessed fall at night" in message.body
    assert "Elm House" in message.body  # where it happened
    assert "Night checks must follow the falls-risk plan, not a fixed round." in message.body
    assert "Acknowledge by: Wed 18 Nov 2026, 14:35 (within 4 hours)" in message.body
    assert "Implement by: Sat 21 Nov 2026, 10:35" in message.body
    assert "https://governance.example.org/learning/notices/" in message.body


def test_each_notice_is_e_mailed_once(trigger, quality_director, managers):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notifications.send_pending(ISSUED + timedelta(minutes=1))
    notifications.send_pending(ISSUED + timedelta(minutes=2))  # the task run again
    with pytest.raises(Exception, match="already has a notice"):
        issue_notices(trigger, by=quality_director, now=ISSUED)  # a double submit
    notifications.send_pending(ISSUED + timedelta(minutes=3))
    assert len(mail.outbox) == 4


def test_a_mail_that_leaves_after_the_receipt_window_says_it_is_overdue(trigger, quality_director, managers):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notifications.send_pending(ISSUED + timedelta(hours=5))  # the worker was down all afternoon
    [message] = mails_to(managers["ash"])
    assert "Acknowledge by: Wed 18 Nov 2026, 14:35 — this is overdue: acknowledge it now." in message.body


def test_a_notice_acknowledged_before_its_mail_left_is_not_e_mailed(
    trigger, quality_director, managers, falls_provider
):
    [ash] = [
        n for n in issue_notices(trigger, by=quality_director, now=ISSUED) if n.service.name == "Ash Grove"
    ]
    acknowledge_notice(ash, by=managers["ash"], now=ISSUED + timedelta(minutes=10))
    notifications.send_pending(ISSUED + timedelta(minutes=11))
    assert mails_to(managers["ash"]) == []
    assert len(mail.outbox) == 3


def test_redistribution_and_a_service_added_later_e_mail_only_their_new_notices(
    trigger, quality_director, managers, falls_provider
):
    notices = issue_notices(trigger, by=quality_director, now=ISSUED)
    for notice in notices:
        if notice.service.name != "Ash Grove":
            acknowledge_notice(notice, by=notice.owner, now=ISSUED + timedelta(hours=1))
    notifications.send_pending(ISSUED + timedelta(minutes=1))
    mail.outbox.clear()

    resent = ISSUED + timedelta(hours=5)
    redistribute(trigger, by=quality_director, now=resent)
    notifications.send_pending(resent + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == [managers["ash"].email]
    assert "Acknowledge by: Wed 18 Nov 2026, 19:35 (within 4 hours)" in message.body
    assert "sent again" in message.body  # the first one was not acknowledged

    mail.outbox.clear()
    ember = falls_provider["ember"]
    ember.registered_manager = person_with_role(Role.REGISTERED_MANAGER, service=ember, username="ember-rm")
    ember.save()
    adjust_match(trigger, ember, True, "Same night rota", quality_director, now=resent)
    issue_notices(trigger, by=quality_director, now=resent + timedelta(minutes=5))
    notifications.send_pending(resent + timedelta(minutes=6))
    [message] = mail.outbox
    assert message.to == [ember.registered_manager.email]
    assert message.subject == "Ember Court: new learning to acknowledge — Unwitnessed fall at night"
