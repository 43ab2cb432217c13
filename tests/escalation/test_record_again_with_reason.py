"""Recording a step again: the form opens with the current record, asks why, and tells whoever was told
of a breach the new record withdraws.

A tester recorded a breach (75 %), then pressed "Record again" with 100 %: the form opened empty, asked
for nothing, and the Quality Director's escalation was settled without a word to her. Now the form is
pre-filled (change what was wrong), the reason is kept with the new record and shown beside it, a record
that changes nothing is refused plainly, and each person told of the settled breach is written to.
"""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import notifications, services, telling
from escalation.models import Notification, StepRecord
from providers.models import REASON_MAX_LENGTH

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_OK = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
A2_BREACH = {**A2_OK, "pct_received_within_4h": 75}
FIRST_CHECK = "Compared the notices with the issue log."
TYPO = "I typed 75 instead of 100."


@pytest.fixture
def a2(chain_a, people, time_machine):
    """A2 recorded at 10:00 with 75 % received (a breach told to the Quality Director), with notes and
    evidence; it is now 10:30."""
    time_machine.move_to(at(23, 10), tick=False)
    a2 = step(chain_a, "A2")
    services.record_step(
        a2,
        by=people.governance_officer,
        values=A2_BREACH,
        check_done=FIRST_CHECK,
        notes="Two notices were late.",
        evidence_links="Issue log 23 Nov",
    )
    time_machine.move_to(at(23, 10, 30), tick=False)
    return a2


def page_text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def again(**changes) -> dict:
    """The record-again form as it opens (the current record's words), with `changes`."""
    return {
        "pct_received_within_4h": "75",
        "sampled_with_named_owner": "12",
        "sampled_due_within_72h": "12",
        "check_done": FIRST_CHECK,
        "notes": "Two notices were late.",
        "evidence_links": "Issue log 23 Nov",
        "correction_reason": TYPO,
    } | changes


def test_the_form_opens_with_the_current_record_and_asks_why(a2, people, client, sign_in):
    sign_in(people.governance_officer)
    form = client.get(reverse("escalation:step_run", args=[a2.pk])).context["form"]

    assert form["pct_received_within_4h"].value() == "75"
    assert form["sampled_with_named_owner"].value() == "12"
    assert form["check_done"].value() == FIRST_CHECK
    assert form["notes"].value() == "Two notices were late."
    assert form["evidence_links"].value() == "Issue log 23 Nov"
    assert form.fields["correction_reason"].label == "Why are you recording this again?"


