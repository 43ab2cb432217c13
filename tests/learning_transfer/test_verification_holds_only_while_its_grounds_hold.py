"""A verification of implementation holds only while what it was given on still holds: a confirmed
lead, a completed mandatory briefing, and implementation lines all done. A later change that undoes one
withdraws it in the same step, on the record (who, when, why), and the service stops counting as
verified everywhere: its page, the trigger's page, the executive summary and the download."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from escalation import notifications
from escalation.models import Notification
from learning_transfer.models import MatchedService
from learning_transfer.services import (
    add_line,
    adjust_match,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from providers.actions import AlreadyDone
from tests.factories import UserFactory
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
VERIFIED_AT = CONFIRMED + timedelta(hours=3)  # Wed 18 Nov 2026, 13:00
LATER = CONFIRMED + timedelta(days=1, hours=4)  # Thu 19 Nov 2026, 14:00


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director, operations_director):
    """Ash Grove (a high-risk home) with its implementation verified: lead, briefing, one line done."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    Notification.objects.all().delete()  # the notices' own mails (test_notice_mails): not these tests'
    match = trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")
    confirm_lead(match, person=managers["ash"], by=operations_director, now=VERIFIED_AT)
    update_exposure(match, by=operations_director, briefing_completed_at=VERIFIED_AT, now=VERIFIED_AT)
    line = add_line(
        match, by=operations_director, task="Re-brief nights", owner=managers["ash"], due_at=VERIFIED_AT
    )
    complete_line(line, by=managers["ash"], now=VERIFIED_AT)
    confirm_implementation(match, by=operations_director, now=VERIFIED_AT)
    assert MatchedService.objects.get(pk=match.pk).implementation_confirmed_at == VERIFIED_AT
    return match


def fresh(match) -> MatchedService:
    return MatchedService.objects.select_related("service", "trigger__provider").get(pk=match.pk)


def page_text(client, match) -> str:
    return text_inside_main(client.get(f"/learning/matches/{match.pk}/").text)


def counted_as_verified_nowhere(client, sign_in, match, nominated_individual, quality_director) -> None:
    """The trigger's page, the executive summary and the download all read the service as unverified."""
    sign_in(quality_director)
    trigger_page = client.get(f"/learning/triggers/{match.trigger_id}/").text
    exposure = trigger_page[trigger_page.index('id="exposure"') :]
    row = exposure[exposure.index("Ash Grove") :].split("</tr>")[0]
    assert "Verification withdrawn" in row and ">Verified<" not in row
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/learning/triggers/{match.trigger_id}/services.csv").content.decode("utf-8-sig")
            )
        )
    )
    ash_row = next(r for r in rows if r["Service"] == "Ash Grove")
    assert ash_row["Implementation verified"].startswith("Not verified: withdrawn")
    sign_in(nominated_individual)
    summary = client.get("/learning/summary/").text
    lacking = summary[summary.index('data-testid="high-risk-lacking"') :].split("</dd>")[0]
    assert "Ash Grove" in lacking  # high risk, and no longer verified


def test_blanking_the_briefing_withdraws_the_verification_on_the_record_and_everywhere(
    ash, operations_director, nominated_individual, quality_director, client, sign_in
):
    update_exposure(ash, by=operations_director, briefing_completed_at=None, now=LATER)

    saved = fresh(ash)
    assert saved.implementation_confirmed_at is None and saved.implementation_confirmed_by is None
    latest = saved.history.order_by("-history_date", "-pk").first()
    assert latest.history_user == operations_director
    assert latest.history_change_reason == (
        "Verification withdrawn because the mandatory briefing is now recorded as incomplete"
    )
    previous = saved.history.filter(implementation_confirmed_at=VERIFIED_AT).first()
    assert previous is not None  # the verification itself stays in the history
    sign_in(operations_director)
    assert (
        "Verification withdrawn on Thu 19 Nov 2026, 14:00 because the mandatory briefing is now recorded "
        "as incomplete: verify again when the mandatory briefing is complete." in page_text(client, ash)
    )
    counted_as_verified_nowhere(client, sign_in, ash, nominated_individual, quality_director)


def test_a_new_open_line_withdraws_it_and_verifying_again_needs_the_line_done(
    ash, managers, operations_director, client, sign_in
):
    line = add_line(
        ash, by=managers["ash"], task="Audit bed sensors", owner=managers["ash"], due_at=LATER, now=LATER
    )
    saved = fresh(ash)
    assert saved.implementation_confirmed_at is None
    sign_in(operations_director)
    text = page_text(client, ash)
    assert (
        "Verification withdrawn on Thu 19 Nov 2026, 14:00 because implementation line “Audit bed sensors” "
        "is not done: verify again when every implementation line is done." in text
    )
    assert "Verify implementation" not in text  # nothing to press until the line is done

    complete_line(line, by=managers["ash"], now=LATER)
    assert "it can be verified again now" in page_text(client, ash)
    confirm_implementation(saved, by=operations_director, now=LATER + timedelta(hours=1))
    text = page_text(client, ash)
    assert "Verified Thu 19 Nov 2026, 15:00" in text and "Verification withdrawn on" not in text
    reasons = list(saved.history.values_list("history_change_reason", flat=True))
    assert "Verification withdrawn because implementation line “Audit bed sensors” is not done" in reasons


