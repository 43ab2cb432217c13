"""A person over several services (a deputy regional manager) sees the adoption checks page speak of
"your services" and, first, a line per service: how many checks are overdue there, how many are due
today and when the next is due, read with the same queries however many services and checks there are.
A registered manager of one service keeps the page as it was. The clock stands at Tuesday 24 November
2026, noon."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ShiftPatternFactory

from .conftest import at, deploy, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


@pytest.fixture
def two_services_live(match, chains, birch_lodge, elm_house, people):
    """Learning live at Elm House since Monday 09:00 and at Birch Lodge since Tuesday 11:00."""
    ShiftPatternFactory(service=birch_lodge, name="late", start="14:00", end="22:00")
    birch = make_match(birch_lodge, elm_house, people.operations_director, title="Fall on the stairs")
    return deploy(match, people.registered_manager, deployed_at=at(23, 9)), deploy(
        birch, people.operations_director, deployed_at=at(24, 11)
    )


def page_of(client, person):
    client.force_login(person)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("adoption:my_service"))
    assert response.status_code == 200
    return response, len(captured)


def test_the_deputy_regional_manager_sees_each_service_summed_up_first(client, two_services_live, people):
    response, _ = page_of(client, people.deputy_regional_manager)
    summary = {row["service_name"]: row for row in response.context["service_summary"]}
    assert set(summary) == {"Elm House", "Birch Lodge"}
    elm, birch = summary["Elm House"], summary["Birch Lodge"]
    assert elm["overdue"] > 0 and birch["overdue"] == 0
    assert birch["due_today"] > 0 and birch["next_due"] is not None
    text = response.text
    assert text.index("Elm House") < text.index("Checks due, overdue and recorded")
    assert "At your services, done by others" in text and "At your service," not in text
    assert reverse("adoption:service", args=[elm["service_pk"]]) in text


def test_the_summary_reads_the_same_queries_however_many_services(
    client, match, chains, birch_lodge, elm_house, people
):
    deploy(match, people.registered_manager, deployed_at=at(23, 9))
    _, one = page_of(client, people.deputy_regional_manager)
    ShiftPatternFactory(service=birch_lodge, name="late", start="14:00", end="22:00")
    birch = make_match(birch_lodge, elm_house, people.operations_director, title="Fall on the stairs")
    deploy(birch, people.operations_director, deployed_at=at(24, 11))
    response, two = page_of(client, people.deputy_regional_manager)
    assert len(response.context["service_summary"]) == 2
    assert two == one


def test_a_manager_of_one_service_keeps_the_page_as_it_was(client, two_services_live, people):
    response, _ = page_of(client, people.registered_manager)
    assert not response.context["service_summary"]
    assert "At your service, done by others" in response.text
