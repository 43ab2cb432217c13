"""The dashboard of every chain B role splits the checks that are the person's to record from those
others record at their service, naming who, in the same number of queries however many checks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.choices import Role

from .conftest import at, deploy, make_match

pytestmark = pytest.mark.django_db


def due_checks(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"] == "adoption/panels/due_checks.html")


def test_the_managers_dashboard_names_who_records_the_checks_that_are_not_theirs(
    client, sign_in, match, people, time_machine
):
    deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(23, 13), tick=False)
    sign_in(people.registered_manager)
    response = client.get(reverse("dashboard", args=[Role.REGISTERED_MANAGER]))
    panel = due_checks(response)
    assert panel["yours"] == [] and panel["others"], "B1 to B4 are the leads' to record, not the manager's"
    clinical = next(s for s in panel["others"] if s.code == "B2")
    assert [(group.role, group.people) for group in clinical.actors] == [
        (Role.CLINICAL_LEAD, (people.clinical_lead,))
    ]
    others = response.text.split("At your service, done by others", 1)[1]
    assert f"Clinical Lead at Elm House: {people.clinical_lead}" in others

    sign_in(people.clinical_lead)
    panel = due_checks(client.get(reverse("dashboard", args=[Role.CLINICAL_LEAD])))
    assert {s.code for s in panel["yours"]} == {"B2"} and "B2" not in {s.code for s in panel["others"]}


def test_the_dashboard_needs_the_same_queries_for_one_or_many_deployments(
    client, sign_in, chains, elm_house, birch_lodge, shifts, people, time_machine
):
    time_machine.move_to(at(23, 13), tick=False)
    sign_in(people.registered_manager)
    url = reverse("dashboard", args=[Role.REGISTERED_MANAGER])

    def queries():
        client.get(url)  # the first view keeps the SQL of its lists, and may fill a cache once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    matches = [make_match(elm_house, birch_lodge, people.registered_manager, title=f"L{n}") for n in range(4)]
    deploy(matches[0], people.registered_manager, deployed_at=at(23, 9))
    one = queries()
    for match in matches[1:]:
        deploy(match, people.registered_manager, deployed_at=at(23, 9))
    assert len(due_checks(client.get(url))["others"]) == 5
    assert queries() == one


def test_the_panel_says_how_many_more_checks_it_leaves_out(
    client, sign_in, match, people, time_machine, monkeypatch
):
    from adoption import panels, services

    deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(23, 13), tick=False)
    shown = services.chain_b_step_runs([match.service], states=services.OPEN_STATES).filter(
        due_at__lte=at(24, 13)
    )
    assert shown.count() > 2
    monkeypatch.setattr(panels, "PANEL_ROWS", 2)
    sign_in(people.registered_manager)
    response = client.get(reverse("dashboard", args=[Role.REGISTERED_MANAGER]))
    assert len(due_checks(response)["step_runs"]) == 2
    assert f"And {shown.count() - 2} more at your service." in response.text


def test_the_persons_own_checks_are_not_crowded_out_by_others(
    client, sign_in, match, people, time_machine, monkeypatch
):
    """A service improvement lead had five overdue checks of their own; the panel took the five soonest
    checks at the service, listed three of them as theirs, and put "And 8 more." under others' work."""
    from adoption import panels, services

    deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(24, 13), tick=False)
    open_checks = services.chain_b_step_runs([match.service], states=services.OPEN_STATES).filter(
        due_at__lte=at(25, 13)
    )
    own = open_checks.filter(role=Role.SERVICE_IMPROVEMENT_LEAD)
    assert own.count() > 2 and open_checks.exclude(role=Role.SERVICE_IMPROVEMENT_LEAD).count() > 2
    monkeypatch.setattr(panels, "PANEL_ROWS", 2)
    sign_in(people.service_improvement_lead)
    response = client.get(reverse("dashboard", args=[Role.SERVICE_IMPROVEMENT_LEAD]))
    panel = due_checks(response)
    assert [s.pk for s in panel["yours"]] == list(
        own.order_by("due_at", "pk").values_list("pk", flat=True)[:2]
    )
    assert len(panel["others"]) == 2
    assert f"And {own.count() - 2} more of yours." in response.text
    others = open_checks.count() - own.count()
    assert f"And {others - 2} more at your service." in response.text
