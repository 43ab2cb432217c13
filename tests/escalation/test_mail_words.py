"""What an escalation e-mail says, read as the person who gets it: the service first in the subject,
why they receive it, thresholds with their units, a follow-up's story in the order it happened, and
a deadline that had passed before the mail left said plainly."""

import pytest
from django.core import mail

from escalation import engine, notifications, services, weak_groups
from escalation.rules import evaluate

from .conftest import at

pytestmark = pytest.mark.django_db


def mails_to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


def test_the_subject_names_the_service_then_the_step_then_what_happened(chain_a, people):
    engine.tick(at(23, 10, 1))  # A1 overdue: the Operations Director is told
    notifications.send_pending(at(23, 10, 2))
    [message] = mails_to(people.operations_director)
    assert message.subject == "Elm House: Find comparable services (A1) — step overdue"
    assert "Oakwood Care Group" not in message.subject  # everyone told works for that one provider
    assert "You are receiving this as Operations Director." in message.body
    assert "You are told as" not in message.body


def test_a_mail_sent_before_its_deadline_gives_the_window(chain_a, people):
    engine.tick(at(23, 10, 1))
    notifications.send_pending(at(23, 10, 2))
    [message] = mails_to(people.operations_director)
    assert "Acknowledge by: Mon 23 Nov 2026, 11:01 (within 1 working hour)" in message.body
    assert "overdue: acknowledge it now" not in message.body


def test_a_mail_sent_after_its_deadline_says_it_is_overdue(chain_a, people):
    engine.tick(at(23, 10, 1))  # acknowledge by 11:01; the mail leaves at 14:00 (a worker was down)
    notifications.send_pending(at(23, 14))
    [message] = mails_to(people.operations_director)
    assert "Acknowledge by: Mon 23 Nov 2026, 11:01 — this is overdue: acknowledge it now." in message.body
    assert "(within 1 working hour)" not in message.body


def test_a_learning_transfer_case_names_its_service(chains, provider, elm_house, north, people):
    # A trigger's name ("LT-0002 Unwitnessed fall") does not say where: any subject named so will do.
    services.start_chain("A", provider=provider, subject=north, anchor_at=at(20, 16), service=elm_house)
    engine.tick(at(23, 10, 1))
    notifications.send_pending(at(23, 10, 2))
    [message] = mails_to(people.operations_director)
    assert f"Case: {north} at Elm House – learning transfer" in message.body


def test_a_follow_up_tells_what_happened_in_time_order(chain_a, people):
    [overdue] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    engine.tick(at(23, 12, 20))  # the Quality Director did not acknowledge: the Provider Director
    [third] = [e for e in engine.tick(at(23, 14, 21)).follow_ups if e.step_run.code == "A2"]
    first_missed = third.reason.index("Not acknowledged by the Quality Director")
    second_missed = third.reason.index("Not acknowledged by the Provider Director")
    assert third.reason.startswith(overdue.reason)  # the original problem first
    assert first_missed < second_missed


def test_a_weak_shift_is_named_as_people_say_it(chains, provider, elm_house, subject, people, shifts):
    run = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    measures = [{"name": "record_completion_pct", "label": "Care-record completion", "kind": "percentage"}]
    night = evaluate(
        {"measure": "record_completion_pct", "op": "<", "value": 93}, {"record_completion_pct": 82}, measures
    )
    [raised] = weak_groups.raise_weak_group_escalations(
        run, "B1", [("shift night", night)], occurred_at=at(23, 10, 15), now=at(23, 10, 15)
    )
    assert "the night shift breaches the threshold" in raised.reason
    assert "shift night" not in raised.reason


def test_a_change_from_baseline_reads_in_points_on_both_sides():
    measures = [{"name": "completion", "label": "Care-record completion", "kind": "percentage", "unit": "%"}]
    rule = {"change_from_baseline": "completion", "op": "<", "value": 5}
    result = evaluate(rule, {"completion": 79, "completion__baseline": 78}, measures)
    assert result.breached
    assert (
        result.text == "Change in care-record completion from baseline (78 to 79: +1 point) is below 5 points"
    )


def test_a_threshold_in_minutes_says_minutes():
    measures = [
        {
            "name": "answer_minutes",
            "label": "Average minutes to answer a call",
            "kind": "minutes",
            "unit": "minutes",
        }
    ]
    result = evaluate({"measure": "answer_minutes", "op": ">", "value": 15}, {"answer_minutes": 20}, measures)
    assert result.text.endswith("is above 15 minutes")
