"""A matched service's page reads as the work happened: its History in an order that could have
happened, each change of the service's own record saying what it changed, old → new; and each
implementation line's status said first ("Overdue", "To do", "Done on …"), by the dashboard's rule.

Tester's walk (a registered manager), findings 11 and 16: "Implementation line added" listed above the
line's completion of days before, rows saying only "Changed", and a Status column holding only
buttons while the dashboard called the same line overdue."""

from datetime import timedelta

import pytest
from django.urls import reverse

from learning_transfer.services import (
    add_line,
    complete_line,
    confirm_implementation,
    confirm_lead,
    issue_notices,
    update_exposure,
)
from providers.choices import Role
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wed 18 Nov 2026, 10:30
AT = CONFIRMED + timedelta(hours=3)  # Wed 18 Nov 2026, 13:00


@pytest.fixture
def ash(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


def page_text(client, match) -> str:
    return text_inside_main(client.get(reverse("learning_transfer:match_detail", args=[match.pk])).text)


def in_order(text: str, expected: list[str]) -> bool:
    positions = [text.find(words) for words in expected]
    assert -1 not in positions, [w for w, p in zip(expected, positions, strict=True) if p == -1]
    return positions == sorted(positions)


def test_work_done_at_one_moment_reads_in_an_order_that_could_have_happened(
    client, sign_in, ash, managers, operations_director
):
    """All at the same minute, as the demo verifies a service: the verification newest, the line's
    completion above its adding."""
    femi = managers["ash"]
    confirm_lead(ash, person=femi, by=operations_director, now=AT)
    update_exposure(ash, by=operations_director, briefing_completed_at=AT, expected_reduction_pct=14, now=AT)
    line = add_line(ash, by=operations_director, task="Night checks", owner=femi, due_at=AT, now=AT)
    complete_line(line, by=femi, now=AT)
    confirm_implementation(ash, by=operations_director, now=AT)
    sign_in(femi)
    history = page_text(client, ash).partition("History")[2]
    assert in_order(
        history,
        [
            "Implementation verified",
            "Implementation line completed: Night checks",
            "Implementation line added: Night checks",
            "Matched by the risk-profile rule",
        ],
    )


def test_each_change_of_the_services_record_says_what_it_changed(
    client, sign_in, ash, managers, operations_director
):
    femi = managers["ash"]
    confirm_lead(ash, person=femi, by=operations_director, now=AT)
    update_exposure(ash, by=operations_director, briefing_completed_at=AT, expected_reduction_pct=14, now=AT)
    line = add_line(ash, by=operations_director, task="Night checks", owner=femi, due_at=AT, now=AT)
    complete_line(line, by=femi, now=AT)
    confirm_implementation(ash, by=operations_director, now=AT + timedelta(hours=1))
    sign_in(femi)
    history = page_text(client, ash).partition("History")[2]
    assert in_order(
        history,
        [
            "What Changed Verified: not set → Wed 18 Nov 2026, 14:00",
            f"Implementation confirmed by: not set → {operations_director} Why Implementation verified",
            "What Changed Mandatory briefing completed: not set → Wed 18 Nov 2026, 13:00",
            "Expected reduction in comparable risk: not set → 14 % Why Briefing and remaining risk updated",
        ],
    )


def test_each_line_says_its_status_by_the_dashboards_rule(client, sign_in, ash, managers):
    femi = managers["ash"]
    overdue = add_line(ash, by=femi, task="Overdue task", owner=femi, due_at=AT + timedelta(days=1))
    add_line(ash, by=femi, task="Task to come", owner=femi, due_at=AT + timedelta(days=9))
    done = add_line(ash, by=femi, task="Task done", owner=femi, due_at=AT + timedelta(days=9))
    complete_line(done, by=femi, now=AT + timedelta(days=2))
    sign_in(femi)
    text = page_text(client, ash)
    lines = text.partition("Implementation lines")[2]
    assert "Overdue task" in lines and lines.index("Overdue Mark done") > lines.index("Overdue task")
    assert "To do Mark done" in lines
    assert "Done on Fri 20 Nov 2026 at 13:00" in lines
    dashboard = text_inside_main(client.get(reverse("dashboard", args=[Role.REGISTERED_MANAGER])).text)
    assert "Overdue task" in dashboard and "Overdue" in dashboard.partition("Overdue task")[2]
    assert overdue.completed_at is None
