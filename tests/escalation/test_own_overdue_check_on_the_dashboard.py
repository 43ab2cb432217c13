"""An escalation about a check the person records, raised to someone else, is not theirs to act on:
their dashboard shows their overdue check, once, linking to it ("Your checks that are due"; My
escalations under "Yours to do"), not the escalation (the tester's
senior carer saw the Nominated Individual's "not acknowledged in time" escalation there, and opening it
said only the Nominated Individual could acknowledge it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine
from escalation.models import Escalation
from providers.choices import Role

from .conftest import at, step

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard", args=[Role.GOVERNANCE_OFFICER])
A2_NAME = "Check every service received the learning"


@pytest.fixture
def three_levels(chain_a, people, time_machine):
    """A2, the Governance Officer's, fell overdue at 10:18 and nobody acknowledged it: the Quality
    Director, the Provider Director, then the Nominated Individual were told."""
    time_machine.move_to(at(23, 14, 25), tick=False)
    engine.tick(at(23, 10, 19))
    engine.tick(at(23, 12, 20))
    engine.tick(at(23, 14, 21))
    assert Escalation.objects.filter(step_run__code="A2").count() == 3


def open_escalations_panel(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"].endswith("open_escalations.html"))


def yours_to_do(page: str) -> str:
    panel = page.split('<h2 class="nhsuk-card__heading">Open escalations</h2>', 1)[1]
    return panel.split("Yours to do", 1)[1].split("At your services, done by others", 1)[0]


def test_the_recorder_sees_their_overdue_check_once_not_the_escalations(
    three_levels, chain_a, people, client, sign_in
):
    sign_in(people.governance_officer)
    response = client.get(DASHBOARD)
    panel = open_escalations_panel(response)
    a2 = step(chain_a, "A2")
    assert [s.pk for s in panel["checks"] if s.code == "A2"] == [a2.pk]
    assert not [e for e in panel["yours"] if e.step_run.code == "A2"]
    # They stay among the escalations others act on at the person's services, to follow.
    assert {e.target_role for e in panel["others"] if e.step_run.code == "A2"} == {
        Role.PROVIDER_DIRECTOR,
        Role.NOMINATED_INDIVIDUAL,
    }
    # Listed once on the page, with the person's other checks ("Your checks that are due", above the
    # escalations), not again under the escalations' "Yours to do".
    page = response.text
    checks = page.split("Your checks that are due", 1)[1].split("Open escalations", 1)[0]
    assert " ".join(strip_tags(checks).split()).count(f"{A2_NAME} A2") == 1
    assert page.count(f'href="{reverse("escalation:step_run", args=[a2.pk])}"') == 1
    assert f'href="{reverse("escalation:step_run", args=[a2.pk])}"' in checks
    yours = yours_to_do(page)
    assert "No open escalations to you." in yours
    for escalation in Escalation.objects.filter(step_run__code="A2"):
        assert reverse("escalation:detail", args=[escalation.pk]) not in yours
    # The header counts the escalations the person was told of: none of these.
    assert response.context["unread_escalations"] == 0


def test_my_escalations_lists_the_overdue_check_the_same_way(three_levels, chain_a, people, client, sign_in):
    sign_in(people.governance_officer)
    page = client.get(reverse("escalation:inbox")).text
    yours = page.split("<h2>Yours to do</h2>", 1)[1].split("<h2>", 1)[0]
    assert strip_tags(yours).count(f"Your check “{A2_NAME}” is overdue — record it") == 1
    assert "You have no open escalations" not in yours


def test_the_director_still_sees_the_escalation_to_act_on(three_levels, people, client, sign_in):
    sign_in(people.provider_director)
    panel = open_escalations_panel(client.get(reverse("dashboard", args=[Role.PROVIDER_DIRECTOR])))
    assert [e.step_run.code for e in panel["yours"]].count("A2") == 1
    assert not [s for s in panel["checks"] if s.code == "A2"]


def test_the_panel_needs_the_same_queries_for_one_level_or_three(
    chain_a, people, client, sign_in, time_machine
):
    def queries() -> int:
        client.get(DASHBOARD)  # the first view keeps the SQL of its lists for the roles held
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured.captured_queries)

    sign_in(people.governance_officer)
    time_machine.move_to(at(23, 10, 25), tick=False)
    engine.tick(at(23, 10, 19))
    one = queries()
    time_machine.move_to(at(23, 14, 25), tick=False)
    engine.tick(at(23, 12, 20))
    engine.tick(at(23, 14, 21))
    assert Escalation.objects.filter(step_run__code="A2").count() == 3
    assert queries() == one
