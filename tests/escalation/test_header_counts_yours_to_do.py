"""The header's "My escalations" number counts the new escalations the inbox lists under "Yours to do"
(those told of and not read yet): never an escalation someone has since resolved."""

import pytest
from django.urls import reverse

from escalation import context_processors, engine, services

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_a2(chain_a, people, time_machine):
    """A2 fell overdue at 10:18 and the Quality Director was told; she has not opened it."""
    time_machine.move_to(at(23, 10, 40), tick=False)
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return escalation


def header_and_inbox(client, sign_in, person):
    sign_in(person)
    response = client.get(reverse("escalation:inbox"))
    return response.context["unread_escalations"], response.context["yours"], response.text


def test_an_unread_open_escalation_is_counted_and_listed(overdue_a2, people, client, sign_in):
    count, yours, page = header_and_inbox(client, sign_in, people.quality_director)
    # A1, hers to record, is listed too: raised to the Operations Director, it is not new to her.
    assert count == 1 and [e.pk for e in yours if getattr(e, "unread", False)] == [overdue_a2.pk]
    assert 'aria-label="1 unread"' in page
    # Said as "new", which is what it counts (a tester read it as what was left to do).
    assert 'aria-label="1 unread">1 new</strong>' in page


def test_an_escalation_resolved_by_someone_else_is_not_counted(overdue_a2, people, client, sign_in):
    ni = people.nominated_individual
    services.record_action(overdue_a2, by=ni, action_taken="Asked the officer.", now=at(23, 10, 30))
    services.resolve(overdue_a2, by=ni, note="Covered by the deputy.", now=at(23, 10, 35))
    assert context_processors.header_summary(people.quality_director)["unread_escalations"] == 0
    count, yours, page = header_and_inbox(client, sign_in, people.quality_director)
    assert count == 0 and overdue_a2.pk not in [e.pk for e in yours]
    assert "app-count" not in page
