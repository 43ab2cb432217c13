"""The dashboard's "Yours to do" lists the escalations addressed to the person, the most overdue first,
and counts them as the header and the inbox do; those addressed to others are listed as others' work.

The tester's Nominated Individual saw ten escalations under "Yours to do", five of them addressed to
the Provider Director, the On-call Manager or the Operations Director (she may act on any), and "And 2
more to you" hiding her own two oldest overdue ones; the header and the inbox said 7.
"""

import pytest
from django.urls import reverse

from escalation import engine, panels
from escalation.models import Escalation
from providers.choices import Role

from .conftest import at

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard", args=[Role.NOMINATED_INDIVIDUAL])


@pytest.fixture
def climbed(chain_a, people, time_machine):
    """Nobody acknowledged anything for a day: A1 and A2 climbed to the Nominated Individual, and the
    later steps' escalations sit with other roles."""
    time_machine.move_to(at(24, 17), tick=False)
    for moment in (at(23, 10, 19), at(23, 12, 20), at(23, 14, 21), at(23, 16, 30), at(24, 10), at(24, 17)):
        engine.tick(moment)


def open_escalations_panel(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"].endswith("open_escalations.html"))


def test_yours_to_do_is_what_was_addressed_to_you_most_overdue_first(
    climbed, people, client, sign_in, monkeypatch
):
    ni = people.nominated_individual
    told = [n.escalation for n in panels.told_still_open(ni)]
    assert len(told) >= 2 and {e.target_role for e in told} == {Role.NOMINATED_INDIVIDUAL}
    monkeypatch.setattr(panels, "PANEL_SIZE", len(told) - 1)
    sign_in(ni)
    response = client.get(DASHBOARD)
    panel = open_escalations_panel(response)

    assert {e.target_role for e in panel["yours"]} == {Role.NOMINATED_INDIVIDUAL}
    most_overdue = min(told, key=lambda e: (e.acknowledge_by, e.raised_at))
    assert panel["yours"][0].pk == most_overdue.pk
    assert panel["more_told"] == 1
    # Addressed to other roles, they are others' to act on; she is named once, under them.
    assert panel["others"] and all(e.target_role != Role.NOMINATED_INDIVIDUAL for e in panel["others"])
    assert f"({ni}) can also act on any of these" in panel["oversight"]


def test_the_dashboard_the_header_and_the_inbox_count_the_same(climbed, people, client, sign_in, monkeypatch):
    ni = people.nominated_individual
    monkeypatch.setattr(panels, "PANEL_SIZE", 1)
    sign_in(ni)
    panel = open_escalations_panel(dashboard := client.get(DASHBOARD))
    inbox = client.get(reverse("escalation:inbox"))

    on_the_dashboard = len(panel["yours"]) + panel["more_told"]
    assert on_the_dashboard == dashboard.context["unread_escalations"] == len(inbox.context["yours"])
    assert f">And {panel['more_told']} more to you</a>" in dashboard.text
    others = Escalation.objects.exclude(target_role=Role.NOMINATED_INDIVIDUAL).exclude(state="resolved")
    assert others.exists()


def test_a_problem_is_listed_before_reminders_that_someone_did_not_acknowledge(climbed, people):
    """Found by a tester: a new call for "immediate provider intervention" was listed fifteenth, below a
    night's reminders (follow-ups) with earlier deadlines, and left off the dashboard."""
    ni = people.nominated_individual
    told = list(panels.most_overdue_first(panels.told_still_open(ni)))
    reminders = [n for n in told if n.escalation.kind == "follow_up"]
    assert len(reminders) >= 2
    newest = max(reminders, key=lambda n: n.escalation.acknowledge_by).escalation
    # As if it were a breach raised to her: a problem of its own, with no parent.
    Escalation.objects.filter(pk=newest.pk).update(kind="breach", parent=None, root=None, level=1)

    ordered = [n.escalation_id for n in panels.most_overdue_first(panels.told_still_open(ni))]
    assert ordered[0] == newest.pk
    rest = [n.escalation for n in panels.most_overdue_first(panels.told_still_open(ni))][1:]
    assert rest == sorted(rest, key=lambda e: (e.acknowledge_by, e.raised_at, e.pk))
