"""Leaving out (or adding) a matched service a second time changes nothing: the reason first given
stays on the record, no second history row is written, and the person is told it was already done."""

import pytest

from learning_transfer.services import adjust_match
from providers.actions import AlreadyDone

pytestmark = pytest.mark.django_db


def as_recorded(trigger, service):
    match = trigger.matches.get(service=service)
    return match.included, match.reason, match.history.count()


def test_leaving_out_again_keeps_the_first_reason(log_falls_trigger, falls_provider, quality_director):
    trigger, cedar = log_falls_trigger(), falls_provider["cedar"]
    adjust_match(trigger, cedar, False, "out", quality_director)
    before = as_recorded(trigger, cedar)
    with pytest.raises(AlreadyDone, match="Cedar Court is already left out of this learning") as done:
        adjust_match(trigger, cedar, False, "out again", quality_director)
    assert done.value.existing == trigger.matches.get(service=cedar)
    assert as_recorded(trigger, cedar) == before == (False, "out", before[2])


def test_adding_again_keeps_the_first_reason(log_falls_trigger, falls_provider, quality_director):
    trigger, ember = log_falls_trigger(), falls_provider["ember"]
    adjust_match(trigger, ember, True, "Same night rota", quality_director)
    before = as_recorded(trigger, ember)
    with pytest.raises(AlreadyDone, match="Ember Court is already one of the matched services"):
        adjust_match(trigger, ember, True, "Same night rota, again", quality_director)
    assert as_recorded(trigger, ember) == before


def test_a_service_left_out_can_still_be_added_back(log_falls_trigger, falls_provider, quality_director):
    trigger, cedar = log_falls_trigger(), falls_provider["cedar"]
    adjust_match(trigger, cedar, False, "Closed for refurbishment", quality_director)
    adjust_match(trigger, cedar, True, "Reopened", quality_director)
    included, reason, _ = as_recorded(trigger, cedar)
    assert included and reason == "Reopened"
    match = trigger.matches.get(service=cedar)
    assert match.history.first().history_change_reason == "Added: Reopened"


def test_the_page_says_a_repeated_leave_out_was_already_done(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger, cedar = log_falls_trigger(), falls_provider["cedar"]
    sign_in(quality_director)
    url = f"/learning/triggers/{trigger.pk}/matches/"
    client.post(url, {"service": cedar.pk, "include": "0", "reason": "out"}, follow=True)  # its banner read
    before = as_recorded(trigger, cedar)
    response = client.post(url, {"service": cedar.pk, "include": "0", "reason": "out again"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/learning/triggers/{trigger.pk}/#matched-services"
    assert "Cedar Court is already left out of this learning: nothing was changed." in response.text
    assert "left out of the matched services" not in response.text  # no success banner
    assert as_recorded(trigger, cedar) == before
