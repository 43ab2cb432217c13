"""A closed trigger is the record of learning already implemented: its learning is not rewritten and
its services are not matched again, whether through the pages or the services, as every other change
to a closed trigger is already refused."""

import pytest
from django.core.exceptions import ValidationError

from learning_transfer.choices import TriggerStatus
from learning_transfer.models import LearningTrigger
from learning_transfer.services import match_services, record_learning

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(log_falls_trigger):
    """The falls trigger, closed. Set directly: closing for real needs every matched service's
    implementation verified, which is not what these tests are about."""
    trigger = log_falls_trigger()
    LearningTrigger.objects.filter(pk=trigger.pk).update(status=TriggerStatus.CLOSED)
    trigger.refresh_from_db()
    return trigger


def as_saved(trigger):
    """What the closed trigger and its matches hold, to show nothing changed."""
    trigger.refresh_from_db()
    matches = sorted(trigger.matches.values_list("service__name", "rate_7d", "included"))
    return trigger.learning_statement, trigger.matched_at, trigger.history.count(), matches


def test_the_learning_of_a_closed_trigger_is_not_rewritten(closed, quality_director):
    before = as_saved(closed)
    with pytest.raises(ValidationError, match="The trigger is closed."):
        record_learning(closed, by=quality_director, learning_statement="rewritten after closure")
    assert as_saved(closed) == before


def test_a_closed_trigger_is_not_matched_again_by_a_person_or_the_system(closed, quality_director):
    before = as_saved(closed)
    with pytest.raises(ValidationError, match="The trigger is closed."):
        match_services(closed, by=quality_director)
    with pytest.raises(ValidationError, match="The trigger is closed."):
        match_services(closed)  # no one named: the system refreshing figures
    assert as_saved(closed) == before


def test_the_learning_form_of_a_closed_trigger_refuses_and_keeps_the_learning(
    client, sign_in, closed, quality_director
):
    before = as_saved(closed)
    sign_in(quality_director)
    response = client.post(
        f"/learning/triggers/{closed.pk}/learning/", {"learning_statement": "rewritten after closure"}
    )
    assert response.status_code == 200  # the form again, with the refusal on it
    assert "The trigger is closed." in response.text
    assert "The learning is recorded." not in response.text
    assert as_saved(closed) == before


def test_running_matching_again_on_a_closed_trigger_is_refused(client, sign_in, closed, quality_director):
    before = as_saved(closed)
    sign_in(quality_director)
    page = client.post(f"/learning/triggers/{closed.pk}/rematch/", follow=True).text
    assert "The trigger is closed." in page
    assert "Matching run again" not in page
    assert as_saved(closed) == before


def test_a_closed_trigger_page_offers_neither_change(client, sign_in, closed, quality_director):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{closed.pk}/").text
    assert f"/learning/triggers/{closed.pk}/learning/" not in page
    assert f"/learning/triggers/{closed.pk}/rematch/" not in page
