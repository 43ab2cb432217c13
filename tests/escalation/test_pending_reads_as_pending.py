"""Work still to do never reads as done: an escalation nobody has acted on is "to be acted on by" the
people who can, and "acted on by" only names the person who did; a step not yet recorded is "to be
recorded by" its role holders."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)


def others_part(page: str) -> str:
    return page.split("At your services, done by others", 1)[1]


def a2_row(page: str) -> str:
    part = others_part(page)
    start = part.index("Check every service received the learning")
    ends = [part.find(tag, start) for tag in ("</tr>", "</li>")]
    return strip_tags(part[start : min(end for end in ends if end > 0)])


def test_an_escalation_nobody_acted_on_is_to_be_acted_on(client, sign_in, chain_a, people, now):
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    sign_in(people.registered_manager)
    for url in (reverse("escalation:inbox"), reverse("dashboard", args=["registered_manager"])):
        row = a2_row(client.get(url).text)
        assert "Raised — to be acknowledged" in row
        assert f"To be acted on by Quality Director for Oakwood Care Group: {people.quality_director}" in row
        assert "Acted on by" not in row

    services.acknowledge(a2, by=people.quality_director, now=at(23, 10, 25))
    for url in (reverse("escalation:inbox"), reverse("dashboard", args=["registered_manager"])):
        row = a2_row(client.get(url).text)
        assert f"Acted on by {people.quality_director}" in row
        assert "To be acted on by" not in row


def test_a_step_not_yet_recorded_is_to_be_recorded_by_on_the_case_page(client, sign_in, chain_a, people, now):
    engine.tick(at(23, 10, 19))
    sign_in(people.registered_manager)
    page = strip_tags(client.get(reverse("escalation:chain_run", args=[chain_a.pk])).text)
    assert f"To be recorded by Governance Officer for Oakwood Care Group: {people.governance_officer}" in page
    assert "For Governance Officer" not in page

    values = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=values,
        now=at(23, 10, 28),
        check_done=CHECK_DONE,
    )
    page = strip_tags(client.get(reverse("escalation:chain_run", args=[chain_a.pk])).text)
    assert f"Recorded by {people.governance_officer}, Mon 23 Nov 2026, 10:28" in page
