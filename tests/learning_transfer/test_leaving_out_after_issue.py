"""A service left out of the learning after its notice went out. Found: Elm House's manager was still
asked to acknowledge the notice (dashboard and notice list) though the trigger's figures had dropped
it; nobody told them; the trigger's History did not show the change; and the A1 box then said the
decision "rested on" the services left now, not those it was taken on."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import notifications
from escalation.computations import compute
from learning_transfer import chain
from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, adjust_match, issue_notices, record_learning
from learning_transfer.services.measures import pct_received, picture
from learning_transfer.services.summary import SummaryFilters, executive_summary

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
LEFT_OUT = ISSUED + timedelta(hours=2)
REASON = "Not comparable after review: no night staff on its own."


@pytest.fixture
def left_out(log_falls_trigger, managers, quality_director, falls_provider):
    """The falls learning issued to Ash Grove, Beech House, Cedar Lodge and Dove Cottage; Ash Grove
    left out two hours later, its notice not acknowledged."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notifications.send_pending(ISSUED + timedelta(minutes=1))
    mail.outbox.clear()
    adjust_match(trigger, falls_provider["ash"], False, REASON, quality_director, now=LEFT_OUT)
    return trigger


def _ash_notice(trigger):
    return LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service__name="Ash Grove"
    )


def test_the_manager_is_no_longer_asked_to_acknowledge_and_is_told_why(client, sign_in, left_out, managers):
    notifications.send_pending(LEFT_OUT + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == [managers["ash"].email]
    assert "Ash Grove" in message.subject and "no longer" in message.subject
    assert REASON in message.body
    assert "Nothing is asked of you" in message.body

    sign_in(managers["ash"])
    dashboard = client.get(reverse("dashboard", args=["registered_manager"])).text
    assert "Acknowledge receipt" not in dashboard
    page = client.get(reverse("learning_transfer:notice_list")).text
    assert "Acknowledge receipt" not in page
    assert "Left out of this learning" in page and REASON in page

    with pytest.raises(ValidationError, match="Ash Grove was left out of this learning"):
        acknowledge_notice(_ash_notice(left_out), by=managers["ash"])


def test_the_trigger_history_says_who_left_it_out_and_why(client, sign_in, left_out, quality_director):
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[left_out.pk])).text
    history = page.split('id="history"')[1] if 'id="history"' in page else page.split(">History<")[1]
    assert "Ash Grove left out" in history
    assert REASON in history


def test_the_a1_box_keeps_the_figures_the_learning_was_issued_on(client, sign_in, left_out, quality_director):
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[left_out.pk])).text
    box = page.split('data-testid="a1-explanation">')[1].split("</p>")[0]
    assert "The decision rested on 4 matched services" in box
    assert "Since then, Ash Grove was left out" in box


def test_the_history_names_the_root_cause_factors_chosen(
    client, sign_in, log_falls_trigger, quality_director
):
    """Found: "Root cause factors: not set → set" did not say which factors were chosen."""
    trigger = log_falls_trigger()
    record_learning(trigger, by=quality_director, root_cause_factors=["training", "workload"])
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert "Root cause factors: none → Training gaps, Workload pressure" in page
    assert "→ set" not in page


def test_a_trigger_without_matched_services_shows_no_empty_tables(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    """Found: a trigger with no matched services showed the alignment explanation with nothing under
    it, and a table of matched services with headers and no rows."""
    trigger = log_falls_trigger(risk_tags=["medication"], theme="medication", title="Missed dose")
    trigger.matches.all().delete()
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert 'data-testid="no-matched-services"' in page
    assert 'data-testid="no-alignment"' in page


def test_leaving_out_a_late_service_does_not_make_the_distribution_look_better(
    client, sign_in, left_out, managers, quality_director
):
    """Found: leaving out services after issue took the receipt figure from 1 of 3 to 1 of 1 (100 %),
    and A2's form then offered 100 %. A service left out after its notice went out still counts."""
    beech = LearningNotice.objects.get(
        matched_service__trigger=left_out, matched_service__service__name="Beech Lodge"
    )
    acknowledge_notice(beech, by=managers["beech"], now=ISSUED + timedelta(hours=1))
    late = ISSUED + timedelta(hours=5)  # every window closed; Ash Grove (left out) never acknowledged
    with time_machine.travel(late, tick=False):
        pic = picture(left_out, late)
        assert len(pic.included) == 3
        assert pct_received(pic) == 25.0  # 1 of 4: Ash Grove counts, not received (not 1 of 3)
        figures = compute(chain.step_run(left_out, "A2"), late).values
        assert figures["pct_received_within_4h"] == 25.0
        sign_in(quality_director)
        page = client.get(reverse("learning_transfer:trigger_detail", args=[left_out.pk])).text
        assert "1 of 4, counting 1 left out after its notice went out" in page


def test_the_services_page_says_its_notice_was_withdrawn(client, sign_in, left_out, managers):
    """Found: the left-out service's page still read "not yet acknowledged"."""
    sign_in(managers["ash"])
    ash = left_out.matches.get(service__name="Ash Grove")
    page = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert "withdrawn: the service was left out of this learning" in page
    assert "not yet acknowledged" not in page
    # Found: the page linked to the trigger, a page its manager may no longer open (404).
    trigger_url = reverse("learning_transfer:trigger_detail", args=[left_out.pk])
    assert client.get(trigger_url).status_code == 404
    assert f'href="{trigger_url}"' not in page
    assert left_out.reference in page


def test_leaving_out_a_late_service_does_not_make_the_board_summary_look_better(
    client, sign_in, left_out, provider, nominated_individual
):
    """Found: the nominated individual's summary still counted receipt over the services included now,
    so leaving out a service that never acknowledged its notice made the board's figure better than
    the distribution was. It counts as A2 does: 0 of 4, Ash Grove among them, and says so."""
    late = ISSUED + timedelta(hours=5)
    summary = executive_summary(provider, SummaryFilters(period="all"), late)
    assert (summary["services_received_in_time"], summary["services_issued"]) == (0, 4)
    row = summary["trigger_rows"][0]
    assert (row["services"], row["received_in_time"], row["receipt_due"]) == (3, 0, 4)
    sign_in(nominated_individual)
    with time_machine.travel(late, tick=False):
        page = client.get("/learning/summary/?period=all").text
    counted = "counting 1 left out after its notice went out"
    assert f"0 of 4, {counted}" in page.split('data-testid="received-in-time">', 1)[1].split("</dd>")[0]
    assert f"0 of 4, {counted}" in page.split('data-testid="summary-triggers"', 1)[1]


def test_the_adjust_page_asks_which_change_and_says_what_leaving_out_does(
    client, sign_in, left_out, quality_director, falls_provider
):
    """Found: "Change" arrived set to "Add to the matched services", and the page did not say what
    leaving a service out after issue changes beyond its notice."""
    sign_in(quality_director)
    url = reverse("learning_transfer:match_adjust", args=[left_out.pk])
    page = client.get(url).text
    choices = page.split('name="include"', 1)[1].split("</fieldset>")[0]
    assert 'type="radio"' in page and "checked" not in choices
    assert "closes its region's alignment check (A4)" in page
    assert "still counts it in the receipt figures" in page
    refused = client.post(url, {"service": falls_provider["beech"].pk, "reason": "Same rota."})
    assert "Choose whether to add the service or leave it out of the learning." in refused.text
    assert left_out.matches.get(service=falls_provider["beech"]).included