def test_the_first_record_asks_no_reason(chain_a, people, client, sign_in, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    sign_in(people.governance_officer)
    form = client.get(reverse("escalation:step_run", args=[step(chain_a, "A2").pk])).context["form"]
    assert "correction_reason" not in form.fields


def test_recording_again_without_a_reason_is_refused(a2, people, client, sign_in):
    sign_in(people.governance_officer)
    url = reverse("escalation:step_run", args=[a2.pk])
    response = client.post(url, again(pct_received_within_4h="100", correction_reason=""))

    assert response.status_code == 200
    assert "Say why you are recording this again" in page_text(response)
    assert StepRecord.objects.filter(step_run=a2).count() == 1


def test_a_reason_too_long_is_refused_and_kept(a2, people, client, sign_in):
    sign_in(people.governance_officer)
    url = reverse("escalation:step_run", args=[a2.pk])
    long_reason = "x" * (REASON_MAX_LENGTH + 1)
    response = client.post(url, again(pct_received_within_4h="100", correction_reason=long_reason))

    assert f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer" in page_text(response)
    assert response.context["form"]["correction_reason"].value() == long_reason
    assert StepRecord.objects.filter(step_run=a2).count() == 1


def test_the_reason_is_kept_with_the_new_record_and_shown(a2, people, client, sign_in):
    sign_in(people.governance_officer)
    url = reverse("escalation:step_run", args=[a2.pk])
    client.post(url, again(pct_received_within_4h="100"))

    current = StepRecord.objects.get(step_run=a2, is_current=True)
    assert current.values["pct_received_within_4h"] == 100
    assert current.correction_reason == TYPO
    assert current.check_done == FIRST_CHECK  # kept from the pre-filled form, not typed again
    assert f"Why it was recorded again: {TYPO}" in page_text(client.get(url))


def test_a_record_that_changes_nothing_says_so(a2, people, client, sign_in):
    sign_in(people.governance_officer)
    url = reverse("escalation:step_run", args=[a2.pk])
    response = client.post(url, again(), follow=True)

    text = page_text(response)
    assert "Nothing changed:" in text and "change the figure that was wrong" in text
    assert StepRecord.objects.filter(step_run=a2).count() == 1


def test_a_double_press_of_the_first_record_asks_no_reason(chain_a, people, client, sign_in, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    sign_in(people.governance_officer)
    url = reverse("escalation:step_run", args=[step(chain_a, "A2").pk])
    first = again(correction_reason="")
    client.post(url, first)
    response = client.post(url, first, follow=True)

    assert "Say why you are recording this again" not in page_text(response)
    assert "Nothing changed" in page_text(response)
    assert StepRecord.objects.filter(step_run__code="A2").count() == 1


def withdrawn_messages():
    return Notification.objects.filter(about__startswith="breach_withdrawn:")


def test_whoever_was_told_of_the_breach_is_told_it_is_withdrawn(
    a2, people, client, sign_in, django_capture_on_commit_callbacks
):
    breach = a2.escalations.get(kind="breach")
    sign_in(people.governance_officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the record commits
        client.post(reverse("escalation:step_run", args=[a2.pk]), again(pct_received_within_4h="100"))

    assert [row.user for row in withdrawn_messages()] == [people.quality_director]
    sent = [m for m in mail.outbox if "breach withdrawn" in m.subject]
    assert len(sent) == 1
    message = sent[0]
    assert message.to == [people.quality_director.email]
    assert message.subject.startswith("Elm House: ")
    assert "(A2)" in message.subject
    body = " ".join(message.body.split())
    assert (
        f"Breach withdrawn: recorded again within threshold by {people.governance_officer} "
        "on Mon 23 Nov 2026, 10:30" in body
    )
    assert "Notices received within 4 hours" in body or "100 %" in body
    assert f"Why they recorded it again: {TYPO}" in body
    assert "Nothing is asked of you now" in body
    assert reverse("escalation:detail", args=[breach.pk]) in body


def test_the_withdrawal_shows_in_the_inbox_until_read(a2, people, client, sign_in):
    breach = a2.escalations.get(kind="breach")
    sign_in(people.governance_officer)
    client.post(reverse("escalation:step_run", args=[a2.pk]), again(pct_received_within_4h="100"))

    sign_in(people.quality_director)
    inbox = page_text(client.get(reverse("escalation:inbox")))
    assert "Breaches withdrawn" in inbox
    assert f"recorded again within threshold by {people.governance_officer}" in inbox

    client.get(reverse("escalation:detail", args=[breach.pk]))
    assert "Breaches withdrawn" not in page_text(client.get(reverse("escalation:inbox")))


def test_told_once_per_person_and_not_the_one_who_recorded(a2, people, time_machine):
    services.record_step(
        a2, by=people.governance_officer, values=A2_OK, check_done=FIRST_CHECK, correction_reason=TYPO
    )
    time_machine.move_to(at(23, 10, 40), tick=False)
    services.record_step(
        a2, by=people.governance_officer, values=A2_OK, check_done="Checked again.", correction_reason="More."
    )
    assert [row.user for row in withdrawn_messages()] == [people.quality_director]


def test_nothing_is_told_when_the_breach_stays(a2, people):
    services.record_step(
        a2,
        by=people.governance_officer,
        values={**A2_BREACH, "pct_received_within_4h": 80},
        check_done=FIRST_CHECK,
        correction_reason=TYPO,
    )
    assert not withdrawn_messages().exists()


def test_a_withdrawal_leaving_after_a_new_breach_says_so(a2, people, time_machine):
    services.record_step(
        a2, by=people.governance_officer, values=A2_OK, check_done=FIRST_CHECK, correction_reason=TYPO
    )
    time_machine.move_to(at(23, 10, 40), tick=False)
    services.record_step(
        a2,
        by=people.governance_officer,
        values=A2_BREACH,
        check_done="Checked again.",
        correction_reason="No.",
    )
    mail.outbox.clear()
    notifications.send_pending(at(23, 11))

    [withdrawn] = [m for m in mail.outbox if "breach withdrawn" in m.subject]
    assert "Nothing is asked of you now" not in withdrawn.body
    assert "breached again: a new escalation, told to you on its own, asks you to act" in withdrawn.body


def test_the_inbox_lists_withdrawals_in_the_same_queries_however_many(a2, people, time_machine):
    def withdraw(minute, reason):
        time_machine.move_to(at(23, 10, minute), tick=False)
        services.record_step(
            a2, by=people.governance_officer, values=A2_OK, check_done=reason, correction_reason=reason
        )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            listed = telling.withdrawn_unread(people.quality_director)
        return len(listed), len(queries)

    withdraw(30, "First slip.")
    one = count_queries()
    time_machine.move_to(at(23, 10, 40), tick=False)
    services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, check_done="Again.", correction_reason="No."
    )
    withdraw(50, "Second slip.")
    two = count_queries()

    assert (one[0], two[0]) == (1, 2)
    assert two[1] == one[1]
