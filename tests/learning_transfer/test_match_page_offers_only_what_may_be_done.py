"""A matched service's page offers only the actions the person may take on it as it stands, by the same
rule the actions themselves apply: nothing to change on a service left out of the learning or on a
closed trigger, and no "Verify implementation" until what verifying needs is in place."""

from datetime import timedelta

import pytest

from learning_transfer.choices import TriggerStatus
from learning_transfer.models import ImplementationLead, LearningTrigger
from learning_transfer.services import adjust_match, confirm_lead, issue_notices
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
LOG_ACTIONS = ("Confirm the implementation lead", "Briefing and remaining risk", "Add an implementation line")
FORMS = ("lead", "exposure", "lines/new")


@pytest.fixture
def issued(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    return trigger


def ash_of(trigger):
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


def page(client, match) -> str:
    return text_inside_main(client.get(f"/learning/matches/{match.pk}/").text)


def test_a_left_out_service_offers_nothing_to_change_and_its_forms_say_why(
    issued, managers, quality_director, operations_director, client, sign_in
):
    ash = adjust_match(issued, ash_of(issued).service, False, "Closed for refurbishment", by=quality_director)
    sign_in(operations_director)  # may keep the log and verify at any included service
    text = page(client, ash)
    assert "Left out of this learning: Closed for refurbishment" in text
    for offer in (*LOG_ACTIONS, "Verify implementation"):
        assert offer not in text
    for form in FORMS:  # reached by an old link or a bookmark: no form to fill in only to be refused
        response = client.get(f"/learning/matches/{ash.pk}/{form}/", follow=True)
        assert response.redirect_chain[-1][0] == f"/learning/matches/{ash.pk}/"
        assert "Ash Grove was left out of this learning." in text_inside_main(response.text)
    response = client.post(f"/learning/matches/{ash.pk}/lead/", {"person": managers["ash"].pk})
    assert response.status_code == 302
    assert not ImplementationLead.objects.filter(matched_service=ash).exists()


def test_a_closed_triggers_services_offer_nothing_to_change(issued, operations_director, client, sign_in):
    LearningTrigger.objects.filter(pk=issued.pk).update(status=TriggerStatus.CLOSED)
    sign_in(operations_director)
    text = page(client, ash_of(issued))
    for offer in (*LOG_ACTIONS, "Verify implementation"):
        assert offer not in text
    response = client.get(f"/learning/matches/{ash_of(issued).pk}/lead/", follow=True)
    assert "The trigger is closed." in text_inside_main(response.text)


def test_verify_is_offered_only_once_what_it_needs_is_in_place(
    issued, managers, operations_director, client, sign_in
):
    ash = ash_of(issued)
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=CONFIRMED + timedelta(hours=1))
    sign_in(operations_director)
    text = page(client, ash)
    for offer in LOG_ACTIONS:
        assert offer in text
    assert "Verify implementation" not in text
    assert (
        "Before verifying, Ash Grove needs a completed mandatory briefing, at least one implementation line."
        in text
    )


def test_the_service_itself_keeps_its_log_but_is_never_offered_verification(
    issued, managers, client, sign_in
):
    sign_in(managers["ash"])
    text = page(client, ash_of(issued))
    assert "Confirm the implementation lead" in text
    assert "Verify implementation" not in text and "Before verifying" not in text
