"""At a service left out of the learning, or of a closed trigger, nothing about the learning changes:
"Mark done" is refused there with the words every other refusal uses, and the page does not offer it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning_transfer.choices import TriggerStatus
from learning_transfer.models import ImplementationLine, LearningTrigger
from learning_transfer.services import add_line, adjust_match, complete_line, issue_notices
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
DUE = CONFIRMED + timedelta(days=7)


@pytest.fixture
def line(log_falls_trigger, managers, quality_director):
    """An open line at Ash Grove, owned by its registered manager."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    ash = trigger.matches.get(service__name="Ash Grove")
    return add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)


def close(line):
    LearningTrigger.objects.filter(pk=line.matched_service.trigger_id).update(status=TriggerStatus.CLOSED)


def leave_out(line, quality_director):
    match = line.matched_service
    adjust_match(match.trigger, match.service, False, "Closed for refurbishment", by=quality_director)


def fresh(line):
    return ImplementationLine.objects.select_related("matched_service__trigger", "service").get(pk=line.pk)


@pytest.mark.parametrize(
    ("shut", "refusal"),
    [("closed", "The trigger is closed."), ("left_out", "Ash Grove was left out of this learning.")],
)
def test_mark_done_is_refused_where_nothing_may_change(line, managers, quality_director, shut, refusal):
    close(line) if shut == "closed" else leave_out(line, quality_director)
    with pytest.raises(ValidationError, match=refusal):
        complete_line(fresh(line), by=managers["ash"])
    assert fresh(line).completed_at is None


@pytest.mark.parametrize(
    ("shut", "refusal"),
    [("closed", "The trigger is closed."), ("left_out", "Ash Grove was left out of this learning.")],
)
def test_the_page_offers_no_mark_done_there_and_the_button_from_an_old_page_says_why(
    client, sign_in, line, managers, quality_director, shut, refusal
):
    sign_in(managers["ash"])
    url = reverse("learning_transfer:match_detail", args=[line.matched_service_id])
    complete = reverse("learning_transfer:line_complete", args=[line.pk])
    assert f'action="{complete}"' in client.get(url).text  # offered while open for work
    close(line) if shut == "closed" else leave_out(line, quality_director)
    html = client.get(url).text
    assert f'action="{complete}"' not in html and "Mark done" not in html
    text = text_inside_main(html)
    assert "To do" in text or "Overdue" in text  # the line still says it is not done
    response = client.post(complete, follow=True)
    assert refusal in text_inside_main(response.text)
    assert fresh(line).completed_at is None
