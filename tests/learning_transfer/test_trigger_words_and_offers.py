"""A trigger's page says what happened in plain words, and offers only what would be accepted:
closing, issuing, and an implementation due date that is not before the notice was issued."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from learning_transfer.choices import TriggerStatus
from learning_transfer.models import LearningNotice
from learning_transfer.services import adjust_match, issue_notices, name_owner

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)


def test_a_trigger_closed_after_full_implementation_says_so():
    assert TriggerStatus.CLOSED.label == "Closed — learning verified at every matched service"


def test_an_implementation_due_date_before_the_issue_is_refused(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    notice = issue_notices(trigger, by=quality_director, now=ISSUED)[0]
    with pytest.raises(ValidationError, match="before the notice was issued"):
        name_owner(notice, by=quality_director, owner=notice.owner, due_at=ISSUED - timedelta(days=1))
    sign_in(quality_director)
    response = client.post(
        f"/learning/notices/{notice.pk}/owner/",
        {"owner": notice.owner_id, "due_at": "2026-11-17T09:00"},
    )
    assert response.status_code == 200
    assert "cannot be due before the notice was issued (Wed 18 Nov 2026, 10:30)" in response.text
    notice.refresh_from_db()
    assert notice.due_at == ISSUED + timedelta(hours=72)


def test_close_is_not_offered_while_implementation_is_unverified(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Close this trigger" not in page
    assert "It can be closed once implementation is verified at every matched service" in page
    assert "Ash Grove, Beech Lodge, Cedar Court, Dove Cottage" in page


def test_issue_is_not_offered_with_no_included_services(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    for key in ("ash", "beech", "cedar", "dove"):
        adjust_match(trigger, falls_provider[key], False, "Not comparable after all.", by=quality_director)
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Issue learning notices" not in page
    assert "There are no included matched services" in page
    with pytest.raises(ValidationError, match="no included matched services"):
        issue_notices(trigger, by=quality_director, now=ISSUED)
    assert not LearningNotice.objects.exists()
