"""The exposure log and implementation lines take only dates that can be true: a briefing not before
the learning reached the service, a task not due before then nor years after implementation is due;
and their forms show every problem at once, each naming its field."""

import html
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning_transfer.models import ImplementationLine
from learning_transfer.services import add_line, issue_notices, update_exposure
from providers.actions import AlreadyDone

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(hours=2)  # Wed 18 Nov 2026, 12:00
NOW = CONFIRMED + timedelta(hours=5)


def picker(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def trigger(log_falls_trigger):
    return log_falls_trigger()


@pytest.fixture
def ash(trigger, quality_director):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger.matches.select_related("service", "trigger").get(service__name="Ash Grove")


def refusal(error, field: str) -> str:
    return error.value.message_dict[field][0]


def test_a_briefing_before_the_learning_was_issued_is_refused(ash, operations_director):
    with pytest.raises(ValidationError) as error:
        update_exposure(
            ash, by=operations_director, briefing_completed_at=ISSUED - timedelta(days=17), now=NOW
        )
    assert refusal(error, "briefing_completed_at") == (
        "The briefing cannot be before the learning was issued to Ash Grove (Wed 18 Nov 2026, 12:00)."
    )
    ash.refresh_from_db()
    assert ash.briefing_completed_at is None
    update_exposure(ash, by=operations_director, briefing_completed_at=ISSUED, now=NOW)  # the same minute
    assert ash.briefing_completed_at == ISSUED


def test_before_any_notice_a_briefing_is_not_before_the_failure_was_confirmed(trigger, operations_director):
    ash = trigger.matches.select_related("service", "trigger").get(service__name="Ash Grove")
    with pytest.raises(ValidationError) as error:
        update_exposure(ash, by=operations_director, briefing_completed_at=CONFIRMED - timedelta(hours=1))
    assert refusal(error, "briefing_completed_at") == (
        "The briefing cannot be before the failure was confirmed (Wed 18 Nov 2026, 10:00)."
    )


def test_a_line_due_before_the_learning_was_issued_or_years_after_it_is_due_is_refused(
    ash, managers, operations_director
):
    notice_due = ash.notices.get().due_at
    line = {"by": operations_director, "task": "Brief night staff", "owner": managers["ash"], "now": NOW}
    with pytest.raises(ValidationError) as early:
        add_line(ash, due_at=ISSUED - timedelta(days=1), **line)
    assert refusal(early, "due_at") == (
        "The due date cannot be before the learning was issued to Ash Grove (Wed 18 Nov 2026, 12:00)."
    )
    with pytest.raises(ValidationError) as late:
        add_line(ash, due_at=notice_due + timedelta(days=366), **line)
    assert refusal(late, "due_at") == (
        "The due date cannot be more than a year after implementation is due at Ash Grove "
        "(Sat 21 Nov 2026, 12:00). Split longer work into tasks due within the year."
    )
    assert not ImplementationLine.objects.exists()
    # Work already under way may be recorded late, and work may run to a year past the due date.
    add_line(ash, due_at=NOW - timedelta(hours=1), **line)
    add_line(ash, due_at=notice_due + timedelta(days=365), **line)
    assert ImplementationLine.objects.count() == 2


def test_the_line_form_names_the_due_date_and_shows_every_problem_at_once(
    ash, operations_director, client, sign_in
):
    sign_in(operations_director)
    url = f"/learning/matches/{ash.pk}/lines/new/"
    empty = html.unescape(client.post(url, {}).text)
    assert "Enter when the task is due." in empty and "Enter the due." not in empty
    early = html.unescape(client.post(url, {"due_at": picker(ISSUED - timedelta(days=1))}).text)
    assert "Enter the task." in early
    assert "The due date cannot be before the learning was issued to Ash Grove" in early
    assert not ImplementationLine.objects.exists()


def test_the_exposure_form_shows_the_date_and_percentage_errors_together(
    ash, operations_director, client, sign_in
):
    sign_in(operations_director)
    url = f"/learning/matches/{ash.pk}/exposure/"
    page = html.unescape(
        client.post(
            url,
            {"briefing_completed_at": picker(ISSUED - timedelta(days=17)), "expected_reduction_pct": "500"},
        ).text
    )
    assert "Give a percentage from 0 to 100." in page
    assert (
        "The briefing cannot be before the learning was issued to Ash Grove (Wed 18 Nov 2026, 12:00)." in page
    )
    future = html.unescape(
        client.post(url, {"briefing_completed_at": "2030-01-01T10:00", "expected_reduction_pct": "500"}).text
    )
    assert "Give a percentage from 0 to 100." in future and "The briefing cannot be in the future." in future
    ash.refresh_from_db()
    assert ash.briefing_completed_at is None and ash.expected_reduction_pct is None


def test_saving_the_log_with_nothing_changed_writes_no_change(client, sign_in, ash, operations_director):
    """Found: pressing Save on the empty exposure form wrote "Changed: Exposure log updated" in the
    service's history, a change a regulator would read that never happened."""
    history = ash.history.count()
    with pytest.raises(AlreadyDone) as nothing:
        update_exposure(ash, by=operations_director, now=NOW)
    assert "Nothing changed" in nothing.value.message
    update_exposure(ash, by=operations_director, briefing_completed_at=ISSUED, now=NOW)
    with pytest.raises(AlreadyDone):
        update_exposure(ash, by=operations_director, briefing_completed_at=ISSUED, now=NOW)
    assert ash.history.count() == history + 1

    sign_in(operations_director)
    url = reverse("learning_transfer:match_exposure", args=[ash.pk])
    response = client.post(url, {"briefing_completed_at": picker(ISSUED)}, follow=True)
    assert "Nothing changed" in html.unescape(response.text)
    assert ash.history.count() == history + 1


def test_nothing_changed_is_judged_against_the_log_as_it_stands(ash, operations_director):
    """Two people with the form open: the second's page was read before the first saved. Saving what
    their page showed is a change to the log as it stands now, not "nothing changed"."""
    read_earlier = type(ash).objects.select_related("service", "trigger").get(pk=ash.pk)
    update_exposure(ash, by=operations_director, briefing_completed_at=ISSUED, now=NOW)
    update_exposure(read_earlier, by=operations_director, briefing_completed_at=None, now=NOW)
    ash.refresh_from_db()
    assert ash.briefing_completed_at is None
