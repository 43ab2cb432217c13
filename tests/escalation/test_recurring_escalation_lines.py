"""Finding #12: an escalation about a check run each shift or day says which check it is about, in the
words the step's own page uses ("2nd check of 22, night shift of Mon 23 Nov"), wherever escalations
are listed, on its own page and in its e-mail; an escalation about a step done once says nothing extra.
Every list still needs the same queries however many escalations it shows."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import engine, notifications, services
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db

FIRST = "1st check of 22, late shift of Mon 23 Nov"  # B1, due 18:00 on Monday
SECOND = "2nd check of 22, night shift of Mon 23 Nov"  # B1, due 01:30 on Tuesday


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(24, 9), tick=False)


def start_b(provider, elm_house, subject):
    """A chain B case: learning deployed at Elm House (early, late, night shifts) at 09:00 on Monday."""
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject, people, now):
    """The case with its first two shifts' checks (B1) overdue by Tuesday 09:00, both escalated to the
    Operations Director, as are other steps of the case done once or each day."""
    run = start_b(provider, elm_house, subject)
    engine.tick(at(24, 9))
    return run


def b1_escalation(run, occurrence):
    return Escalation.objects.get(chain_run=run, step_run__code="B1", step_run__occurrence=occurrence)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows_of(page: str, caption: str) -> list[str]:
    """The rows of the table of escalations labelled `caption`, as text."""
    body = page.split(f"{caption}, newest first</caption>", 1)[1].split("</tbody>", 1)[0]
    return [text(row) for row in body.split("<tr ")[2:]]


def test_each_b1_row_of_my_escalations_says_which_shifts_check_it_is(
    client, sign_in, chain_b, chain_a, people
):
    engine.tick(at(24, 9))  # chain A's steps (done once) overdue too
    sign_in(people.operations_director)
    rows = rows_of(client.get(reverse("escalation:inbox")).text, "Escalations for you to act on")
    b1_rows = [row for row in rows if "Check the new way of working on each shift" in row]
    assert len(b1_rows) == 2
    assert any(SECOND in row for row in b1_rows) and any(FIRST in row for row in b1_rows)
    # A step done once (chain A's A1) says nothing extra.
    a1_row = next(row for row in rows if "Find comparable services" in row)
    assert "check of" not in a1_row


def test_the_case_page_and_the_dashboards_say_which_check(client, sign_in, chain_b, people):
    sign_in(people.operations_director)
    case = text(client.get(reverse("escalation:chain_run", args=[chain_b.pk])).text)
    mine = text(client.get(reverse("dashboard", args=["operations_director"])).text)
    for page in (case, mine):
        assert FIRST in page and SECOND in page
    # The manager sees the same escalations as done by others at their service.
    sign_in(people.registered_manager)
    theirs = text(client.get(reverse("dashboard", args=["registered_manager"])).text)
    assert FIRST in theirs and SECOND in theirs
    # Named after the case it belongs to, as every line of the panel is.
    assert f"{chain_b}, {SECOND}" in theirs


def test_an_escalation_page_names_which_check_above_its_heading(client, sign_in, chain_b, people):
    sign_in(people.operations_director)
    page = client.get(reverse("escalation:detail", args=[b1_escalation(chain_b, 2).pk])).text
    heading = page.split('<span class="nhsuk-caption-l">', 1)[1].split("<h1", 1)[0]
    assert SECOND in text(heading)


def test_a_step_done_once_has_no_check_named_on_its_page(client, sign_in, chain_a, people, now):
    engine.tick(at(24, 9))
    sign_in(people.operations_director)
    a1 = Escalation.objects.get(chain_run=chain_a, step_run__code="A1", level=1)
    page = client.get(reverse("escalation:detail", args=[a1.pk])).text
    assert "check of" not in page


def test_the_e_mail_subject_says_which_check(chain_b, people):
    escalation = b1_escalation(chain_b, 2)
    mail.outbox.clear()
    notifications.send_pending(at(24, 9, 1))
    [message] = [m for m in mail.outbox if f"/escalations/{escalation.pk}/" in m.body]
    assert message.subject == (
        f"Elm House: Check the new way of working on each shift (B1), {SECOND} — step overdue"
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_need_the_same_queries_for_few_or_many_checks_escalated(
    client, sign_in, chain_b, provider, elm_house, subject, people
):
    inbox = reverse("escalation:inbox")
    lists = {
        people.operations_director: [inbox, reverse("dashboard", args=["operations_director"])],
        people.registered_manager: [
            f"{inbox}?show=services",
            reverse("dashboard", args=["registered_manager"]),
        ],
    }

    def counts() -> list[int]:
        found = []
        for person, urls in lists.items():
            sign_in(person)
            found += [queries(client, url) for url in urls]
        return found

    def chain_run_page() -> int:
        sign_in(people.nominated_individual)
        return queries(client, reverse("escalation:chain_run", args=[chain_b.pk]))

    # The lists as they stand by Tuesday 14:00, every kind of row in them (the first checks' escalations
    # followed up, to others than those first told), then with two more cases and a day more of checks.
    engine.tick(at(24, 14))
    counts(), chain_run_page()  # each person's lists are compiled on a first visit, not again
    few, few_on_case = counts(), chain_run_page()
    escalated = Escalation.objects.filter(step_run__code="B1").count()
    for _ in range(2):
        start_b(provider, elm_house, subject)
    engine.tick(at(25, 9))
    assert Escalation.objects.filter(step_run__code="B1").count() > 3 * escalated
    assert counts() == few
    assert chain_run_page() == few_on_case
