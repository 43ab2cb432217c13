"""A step that breaches again after its breach was put right tells its named role again.

A2 breached at 10:00 (75 % of notices received within 4 hours): the Quality Director was told. Once
that escalation is resolved — settled by A2 recorded again within threshold, or resolved by a person —
a later breach of A2 is a new problem: a new escalation, told to the Quality Director again, saying it
is A2's 2nd breach. While the first is still open, a breach recorded again adds to it and raises
nothing new.
"""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, notifications, services
from escalation.models import Escalation, Notification
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_OK = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
A2_BREACH = {**A2_OK, "pct_received_within_4h": 75}


def record_a2(chain_a, people, time_machine, values, hour, minute, check_done=CHECK_DONE):
    """A2 recorded by the Governance Officer at 23 Nov, hour:minute (the clock frozen there)."""
    time_machine.move_to(at(23, hour, minute), tick=False)
    return services.record_step(
        step(chain_a, "A2"), by=people.governance_officer, values=values, check_done=check_done
    )


def first_level_breaches(chain_a):
    return list(
        Escalation.objects.filter(step_run=step(chain_a, "A2"), kind="breach", parent=None).order_by("pk")
    )


@pytest.fixture
def breached_a2(chain_a, people, time_machine):
    """A2 recorded at 10:00 with 75 % received: the Quality Director is told of the breach (e-mailed)."""
    escalation = record_a2(chain_a, people, time_machine, A2_BREACH, 10, 0).escalation
    assert notifications.send_pending(at(23, 10, 1)) == 1
    return escalation


def _second_breach_is_told(chain_a, people, first, again):
    """The record breaching again raised a 2nd escalation to the Quality Director, e-mailed to her once
    the transaction committed, and the first stays as it was left."""
    second = again.escalation
    assert second is not None and second.pk != first.pk
    assert first_level_breaches(chain_a) == [first, second]
    assert (second.state, second.target_role, second.level) == ("raised", "quality_director", 1)
    assert "breached its threshold again (its 2nd breach" in second.reason
    assert [n.user for n in Notification.objects.filter(escalation=second)] == [people.quality_director]
    assert second.events.filter(kind="escalation_raised").count() == 1
    mail.outbox.clear()
    notifications.send_pending(at(23, 11))
    # A first breach settled by a record within threshold was told as withdrawn: that mail aside, the
    # second breach is mailed once.
    [message] = [m for m in mail.outbox if "breach withdrawn" not in m.subject]
    assert message.to == [people.quality_director.email]
    assert "breached its threshold again (its 2nd breach" in message.body
    first.refresh_from_db()
    assert first.state == "resolved"
    return second


def test_a_breach_after_the_first_was_settled_raises_a_second_escalation(
    breached_a2, chain_a, people, time_machine
):
    record_a2(chain_a, people, time_machine, A2_OK, 10, 30, check_done="All 12 checked again.")
    breached_a2.refresh_from_db()
    assert (breached_a2.state, breached_a2.settled) == ("resolved", True)

    again = record_a2(chain_a, people, time_machine, A2_BREACH, 10, 40, check_done="Checked at 10:40.")

    second = _second_breach_is_told(chain_a, people, breached_a2, again)
    assert "the one before, recorded Mon 23 Nov 2026, 10:00, was resolved Mon 23 Nov 2026, 10:30" in (
        second.reason
    )
    breached_a2.refresh_from_db()
    assert breached_a2.settled  # still settled, by the record within threshold, not by the new breach


def test_a_breach_after_a_person_resolved_the_first_raises_a_second_escalation(
    breached_a2, chain_a, people, time_machine
):
    services.record_action(
        breached_a2,
        by=people.quality_director,
        action_taken="Chased the two homes late to receive the notice.",
        now=at(23, 10, 20),
    )
    services.resolve(breached_a2, by=people.quality_director, now=at(23, 10, 25))

    again = record_a2(chain_a, people, time_machine, {**A2_BREACH, "pct_received_within_4h": 80}, 10, 40)

    _second_breach_is_told(chain_a, people, breached_a2, again)
    breached_a2.refresh_from_db()
    assert breached_a2.resolved_by == people.quality_director and not breached_a2.settled


