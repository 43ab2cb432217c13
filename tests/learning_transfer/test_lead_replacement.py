"""Replacing a service's implementation lead (A3): a lead someone else confirmed is never swapped
silently. Choosing a different person needs a reason, kept in the lead's history and shown on the
service's page; the person who confirmed the earlier lead and the lead replaced are e-mailed. Choosing
the same person again changes nothing, and a double submit tells nobody twice."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation.models import Notification
from learning_transfer.models import ImplementationLead
from learning_transfer.services import confirm_lead, issue_notices
from providers.actions import AlreadyDone
from providers.choices import Role
from tests.factories import person_with_role
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
FIRST = CONFIRMED + timedelta(hours=1)  # Wed 18 Nov 2026, 11:00
LATER = CONFIRMED + timedelta(days=1)  # Thu 19 Nov 2026, 10:00
REASON = "Beth is on long-term leave from next week."


@pytest.fixture
def femi(falls_provider):
    """Ash Grove's registered manager."""
    ash = falls_provider["ash"]
    person = person_with_role(
        Role.REGISTERED_MANAGER, service=ash, first_name="Femi", last_name="Adeyemi", username="femi"
    )
    ash.registered_manager = person
    ash.save()
    return person


@pytest.fixture
def beth(falls_provider):
    return person_with_role(
        Role.CLINICAL_LEAD,
        service=falls_provider["ash"],
        first_name="Beth",
        last_name="Byrne",
        username="beth",
    )


@pytest.fixture
def ash(log_falls_trigger, femi, beth, quality_director, operations_director):
    """Ash Grove with Beth confirmed as its lead by the Operations Director."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    Notification.objects.all().delete()  # the notices' own mails (test_notice_mails): not these tests'
    match = trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")
    confirm_lead(match, person=beth, by=operations_director, now=FIRST)
    return match


def messages_to(person) -> list[Notification]:
    return list(Notification.objects.filter(user=person, escalation=None))


def test_replacing_the_lead_without_a_reason_is_refused_and_changes_nothing(ash, femi, beth):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            confirm_lead(ash, person=femi, by=femi, reason=reason, now=LATER)
        assert refused.value.message_dict == {
            "reason": ["Give a reason for replacing Beth Byrne as implementation lead."]
        }
    lead = ImplementationLead.objects.get(matched_service=ash)
    assert (lead.person, lead.confirmed_at) == (beth, FIRST)
    assert lead.history.count() == 1
    assert not Notification.objects.exists()


def test_a_reason_over_the_limit_is_refused_on_the_reason(ash, femi):
    with pytest.raises(ValidationError) as refused:
        confirm_lead(ash, person=femi, by=femi, reason="x" * 501, now=LATER)
    assert list(refused.value.message_dict) == ["reason"]


def test_confirming_the_same_lead_again_changes_nothing(ash, beth, femi, operations_director):
    with pytest.raises(AlreadyDone, match="Beth Byrne is already the implementation lead at Ash Grove."):
        confirm_lead(ash, person=beth, by=femi, now=LATER)
    lead = ImplementationLead.objects.get(matched_service=ash)
    assert (lead.confirmed_at, lead.confirmed_by) == (FIRST, operations_director)
    assert lead.history.count() == 1
    assert not Notification.objects.exists()


def test_the_first_lead_needs_no_reason(ash, beth):
    assert ImplementationLead.objects.get(matched_service=ash).person == beth


def test_a_replacement_keeps_its_reason_and_tells_the_earlier_confirmer_and_the_replaced_lead(
    ash, femi, beth, operations_director
):
    confirm_lead(ash, person=femi, by=femi, reason=f"  {REASON} ", now=LATER)

    lead = ImplementationLead.objects.get(matched_service=ash)
    assert (lead.person, lead.confirmed_by, lead.confirmed_at) == (femi, femi, LATER)
    newest = lead.history.order_by("-history_date").first()
    assert newest.history_user == femi
    assert newest.history_change_reason == f"Implementation lead replaced: {REASON}"

    assert Notification.objects.filter(escalation=None).count() == 2
    assert messages_to(femi) == []  # the person replacing the lead knows already
    for person in (operations_director, beth):
        (message,) = messages_to(person)
        assert message.subject.startswith("Implementation lead replaced at Ash Grove")
        assert "Femi Adeyemi replaced Beth Byrne with Femi Adeyemi" in message.body
        assert REASON in message.body


def test_replacing_a_lead_one_confirmed_oneself_tells_only_the_lead_replaced(
    ash, femi, beth, operations_director
):
    confirm_lead(ash, person=femi, by=operations_director, reason=REASON, now=LATER)
    Notification.objects.all().delete()  # told of the first replacement: not what this test is about
    confirm_lead(ash, person=beth, by=operations_director, reason="Femi is moving to Beech Lodge.", now=LATER)
    assert messages_to(operations_director) == []
    (message,) = messages_to(femi)
    assert "Femi is moving to Beech Lodge." in message.body


def lead_form(client, ash) -> str:
    return f"/learning/matches/{ash.pk}/lead/"


def chosen(html: str) -> list[str]:
    select = re.search(r'<select name="person".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_the_form_shows_the_missing_reason_next_to_it_and_keeps_the_choice(ash, femi, beth, client, sign_in):
    sign_in(femi)
    page = client.get(lead_form(client, ash))
    assert "Reason for replacing Beth Byrne" in page.text
    # Tester 16: it read "(optional)", and a replacement without it is refused.
    assert "Reason for replacing Beth Byrne (optional)" not in page.text

    response = client.post(lead_form(client, ash), {"person": femi.pk, "reason": ""})
    assert response.status_code == 200
    error = "Give a reason for replacing Beth Byrne as implementation lead."
    assert re.search(r'id="id_reason-error".*?' + re.escape(error), response.text, re.S)
    assert chosen(response.text) == [str(femi.pk)]
    assert ImplementationLead.objects.get(matched_service=ash).person == beth


def test_the_first_lead_form_asks_no_reason(log_falls_trigger, femi, quality_director, client, sign_in):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    match = trigger.matches.get(service__name="Ash Grove")
    sign_in(femi)
    assert 'name="reason"' not in client.get(lead_form(client, match)).text
    response = client.post(lead_form(client, match), {"person": femi.pk}, follow=True)
    assert "Implementation lead confirmed." in response.text


def test_a_double_submit_replaces_once_and_tells_each_person_once(
    ash, femi, beth, operations_director, client, sign_in
):
    sign_in(femi)
    form = {"person": femi.pk, "reason": REASON}
    client.post(lead_form(client, ash), form)
    second = client.post(lead_form(client, ash), form, follow=True)

    assert "Femi Adeyemi is already the implementation lead at Ash Grove." in second.text
    assert ImplementationLead.objects.get(matched_service=ash).history.count() == 2
    assert len(messages_to(operations_director)) == 1
    assert len(messages_to(beth)) == 1


def test_the_service_page_says_whom_the_lead_replaced_and_why(ash, femi, client, sign_in):
    confirm_lead(ash, person=femi, by=femi, reason=REASON, now=LATER)
    sign_in(femi)
    text = text_inside_main(client.get(f"/learning/matches/{ash.pk}/").text)
    assert f"Replaced Beth Byrne on Thu 19 Nov 2026, 10:00: {REASON}" in text
