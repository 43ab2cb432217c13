"""An escalation acknowledged after its "Acknowledge by" deadline says so wherever its acknowledgement
is shown, as the step page does for a late record: "… (after the deadline)". The tester's escalation,
acknowledged three days late, read only "Acknowledged Priya Shah, Mon 7 Dec 2026, 04:35"."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db

LATE = "(after the deadline)"


def words(html: str) -> str:
    return " ".join(strip_tags(html).split())


@pytest.fixture
def a2_escalation(chain_a, people, time_machine):
    """A2 fell overdue at 10:18 on Monday 23 November: raised to the Quality Director, who must
    acknowledge it by 12:19 (two working hours)."""
    time_machine.move_to(at(23, 10, 20), tick=False)
    engine.tick(at(23, 10, 19))
    escalation = Escalation.objects.get(step_run__code="A2")
    assert escalation.acknowledge_by == at(23, 12, 19)
    return escalation


def acknowledged_row(page: str) -> str:
    """The words of the "Acknowledged" row under "What was done"."""
    row = page.split("<h2>What was done</h2>", 1)[1].split(">Acknowledged</dt>", 1)[1].split("</dd>", 1)[0]
    return f"Acknowledged {words(row)}"


def test_the_escalation_page_says_a_late_acknowledgement_was_late(
    a2_escalation, people, client, sign_in, time_machine
):
    services.acknowledge(a2_escalation, by=people.quality_director, now=at(23, 15, 5))
    time_machine.move_to(at(23, 15, 10), tick=False)
    sign_in(people.quality_director)
    page = client.get(reverse("escalation:detail", args=[a2_escalation.pk])).text
    assert acknowledged_row(page) == f"Acknowledged {people.quality_director}, Mon 23 Nov 2026, 15:05 {LATE}"


def test_an_acknowledgement_in_time_says_nothing_more(a2_escalation, people, client, sign_in, time_machine):
    services.acknowledge(a2_escalation, by=people.quality_director, now=at(23, 11))
    time_machine.move_to(at(23, 11, 5), tick=False)
    sign_in(people.quality_director)
    page = client.get(reverse("escalation:detail", args=[a2_escalation.pk])).text
    assert acknowledged_row(page) == f"Acknowledged {people.quality_director}, Mon 23 Nov 2026, 11:00"


def test_my_escalations_says_when_it_was_acknowledged_and_that_it_was_late(
    a2_escalation, people, client, sign_in, time_machine
):
    services.acknowledge(a2_escalation, by=people.quality_director, now=at(23, 15, 5))
    time_machine.move_to(at(23, 15, 10), tick=False)
    sign_in(people.quality_director)
    said = words(client.get(reverse("escalation:inbox")).text)
    row = said.split("Acknowledge by Mon 23 Nov 2026, 12:19", 1)[1].split(" State ", 1)[0]
    assert row == f"Acknowledged Mon 23 Nov 2026, 15:05 {LATE}"