def test_a_third_breach_says_it_is_the_third(breached_a2, chain_a, people, time_machine):
    record_a2(chain_a, people, time_machine, A2_OK, 10, 30)
    record_a2(chain_a, people, time_machine, A2_BREACH, 10, 40)
    record_a2(chain_a, people, time_machine, A2_OK, 10, 50)
    third = record_a2(chain_a, people, time_machine, A2_BREACH, 11, 0).escalation

    assert len(first_level_breaches(chain_a)) == 3
    assert "breached its threshold again (its 3rd breach" in third.reason
    assert [e.state for e in first_level_breaches(chain_a)] == ["resolved", "resolved", "raised"]


def test_breaching_again_while_the_first_is_open_raises_nothing_new(
    breached_a2, chain_a, people, time_machine
):
    again = record_a2(chain_a, people, time_machine, {**A2_BREACH, "pct_received_within_4h": 80}, 10, 30)

    assert again.escalation == breached_a2
    assert first_level_breaches(chain_a) == [breached_a2]
    assert Notification.objects.filter(escalation__step_run__code="A2").count() == 1


def test_one_acknowledged_and_still_open_is_kept_when_it_breaches_again(
    breached_a2, chain_a, people, time_machine
):
    """Taken up by a person, the breach stays theirs when A2 is put right meanwhile: breaching again is
    the same open problem, not a new one."""
    services.acknowledge(breached_a2, by=people.quality_director, now=at(23, 10, 15))
    record_a2(chain_a, people, time_machine, A2_OK, 10, 30)
    again = record_a2(chain_a, people, time_machine, A2_BREACH, 10, 40)

    assert again.escalation == breached_a2
    assert first_level_breaches(chain_a) == [breached_a2]


def test_the_page_of_the_second_says_it_is_the_second_breach(
    breached_a2, chain_a, people, time_machine, client, sign_in
):
    record_a2(chain_a, people, time_machine, A2_OK, 10, 30)
    second = record_a2(
        chain_a, people, time_machine, A2_BREACH, 10, 40, check_done="Seen at 10:40."
    ).escalation

    sign_in(people.quality_director)
    page = " ".join(strip_tags(client.get(reverse("escalation:detail", args=[second.pk])).text).split())
    assert "breached its threshold again (its 2nd breach" in page
    # The record that raised it is the 10:40 one, not the 10:00 one that raised the first.
    assert (
        f"Everything recorded for this step by {people.governance_officer} on Mon 23 Nov 2026 at 10:40"
        in page
    )
    # The step's page links to the newest breach escalation, the one still open, and its list of
    # escalations tells the two breaches apart.
    step_page = client.get(step(chain_a, "A2").get_absolute_url())
    assert step_page.context["breach"] == second
    listed = strip_tags(step_page.text)
    assert "Threshold reached → Quality Director (2nd breach)" in listed
    assert listed.count("Threshold reached → Quality Director") == 2


def test_each_breach_is_raised_once_and_the_tick_climbs_each_once(breached_a2, chain_a, people, time_machine):
    record_a2(chain_a, people, time_machine, A2_OK, 10, 30)
    second = record_a2(chain_a, people, time_machine, A2_BREACH, 10, 40).escalation

    # The same breach number again is refused by the database, whatever raises it.
    duplicate = Escalation.objects.get(pk=second.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    # Nobody acknowledged the 2nd within its window: the tick raises its follow-up once, however often
    # it runs; the settled first climbs no further.
    engine.tick(at(23, 13))
    engine.tick(at(23, 13))
    engine.tick(at(23, 13, 1))
    a2 = Escalation.objects.filter(step_run=step(chain_a, "A2"))
    [follow_up] = a2.filter(kind="follow_up")
    assert (follow_up.root, follow_up.level, follow_up.target_role) == (second, 2, "provider_director")
    assert "breached its threshold again (its 2nd breach" in follow_up.reason
    assert a2.count() == 3


def test_a_withdrawn_second_breach_says_it_was_the_second_in_the_inbox(
    breached_a2, chain_a, people, time_machine
):
    """Two identical "breach withdrawn" rows would not say which is which: the second says so."""
    from escalation import telling

    record_a2(chain_a, people, time_machine, A2_OK, 10, 30, check_done="All 12 checked again.")
    record_a2(chain_a, people, time_machine, A2_BREACH, 10, 40, check_done="Checked at 10:40.")
    record_a2(chain_a, people, time_machine, A2_OK, 10, 50, check_done="All 12 checked a third time.")
    named = [item["named"] for item in telling.withdrawn_unread(people.quality_director)]
    assert named == [
        "Check every service received the learning (A2), 2nd breach",
        "Check every service received the learning (A2)",
    ]
