"""Found: a night of overdue checks brought the top roles one reminder after another, each acknowledged
on its own page. "Yours to do" now has a box beside each escalation still to acknowledge, and one
button acknowledges the ones ticked, each by the rule its own page applies: one the person may not act
on, or acknowledged meanwhile, is named and left as it was.

Every step of the chain A case is overdue by Tuesday 24 November at 16:00: the Provider Director is told
of A3 and A5, the Quality Director of A2."""

import pytest
from django.urls import reverse

from escalation import engine
from escalation.choices import EscalationState
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db
URL = reverse("escalation:acknowledge_ticked")


@pytest.fixture
def overdue(chain_a, time_machine):
    time_machine.move_to(at(24, 16), tick=False)
    engine.tick(at(24, 16))
    return chain_a


def raised_to(role):
    return list(Escalation.objects.filter(target_role=role, state=EscalationState.RAISED).order_by("pk"))


def test_the_ones_ticked_are_acknowledged_at_once(client, sign_in, overdue, people):
    director = raised_to("provider_director")
    assert len(director) >= 2
    sign_in(people.provider_director)
    inbox = client.get(reverse("escalation:inbox")).text
    assert "Acknowledge the ones ticked" in inbox
    for escalation in director:
        assert f'name="escalation" type="checkbox" value="{escalation.pk}"' in inbox

    page = client.post(URL, {"escalation": [e.pk for e in director]}, follow=True).text
    assert f"{len(director)} escalations acknowledged." in page
    for escalation in director:
        escalation.refresh_from_db()
        assert escalation.state == EscalationState.ACKNOWLEDGED
        assert escalation.acknowledged_by == people.provider_director


def test_one_not_yours_is_named_and_left_as_it_was(client, sign_in, overdue, people):
    [theirs, *_] = raised_to("provider_director")
    [quality_directors] = raised_to("quality_director")
    sign_in(people.provider_director)
    page = client.post(URL, {"escalation": [theirs.pk, quality_directors.pk]}, follow=True).text
    assert "1 escalation acknowledged." in page
    assert "Left as they were" in page and quality_directors.step_run.label in page
    quality_directors.refresh_from_db()
    assert quality_directors.state == EscalationState.RAISED


def test_nothing_ticked_says_so(client, sign_in, overdue, people):
    sign_in(people.provider_director)
    page = client.post(URL, {}, follow=True).text
    assert "Tick the escalations to acknowledge." in page
    assert all(e.state == EscalationState.RAISED for e in raised_to("provider_director"))
