"""A form sent twice (a double click, a refresh, a retry) makes its record once and says where it is."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from escalation.models import ChainRun
from learning_transfer.models import ImplementationLine, LearningTrigger
from learning_transfer.services import add_line, confirm_lead, issue_notices
from providers.actions import AlreadyDone

from .conftest import CONFIRMED, trigger_form

pytestmark = pytest.mark.django_db


@time_machine.travel(CONFIRMED + timedelta(minutes=30), tick=False)
def test_sending_the_trigger_form_twice_logs_the_failure_once(
    client, sign_in, falls_provider, quality_director
):
    sign_in(quality_director)
    form = trigger_form(
        falls_provider,
        what_happened="Found on the floor.",
        confirmed_at="2026-11-18T10:00",
        learning_statement="Night checks follow the plan.",
    )
    first = client.post("/learning/triggers/new/", form)
    second = client.post("/learning/triggers/new/", form, follow=True)

    trigger = LearningTrigger.objects.get()
    assert first.url == second.redirect_chain[-1][0] == f"/learning/triggers/{trigger.pk}/"
    assert f"This failure was already logged as {trigger.reference}." in second.text
    assert ChainRun.objects.count() == 1, "one chain A case, so every escalation is raised once"


def test_the_service_points_a_repeat_at_the_first_trigger(log_falls_trigger):
    first = log_falls_trigger()
    with pytest.raises(AlreadyDone) as refused:
        log_falls_trigger(what_happened="The same failure, sent again.")
    assert refused.value.existing == first
    assert LearningTrigger.objects.count() == 1


def test_another_failure_at_the_same_service_is_logged(log_falls_trigger):
    log_falls_trigger()
    log_falls_trigger(title="Medicine missed at lunch", confirmed_at=CONFIRMED + timedelta(minutes=1))
    assert LearningTrigger.objects.count() == 2


def test_the_database_refuses_a_second_trigger_that_raced_past_the_check(log_falls_trigger):
    first = log_falls_trigger()
    copy = LearningTrigger.objects.get(pk=first.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.fixture
def match_with_lead(log_falls_trigger, managers, quality_director, operations_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(hours=1))
    match = trigger.matches.get(service__name="Ash Grove")
    confirm_lead(match, person=managers["ash"], by=operations_director, now=CONFIRMED + timedelta(hours=2))
    return match


def test_sending_an_implementation_line_twice_adds_it_once(
    client, sign_in, match_with_lead, managers, operations_director
):
    sign_in(operations_director)
    form = {"task": "Re-brief the night team", "owner": managers["ash"].pk, "due_at": "2026-11-19T16:00"}
    url = f"/learning/matches/{match_with_lead.pk}/lines/new/"
    client.post(url, form)
    second = client.post(url, form, follow=True)

    assert ImplementationLine.objects.filter(matched_service=match_with_lead).count() == 1
    assert "This implementation line is already on the list." in second.text


def test_the_same_task_can_be_added_again_once_the_first_is_done(
    match_with_lead, managers, operations_director
):
    due = CONFIRMED + timedelta(days=1)
    line = add_line(match_with_lead, by=operations_director, task="Audit", owner=managers["ash"], due_at=due)
    with pytest.raises(AlreadyDone):
        add_line(match_with_lead, by=operations_director, task="Audit", owner=managers["ash"], due_at=due)
    line.completed_at = CONFIRMED + timedelta(hours=5)
    line.save()
    add_line(match_with_lead, by=operations_director, task="Audit", owner=managers["ash"], due_at=due)
    assert ImplementationLine.objects.filter(matched_service=match_with_lead).count() == 2
