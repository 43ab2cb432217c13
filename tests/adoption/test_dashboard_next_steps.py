"""A registered manager's dashboard offers the next step of the learning at their service (deploying it
once it is ready), and never tells them to record a check that is someone else's to record: it says
whom the check is waiting for."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from providers.choices import Role

from .conftest import at, deploy, make_match

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("dashboard", args=[Role.REGISTERED_MANAGER])


def words(response) -> str:
    return " ".join(strip_tags(response.text).split())


def test_learning_ready_to_deploy_is_offered_on_the_managers_dashboard(
    client, sign_in, match, people, time_machine
):
    time_machine.move_to(at(23, 8), tick=False)
    sign_in(people.registered_manager)
    response = client.get(DASHBOARD)
    assert "Learning ready to deploy at your service" in words(response)
    assert reverse("adoption:deploy", args=[match.pk]) in response.text

    deploy(match, people.registered_manager, deployed_at=at(23, 8))
    response = client.get(DASHBOARD)
    assert reverse("adoption:deploy", args=[match.pk]) not in response.text


def test_the_ready_list_needs_the_same_queries_for_one_or_many_matches(
    client, sign_in, chains, elm_house, birch_lodge, shifts, people, time_machine
):
    time_machine.move_to(at(23, 8), tick=False)
    sign_in(people.registered_manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured.captured_queries)

    make_match(elm_house, birch_lodge, people.registered_manager, title="L0")
    client.get(DASHBOARD)
    one = queries()
    for number in range(1, 4):
        make_match(elm_house, birch_lodge, people.registered_manager, title=f"L{number}")
    assert words(client.get(DASHBOARD)).count("live at Elm House") == 4
    assert queries() == one


def test_a_check_others_record_says_whom_it_waits_for_not_record_it_now(
    client, sign_in, match, people, time_machine
):
    deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(24, 13), tick=False)  # Monday's clinical check (B2) is overdue
    sign_in(people.registered_manager)
    for url in (DASHBOARD, reverse("adoption:my_service")):
        others = words(client.get(url)).split("At your service, done by others", 1)[1]
        assert f"Overdue — waiting for {people.clinical_lead} (Clinical Lead)" in others
        assert "record it now" not in others

    sign_in(people.clinical_lead)
    yours = words(client.get(reverse("dashboard", args=[Role.CLINICAL_LEAD]))).split("Yours to do", 1)[1]
    assert "Overdue — record it now" in yours.split("At your service, done by others", 1)[0]
