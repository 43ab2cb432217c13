"""An implementation line marked done by mistake can be reopened, and a line still to do corrected (its
task, owner or due date), each with a reason kept in the history, by the people who add and complete
lines. "Mark done" asks nothing more, but says how to undo it. A reopened line is work still to do
again: it withdraws a verification resting on every line being done, as a new open line does.

Tester's walk (a registered manager on a phone), finding 4: "Mark done" completed a line in one tap
with no way back, and a line's task, owner and due date could not be changed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalation.models import Notification
from learning_transfer.models import ImplementationLine, MatchedService
from learning_transfer.services import (
    add_line,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from providers.choices import Role
from tests.factories import person_with_role
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 Nov 2026, 10:30
VERIFIED_AT = CONFIRMED + timedelta(hours=3)  # Wed 18 Nov 2026, 13:00
DUE = CONFIRMED + timedelta(days=7)  # Wed 25 Nov 2026, 10:00


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    """Ash Grove, its learning issued."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    Notification.objects.all().delete()  # the notices' own mails: not these tests'
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


@pytest.fixture
def line(ash, managers):
    """An open line at Ash Grove, owned by its registered manager."""
    return add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)


def page(client, match) -> str:
    return text_inside_main(client.get(reverse("learning_transfer:match_detail", args=[match.pk])).text)


def line_history(line) -> list[str]:
    return list(
        line.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True)
    )


def test_mark_done_says_how_to_undo_it_with_the_reopen_link(client, sign_in, ash, line, managers):
    sign_in(managers["ash"])
    response = client.post(reverse("learning_transfer:line_complete", args=[line.pk]), follow=True)
    line.refresh_from_db()
    assert line.completed_at is not None
    reopen = reverse("learning_transfer:line_reopen", args=[line.pk])
    assert "Line completed. Undo: reopen it" in text_inside_main(response.text)
    assert f'<a href="{reopen}">reopen it</a>' in response.text


def test_a_line_done_by_mistake_is_reopened_with_a_reason_kept_in_the_history(
    client, sign_in, ash, line, managers
):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    url = reverse("learning_transfer:line_reopen", args=[line.pk])
    assert f'href="{url}"' in client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    form = text_inside_main(client.get(url).text)
    assert "Reopen an implementation line" in form and "Re-brief nights" in form

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and "Give the reason for reopening this line." in refused.text
    line.refresh_from_db()
    assert line.completed_at is not None

    response = client.post(
        url, {"reason": "Ticked by mistake: the night team is not briefed yet"}, follow=True
    )
    line.refresh_from_db()
    assert line.completed_at is None and line.completed_by is None
    assert line_history(line)[-1] == "Reopened: Ticked by mistake: the night team is not briefed yet"
    text = text_inside_main(response.text)
    assert "Line reopened: it is to do again." in text
    history = text.partition("History")[2]
    assert (
        "What Implementation line reopened: Re-brief nights Why Reopened: Ticked by mistake: the night team "
        "is not briefed yet" in history
    )
    complete = reverse("learning_transfer:line_complete", args=[line.pk])
    assert f'action="{complete}"' in response.text  # to do again, and can be marked done again


def test_reopening_twice_changes_nothing_the_second_time(client, sign_in, ash, line, managers):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    url = reverse("learning_transfer:line_reopen", args=[line.pk])
    client.post(url, {"reason": "Ticked by mistake"})
    rows = line.history.count()
    response = client.post(url, {"reason": "Ticked by mistake"}, follow=True)
    assert line.history.count() == rows
    assert "This line is already open: it is still to do." in text_inside_main(response.text)


def test_reopening_a_line_withdraws_the_verification_resting_on_it(
    client, sign_in, ash, line, managers, operations_director
):
    confirm_lead(ash, person=managers["ash"], by=operations_director, now=VERIFIED_AT)
    update_exposure(ash, by=operations_director, briefing_completed_at=VERIFIED_AT, now=VERIFIED_AT)
    complete_line(line, by=managers["ash"], now=VERIFIED_AT)
    confirm_implementation(ash, by=operations_director, now=VERIFIED_AT)
    sign_in(managers["ash"])
    client.post(reverse("learning_transfer:line_reopen", args=[line.pk]), {"reason": "Ticked by mistake"})

    saved = MatchedService.objects.get(pk=ash.pk)
    assert saved.implementation_confirmed_at is None
    assert saved.verification_withdrawn_because == "implementation line “Re-brief nights” is not done"
    assert (
        "because implementation line “Re-brief nights” is not done: verify again when every "
        "implementation line is done." in page(client, ash)
    )
    told = Notification.objects.filter(subject__startswith="Verification withdrawn at Ash Grove")
    # Who verified is told; the manager who reopened the line knows already.
    assert set(told.values_list("user", flat=True)) == {operations_director.pk}


def test_a_reopened_line_like_another_open_one_is_refused_not_duplicated(
    client, sign_in, ash, line, managers
):
    complete_line(line, by=managers["ash"])
    add_line(ash, by=managers["ash"], task="Re-brief nights", owner=managers["ash"], due_at=DUE)
    sign_in(managers["ash"])
    response = client.post(
        reverse("learning_transfer:line_reopen", args=[line.pk]), {"reason": "Ticked by mistake"}, follow=True
    )
    line.refresh_from_db()
    assert line.completed_at is not None
    assert "The same line, with the same task, owner and due date, is already open" in text_inside_main(
        response.text
    )