def test_the_exposure_form_blanking_the_briefing_withdraws_it_too(ash, operations_director, client, sign_in):
    sign_in(operations_director)
    response = client.post(
        f"/learning/matches/{ash.pk}/exposure/",
        {"briefing_completed_at": "", "comparable_risk_open_since": "", "comparable_risk_resolved_at": ""},
    )
    assert response.status_code == 302
    assert fresh(ash).implementation_confirmed_at is None
    assert "Verification withdrawn on" in page_text(client, ash)


def test_a_briefing_moved_to_after_the_verification_withdraws_it(ash, operations_director):
    update_exposure(ash, by=operations_director, briefing_completed_at=LATER - timedelta(hours=1), now=LATER)
    saved = fresh(ash)
    assert saved.implementation_confirmed_at is None
    assert "completed after the verification" in saved.verification_withdrawn_because


def test_changes_that_keep_its_grounds_keep_the_verification(ash, managers, operations_director):
    update_exposure(
        ash,
        by=operations_director,
        briefing_completed_at=VERIFIED_AT - timedelta(hours=1),  # an earlier time: still before it
        expected_reduction_pct=15,
        now=LATER,
    )
    with pytest.raises(AlreadyDone):  # the same lead confirmed again changes nothing
        confirm_lead(ash, person=managers["ash"], by=operations_director, now=LATER)
    saved = fresh(ash)
    assert saved.implementation_confirmed_at == VERIFIED_AT
    assert saved.implementation_confirmed_by == operations_director


def test_an_operator_reopening_a_line_in_the_admin_withdraws_it(ash, client, sign_in):
    operator = UserFactory(is_staff=True, is_superuser=True)
    sign_in(operator)
    line = ash.lines.get()
    form = {
        "service": line.service_id,
        "matched_service": ash.pk,
        "task": line.task,
        "owner": line.owner_id,
        "due_at_0": "2026-11-18",
        "due_at_1": "13:00:00",
        "completed_at_0": "",
        "completed_at_1": "",
        "completed_by": "",
        "created_by": line.created_by_id,
        "_save": "Save",
    }
    response = client.post(reverse("admin:learning_transfer_implementationline_change", args=[line.pk]), form)
    assert response.status_code == 302, response.text[:3000]
    saved = fresh(ash)
    assert saved.implementation_confirmed_at is None
    assert saved.history.order_by("-history_date", "-pk").first().history_user == operator


def test_a_service_left_out_and_added_again_must_be_verified_afresh(
    ash, operations_director, nominated_individual, quality_director, client, sign_in
):
    adjust_match(ash.trigger, ash.service, False, "Not a falls home after all", quality_director, now=LATER)
    adjust_match(
        ash.trigger, ash.service, True, "Its residents fall at night too", quality_director, now=LATER
    )

    saved = fresh(ash)
    assert saved.included and saved.implementation_confirmed_at is None
    latest = saved.history.order_by("-history_date", "-pk").first()
    assert latest.history_user == quality_director
    assert latest.history_change_reason == (
        "Verification withdrawn because the service was left out of this learning and added again"
    )
    sign_in(operations_director)
    text = page_text(client, ash)
    assert (
        "Verification withdrawn on Thu 19 Nov 2026, 14:00 because the service was left out of this learning "
        "and added again. Everything it needs is in place again: it can be verified again now." in text
    )
    counted_as_verified_nowhere(client, sign_in, ash, nominated_individual, quality_director)
    confirm_implementation(saved, by=operations_director, now=LATER + timedelta(hours=1))
    assert fresh(ash).implementation_confirmed_at == LATER + timedelta(hours=1)


def test_a_withdrawal_tells_the_registered_manager_and_who_verified_what_to_do(
    ash, managers, operations_director, quality_director, settings
):
    settings.SITE_URL = "https://governance.example.org"
    # Added by a third person: whoever's change withdrew the verification is not told (they know).
    add_line(
        ash, by=quality_director, task="Audit bed sensors", owner=managers["ash"], due_at=LATER, now=LATER
    )

    notifications.send_pending(LATER)
    # The new line's owner is told of it too; the fixture's line, done before its mail left, mails nobody.
    mail.outbox = [m for m in mail.outbox if m.subject.startswith("Verification withdrawn")]
    assert len(mail.outbox) == 2
    told = {message.to[0]: message for message in mail.outbox}
    assert set(told) == {managers["ash"].email, operations_director.email}
    message = told[managers["ash"].email]
    reference = ash.trigger.reference
    assert message.subject == f"Verification withdrawn at Ash Grove – learning {reference}"
    assert "implementation at Ash Grove for learning " + reference in message.body
    assert "because implementation line “Audit bed sensors” is not done" in message.body
    assert "What to do: verify again when every implementation line is done." in message.body
    assert f"https://governance.example.org/learning/matches/{ash.pk}/" in message.body
    assert notifications.send_pending(LATER) == 0  # each is told once


def test_a_verifier_who_has_left_is_not_told(ash, managers, operations_director, quality_director):
    operations_director.is_active = False
    operations_director.save()
    update_exposure(ash, by=quality_director, briefing_completed_at=None, now=LATER)
    notifications.send_pending(LATER)
    assert [message.to for message in mail.outbox] == [[managers["ash"].email]]
