"""Two people open the same escalation; the first answers it. The second's submit, made from the page
as they loaded it, changes nothing and says why: one change, one event, one history row."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from escalation.choices import EventKind
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_pages(chain_a, people):
    """The A2 escalation as two sessions loaded it, before either answered."""
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return Escalation.objects.get(pk=escalation.pk), Escalation.objects.get(pk=escalation.pk)


def test_a_second_acknowledgement_from_an_older_page_is_refused(two_pages, people):
    first, second = two_pages
    services.acknowledge(first, by=people.quality_director, now=at(23, 11))
    with pytest.raises(ValidationError, match="already been acknowledged"):
        services.acknowledge(second, by=people.nominated_individual, now=at(23, 11, 1))
    first.refresh_from_db()
    assert first.acknowledged_by == people.quality_director
    assert first.events.filter(kind=EventKind.ESCALATION_ACKNOWLEDGED).count() == 1
    assert first.history.filter(history_change_reason="Acknowledged").count() == 1


def test_an_action_recorded_over_someone_elses_is_refused(two_pages, people):
    first, second = two_pages
    services.record_action(first, by=people.quality_director, action_taken="Phoned the home.")
    with pytest.raises(ValidationError, match="read what they recorded"):
        services.record_action(second, by=people.nominated_individual, action_taken="Sent an e-mail.")
    first.refresh_from_db()
    assert first.action_taken == "Phoned the home."


def test_a_second_resolution_from_an_older_page_is_refused(two_pages, people):
    first, second = two_pages
    services.record_action(first, by=people.quality_director, action_taken="Phoned the home.")
    second.refresh_from_db()
    services.resolve(first, by=people.quality_director, note="Done.")
    with pytest.raises(ValidationError, match="resolved or changed"):
        services.resolve(second, by=people.nominated_individual, note="Done too.")
    assert first.events.filter(kind=EventKind.ESCALATION_RESOLVED).count() == 1


@pytest.fixture
def overdue_a2(chain_a, people, time_machine):
    time_machine.move_to(at(23, 10, 40), tick=False)
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return escalation


def banner(response) -> str:
    return " ".join(strip_tags(response.text.split("nhsuk-notification-banner__title", 1)[1][:600]).split())


def test_a_double_press_by_the_same_person_says_it_was_saved(overdue_a2, people, client, sign_in):
    """Found: pressing "Resolve" twice said "Not done — This escalation is already resolved" though the
    first press had saved it, as did a second "Record the action taken"."""
    sign_in(people.quality_director)
    url = reverse("escalation:record_action", args=[overdue_a2.pk])
    for _ in range(2):
        response = client.post(
            url, {"action_taken": "Asked the governance officer to record A2."}, follow=True
        )
    said = "You recorded this action on Mon 23 Nov 2026 at 10:40: it is saved, nothing more to do."
    assert said in banner(response)
    assert "Not done" not in banner(response)
    url = reverse("escalation:resolve", args=[overdue_a2.pk])
    for _ in range(2):
        response = client.post(url, {"note": "A2 is being recorded now."}, follow=True)
    assert "You resolved it on Mon 23 Nov 2026 at 10:40: it is saved, nothing more to do." in banner(response)
    assert "Not done" not in banner(response)
    assert overdue_a2.events.filter(kind=EventKind.ESCALATION_RESOLVED).count() == 1
