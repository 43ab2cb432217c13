"""A registered manager's dashboard keeps the learning until it is in place at their service.

Found by a tester: once the manager acknowledged the notice, the learning disappeared from their
dashboard ("No notices waiting for you", "Open implementation lines (0) None open"), with nothing saying
that a lead, the briefing and the implementation lines were still to do before the due date.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from learning_transfer.services import acknowledge_notice, issue_notices
from learning_transfer.services.exposure import confirm_lead

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db


def panel(client, manager) -> str:
    client.force_login(manager)
    page = client.get("/dashboard/registered_manager/").text
    return (
        page.split("Learning to put in place", 1)[1].split("</div></div>", 1)[0]
        if "Learning to put in place" in page
        else ""
    )


def test_acknowledged_learning_stays_with_what_is_still_to_do(
    client, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director)
    ash = trigger.matches.get(service__name="Ash Grove")
    assert panel(client, managers["ash"]) == "", "a notice still to acknowledge is listed as such"

    acknowledge_notice(ash.notices.get(), by=managers["ash"])
    listed = panel(client, managers["ash"])
    assert f'<a href="{reverse("learning_transfer:match_detail", args=[ash.pk])}">' in listed
    assert trigger.reference in listed
    assert (
        "Still to do: confirm an implementation lead, complete the mandatory briefing, add the "
        "implementation lines." in listed
    )

    confirm_lead(ash, person=managers["ash"], by=managers["ash"])
    assert "Still to do: complete the mandatory briefing, add the implementation lines." in panel(
        client, managers["ash"]
    )
    assert "Ash Grove" not in panel(client, managers["beech"]), "only the manager's own services"


def test_learning_past_its_due_date_reads_overdue_first(
    client, log_falls_trigger, managers, quality_director
):
    """Found: "implementation due Sun 6 Dec 2026, 12:00 Overdue . Still to do", the tag before a stray
    full stop. The tag now leads the line."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED)  # due 72 hours later: past by now
    ash = trigger.matches.get(service__name="Ash Grove")
    acknowledge_notice(ash.notices.get(), by=managers["ash"], now=CONFIRMED + timedelta(hours=1))
    listed = panel(client, managers["ash"])
    item = listed[listed.index("<li>") : listed.index("</li>")]
    assert item.index("Overdue") < item.index(trigger.reference)
    assert " ." not in strip_tags(item)
