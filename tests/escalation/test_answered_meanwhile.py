"""Two people open the same escalation; the first answers it. The second's submit, made from the page
as they loaded it, changes nothing and says why: one change, one event, one history row."""

import pytest
from django.core.exceptions import ValidationError

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