def test_a_line_still_to_do_is_corrected_with_a_reason_kept_in_the_history(
    client, sign_in, ash, line, managers, falls_provider
):
    beth = person_with_role(
        Role.CLINICAL_LEAD, service=falls_provider["ash"], first_name="Beth", last_name="Byrne"
    )
    sign_in(managers["ash"])
    url = reverse("learning_transfer:line_change", args=[line.pk])
    assert f'href="{url}"' in client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    form = client.get(url).text
    assert 'value="Re-brief nights"' in form  # the line as it stands, to correct
    data = {
        "task": "Re-brief the night team",
        "owner": beth.pk,
        "due_at": "2026-11-27T18:00",
        "reason": "Beth runs the night briefings",
    }
    response = client.post(url, {**data, "reason": ""})
    assert response.status_code == 200 and "Give the reason for changing this line." in response.text

    response = client.post(url, data, follow=True)
    line.refresh_from_db()
    assert (line.task, line.owner) == ("Re-brief the night team", beth)
    assert line.due_at == CONFIRMED.replace(day=27, hour=18)
    reason = line_history(line)[-1]
    assert reason.startswith("Corrected: ") and reason.endswith("Beth runs the night briefings")
    text = text_inside_main(response.text)
    assert "Line corrected." in text
    assert "Implementation line corrected: Re-brief the night team" in text.partition("History")[2]

    rows = line.history.count()
    client.post(url, data)  # a double submit
    assert line.history.count() == rows


def test_a_done_line_is_reopened_before_it_is_corrected(client, sign_in, ash, line, managers):
    complete_line(line, by=managers["ash"])
    sign_in(managers["ash"])
    response = client.get(reverse("learning_transfer:line_change", args=[line.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning_transfer:match_detail", args=[ash.pk])
    assert "This line is done: reopen it before correcting it." in text_inside_main(response.text)


def test_only_those_who_add_or_complete_lines_put_them_right(
    client, sign_in, ash, line, managers, falls_provider
):
    worker = person_with_role(Role.SENIOR_CARER_LATE, service=falls_provider["ash"], username="worker")
    complete_line(line, by=managers["ash"])
    open_line = add_line(ash, by=managers["ash"], task="Audit sensors", owner=managers["ash"], due_at=DUE)
    sign_in(worker)
    html = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert "/reopen/" not in html and "/change/" not in html
    assert client.get(reverse("learning_transfer:line_change", args=[open_line.pk])).status_code == 403
    assert client.get(reverse("learning_transfer:line_reopen", args=[line.pk])).status_code == 403
    assert (
        client.post(reverse("learning_transfer:line_reopen", args=[line.pk]), {"reason": "x"}).status_code
        == 403
    )
    sign_in(managers["beech"])  # another home's manager does not see Ash Grove's lines at all
    assert client.get(reverse("learning_transfer:line_reopen", args=[line.pk])).status_code == 404
    line.refresh_from_db()
    assert line.completed_at is not None


def test_a_lines_owner_may_reopen_it_but_not_reassign_it(client, sign_in, ash, managers, falls_provider):
    beth = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"], username="beth")
    line = add_line(ash, by=managers["ash"], task="Audit sensors", owner=beth, due_at=DUE)
    complete_line(line, by=beth)
    sign_in(beth)  # completes her own line, so may undo it
    client.post(reverse("learning_transfer:line_reopen", args=[line.pk]), {"reason": "Not finished"})
    line.refresh_from_db()
    assert line.completed_at is None
    assert client.get(reverse("learning_transfer:line_change", args=[line.pk])).status_code == 403


def test_the_page_reads_the_same_queries_however_many_lines(
    client, sign_in, ash, managers, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        made = add_line(ash, by=managers["ash"], task=f"Task {n}", owner=managers["ash"], due_at=DUE)
        if n % 2:
            complete_line(made, by=managers["ash"])

    add(0)
    sign_in(managers["ash"])
    url = reverse("learning_transfer:match_detail", args=[ash.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 8):
        add(n)
    assert ImplementationLine.objects.filter(matched_service=ash).count() == 8
    with django_assert_max_num_queries(len(one.captured_queries)):
        text = page(client, ash)
    assert text.count("Reopen") == 4 and "Task 7" in text


def test_mark_done_opened_by_address_links_to_the_lines_own_page(client, sign_in, ash, line, managers):
    """Found: opening a line's "mark done" address (a reloaded tab) answered "use the button on its page"
    with a link to the notices list, not to the service's page the line's button is on."""
    sign_in(managers["ash"])
    response = client.get(reverse("learning_transfer:line_complete", args=[line.pk]))
    assert response.status_code == 405
    assert f'href="{reverse("learning_transfer:match_detail", args=[ash.pk])}"' in response.text
    # Another provider's line, or one the person cannot see, is not named: the notices list is offered.
    response = client.get(reverse("learning_transfer:line_complete", args=[line.pk + 999]))
    assert f'href="{reverse("learning_transfer:notice_list")}"' in response.text
