"""The deployment page holds together however many measures it compares, works on a phone, and says
so when an action is done."""

import pytest
from django.urls import reverse

from adoption import services
from tests.page_structure import text_inside_main

from .conftest import at, deploy, observation_form, ready_to_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def elm_deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def observe(deployment, by, team, code, measure, value):
    services.record_team_observation(
        deployment, by=by, step_code=code, values={measure: value}, team=team, observed_at=at(23, 14)
    )


def test_everything_after_the_compared_measures_stays_inside_the_main_content(
    client, elm_deployment, teams, people
):
    for name, value in (("Oak", 98), ("Yew", 80)):
        observe(
            elm_deployment, people.clinical_lead, teams[name], "B2", "risk_note_updates_same_shift_pct", value
        )
        observe(elm_deployment, people.clinical_lead, teams[name], "B2", "wound_entries_within_2h_pct", value)
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[elm_deployment.pk])).text
    main = text_inside_main(page)
    assert "Observations as recorded" in main and "History" in main
    assert main.count("by team, shift and location") >= 2  # both measures' tables, inside main


def test_each_compared_measure_has_a_chart_that_gives_way_to_its_table_on_a_phone(
    client, elm_deployment, teams, people
):
    observe(elm_deployment, people.clinical_lead, teams["Oak"], "B2", "risk_note_updates_same_shift_pct", 98)
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[elm_deployment.pk])).text
    assert 'class="app-chart-frame app-chart-frame--variation"' in page
    assert "the chart gives way to the table below" in page
    assert 'font-size="14"' in page and 'font-size="12"' not in page


def test_recording_an_observation_confirms_it(client, elm_deployment, teams, people):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    page = client.post(url, observation_form(teams), follow=True)
    assert "Observation recorded" in page.text and 'role="status"' in page.text


def test_deploying_and_closing_confirm_what_was_done(client, match, people):
    client.force_login(people.registered_manager)
    fields = {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    }
    page = client.post(reverse("adoption:deploy", args=[match.pk]), fields, follow=True)
    assert "The learning is live at Elm House" in page.text
    deployment = match.deployment if hasattr(match, "deployment") else page.context["deployment"]
    ready_to_close(deployment, people)  # an observation, and the final review recorded
    closed = client.post(reverse("adoption:close", args=[deployment.pk]), {"reason": "Aligned."}, follow=True)
    assert "Live monitoring at Elm House closed" in closed.text
