"""A matched service's page lists in its History what was done there: the notice issued and
acknowledged, the implementation lead confirmed and replaced, each line added and completed, with who,
when and why, newest first, read with the same number of queries however long the history.

Tester's walk, finding 13: after acknowledging the notice, adding a line and marking it done, History
still showed only "Created — Matched by the risk-profile rule"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning_transfer.services import (
    acknowledge_notice,
    add_line,
    complete_line,
    confirm_lead,
    issue_notices,
)
from providers.choices import Role
from tests.factories import person_with_role
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 Nov 2026, 10:30


def at(hours: int):
    """`hours` after the notice was issued."""
    return ISSUED + timedelta(hours=hours)


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


def history_of(client, match) -> str:
    """The text of the service page's History, as the signed-in person reads it."""
    page = client.get(reverse("learning_transfer:match_detail", args=[match.pk]))
    assert page.status_code == 200
    return text_inside_main(page.text).partition("History")[2]


def test_the_history_lists_the_notice_the_lead_and_the_lines_newest_first(
    client, sign_in, ash, managers, falls_provider
):
    femi = managers["ash"]
    beth = person_with_role(
        Role.CLINICAL_LEAD, service=falls_provider["ash"], first_name="Beth", last_name="Byrne"
    )
    notice = ash.notices.get()
    acknowledge_notice(notice, by=femi, now=at(1))
    confirm_lead(ash, person=femi, by=femi, now=at(2))
    line = add_line(
        ash,
        by=femi,
        task="Brief every night carer on real-time recording",
        owner=femi,
        due_at=at(48),
        now=at(3),
    )
    complete_line(line, by=femi, now=at(4))
    confirm_lead(ash, person=beth, by=femi, reason="Femi is on leave from Monday.", now=at(5))
    sign_in(femi)
    history = history_of(client, ash)
    expected = [
        "Wed 18 Nov 2026, 15:30",
        "Implementation lead changed to Beth Byrne",
        "Femi is on leave from Monday.",
        "Wed 18 Nov 2026, 14:30",
        "Implementation line completed: Brief every night carer on real-time recording",
        "Wed 18 Nov 2026, 13:30",
        "Implementation line added: Brief every night carer on real-time recording",
        "Wed 18 Nov 2026, 12:30",
        f"Implementation lead confirmed: {femi}",
        "Wed 18 Nov 2026, 11:30",
        "Learning notice acknowledged",
        "Receipt acknowledged",
        "Wed 18 Nov 2026, 10:30",
        "Learning notice issued",
    ]
    positions = [history.find(words) for words in expected]
    assert -1 not in positions, [w for w, p in zip(expected, positions, strict=True) if p == -1]
    assert positions == sorted(positions), "newest first"
    assert str(femi) in history and "Matched by the risk-profile rule" in history


def test_the_history_is_read_with_the_same_queries_however_long(client, sign_in, ash, managers):
    femi = managers["ash"]
    sign_in(femi)
    url = reverse("learning_transfer:match_detail", args=[ash.pk])
    add_line(ash, by=femi, task="Line 0", owner=femi, due_at=at(48), now=at(1))
    client.get(url)  # warm caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(1, 6):
        complete_line(
            add_line(ash, by=femi, task=f"Line {n}", owner=femi, due_at=at(48), now=at(n)), by=femi, now=at(n)
        )
    assert queries() == before
