"""An escalation is named by its step in plain words, then what happened; the step's code is a small
label beside the step's name, never read as part of "step overdue"."""

import pytest
from django.core import mail
from django.urls import reverse

from escalation import engine, notifications

from .conftest import at

pytestmark = pytest.mark.django_db

TITLE = 'Check every service received the learning <span class="app-code">A2</span>: step overdue'


@pytest.fixture
def overdue_a2(chain_a, people, time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return a2


def test_the_pages_name_the_step_then_what_happened(client, sign_in, people, overdue_a2):
    sign_in(people.quality_director)
    for url in (
        reverse("escalation:detail", args=[overdue_a2.pk]),
        reverse("escalation:inbox"),
        reverse("dashboard", args=["quality_director"]),
    ):
        page = client.get(url).text
        assert TITLE in page, url
        assert "step overdue <span" not in page, url


def test_the_e_mail_subject_puts_the_code_after_the_step_name(people, overdue_a2):
    notifications.send_pending(at(23, 10, 20))
    subjects = {message.subject for message in mail.outbox}
    assert "Elm House: Check every service received the learning (A2) — step overdue" in subjects
