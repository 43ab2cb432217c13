"""Each person told is e-mailed once, after commit, and sees the escalation in their inbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from escalation import context_processors, engine, notifications, panels, services
from escalation.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def test_raising_queues_one_row_per_person_and_asks_for_sending_after_commit(
    chain_a, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        [escalation] = engine.tick(at(23, 10, 1)).overdue
    assert len(callbacks) == 1  # the sender is queued once the transaction commits
    assert len(mail.outbox) == 0  # nothing is e-mailed inside the transaction
    row = Notification.objects.get(escalation=escalation)
    assert (row.user, row.email, row.sent_at) == (people.operations_director, "ops@example.org", None)


def test_pending_rows_are_e_mailed_once(chain_a, people, settings):
    settings.SITE_URL = "https://governance.example.org"
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    assert notifications.send_pending(at(23, 10, 20)) == 1
    assert notifications.send_pending(at(23, 10, 21)) == 0
    [message] = mail.outbox
    assert message.to == ["ops@example.org"]
    assert message.subject == "Elm House: Find comparable services (A1) — step overdue"
    assert f"https://governance.example.org/escalations/{escalation.pk}/" in message.body
    assert "Acknowledge by: Mon 23 Nov 2026, 11:01 (within 1 working hour)" in message.body
    assert Notification.objects.get().sent_at == at(23, 10, 20)


def test_a_row_claimed_by_another_sender_is_not_sent_again(chain_a, people):
    engine.tick(at(23, 10, 1))
    Notification.objects.update(claim_token="00000000-0000-0000-0000-000000000001", claimed_at=at(23, 10, 1))
    assert notifications.send_pending(at(23, 10, 20)) == 0
    assert mail.outbox == []


def test_a_failed_send_is_released_for_another_attempt(chain_a, people, monkeypatch):
    engine.tick(at(23, 10, 1))

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert notifications.send_pending(at(23, 10, 20)) == 0
    row = Notification.objects.get()
    assert (row.attempts, row.claim_token, row.sent_at) == (1, None, None)
    assert "SMTP server down" in row.last_error
    monkeypatch.undo()
    assert notifications.send_pending(at(23, 10, 25)) == 1
    assert len(mail.outbox) == 1


def test_a_person_without_an_e_mail_address_still_has_the_inbox_item(chain_a, people):
    people.operations_director.email = ""
    people.operations_director.save()
    engine.tick(at(23, 10, 1))
    assert notifications.send_pending(at(23, 10, 20)) == 1
    assert mail.outbox == []
    assert panels.unread_count(people.operations_director) == 1


def test_a_person_whose_role_was_removed_before_the_mail_left_is_not_e_mailed(chain_a, people):
    engine.tick(at(23, 10, 1))  # A1 overdue: the Operations Director is told
    people.operations_director.role_assignments.all().delete()
    assert notifications.send_pending(at(23, 10, 20)) == 1
    assert mail.outbox == [], "the mail would tell them what their pages no longer show"
    assert Notification.objects.get().sent_at == at(23, 10, 20), "nor is it sent later"


def test_an_escalation_resolved_before_its_mail_left_is_not_e_mailed(chain_a, people):
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    services.record_action(
        escalation, by=people.operations_director, action_taken="Recorded A1.", now=at(23, 10, 30)
    )
    services.resolve(escalation, by=people.operations_director, note="A1 follows today.", now=at(23, 10, 31))
    assert notifications.send_pending(at(23, 10, 40)) == 1
    assert mail.outbox == []
    assert Notification.objects.get().sent_at == at(23, 10, 40), "nothing left to send later either"


def test_the_header_counts_unread_escalations_until_they_are_opened_or_acknowledged(chain_a, people):
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    assert context_processors.header_summary(people.operations_director)["unread_escalations"] == 1
    assert context_processors.header_summary(people.quality_director)["unread_escalations"] == 0
    services.acknowledge(escalation, by=people.operations_director, now=at(23, 10, 30))
    assert context_processors.header_summary(people.operations_director)["unread_escalations"] == 0


def test_the_celery_tasks_are_thin_wrappers(chain_a, people, time_machine):
    from escalation import tasks

    time_machine.move_to(at(23, 10, 1))
    assert tasks.tick.apply().get() == 1
    assert notifications.send_pending_notifications.apply().get() == 1
    assert len(mail.outbox) == 1


def test_a_claim_lost_with_its_worker_is_released_and_sent_later_once(chain_a, people):
    engine.tick(at(23, 10, 1))
    # A sender claimed the row and was killed before its mail left.
    Notification.objects.update(claim_token="00000000-0000-0000-0000-000000000001", claimed_at=at(23, 10, 2))
    assert notifications.send_pending(at(23, 10, 3)) == 0
    assert notifications.release_lost_claims(at(23, 10, 6)) == 0  # claimed four minutes ago: maybe alive
    assert notifications.release_lost_claims(at(23, 10, 8)) == 1  # six minutes without sending: lost
    assert notifications.send_pending(at(23, 10, 9)) == 1
    assert notifications.release_lost_claims(at(23, 10, 22)) == 0
    assert notifications.send_pending(at(23, 10, 23)) == 0
    [message] = mail.outbox
    assert message.to == ["ops@example.org"]
    assert message.extra_headers["Message-ID"].startswith("<escalation-notification-")


def test_a_row_released_while_its_slow_sender_was_busy_is_sent_by_one_sender_only(
    chain_a, people, monkeypatch
):
    """The first sender's claim is released mid-batch; another claims the row: the first then skips it."""
    engine.tick(at(23, 10, 1))
    original = notifications._send_one

    def released_before_sending(row, token, connection, now):
        monkeypatch.setattr(notifications, "_send_one", original)
        notifications.release_lost_claims(now + timedelta(minutes=10))
        notifications.send_pending(now + timedelta(minutes=10))  # a second sender takes and sends it
        return original(row, token, connection, now)

    monkeypatch.setattr(notifications, "_send_one", released_before_sending)
    assert notifications.send_pending(at(23, 10, 2)) == 0
    assert len(mail.outbox) == 1


def test_a_commissioners_pages_never_count_escalations_they_cannot_see(client, sign_in, commissioner):
    """The header's unread count and engine health are for provider staff only: a commissioner's page
    asks nothing of the engine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    sign_in(commissioner)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("reporting_control:commissioner_packs"))
    assert page.status_code == 200 and "My escalations" not in page.text
    assert not [q["sql"] for q in captured.captured_queries if '"escalation_' in q["sql"]]


def test_a_message_not_about_an_escalation_is_e_mailed_once_and_hides_none_of_the_persons_escalations(
    client, sign_in, chain_a, people, time_machine
):
    time_machine.move_to(at(23, 10, 30), tick=False)
    engine.tick(at(23, 10, 19))  # A2 overdue: the Quality Director's, listed to the manager as others'
    manager = people.registered_manager
    notifications.queue_message(
        [manager], subject="Verification withdrawn at Elm House", body="Verify it again.", now=at(23, 10, 20)
    )
    sign_in(manager)
    response = client.get(reverse("escalation:inbox"))
    assert "A2" in [escalation.step_run.code for escalation in response.context["others"]]
    assert response.context["unread_escalations"] == 0  # a message is e-mailed, not an escalation to read

    notifications.send_pending(at(23, 10, 21))
    notifications.send_pending(at(23, 10, 22))
    told = [(m.subject, m.body) for m in mail.outbox if m.to == [manager.email]]
    assert told == [("Verification withdrawn at Elm House", "Verify it again.")]
