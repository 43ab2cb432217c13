"""Journey 2: a registered manager opens their service, sees what is due and overdue, and completes
adoption checklists (on the engine's step page). Scope, roles, queries and accessibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption.models import Deployment
from providers.choices import Role
from tests.accessibility import assert_accessible
from tests.factories import CHECK_DONE, ShiftPatternFactory, give_role, person_with_role

from .conftest import at, deploy, make_match, observation_form, ready_to_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def elm_deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


@pytest.fixture
def birch_deployment(chains, birch_lodge, elm_house, people):
    """Learning deployed at another service of the same provider: not the Elm House manager's."""
    ShiftPatternFactory(service=birch_lodge, name="late", start="14:00", end="22:00")
    match = make_match(birch_lodge, elm_house, people.operations_director, title="Fall on the stairs")
    return deploy(match, people.operations_director, deployed_at=at(23, 9))


def test_the_manager_sees_due_and_overdue_checks_of_their_service_only(
    client, elm_deployment, birch_deployment, people, time_machine
):
    time_machine.move_to(at(24, 12), tick=False)  # Tuesday noon: Monday's checks are past due
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:my_service"))
    assert response.status_code == 200
    step_runs = response.context["step_runs"]
    assert {s.chain_run.service for s in step_runs} == {elm_deployment.service}
    shown = {s.shown_state for s in step_runs}
    assert shown == {"overdue", "due", "not_open"}  # a later shift's or day's check opens in turn
    first = step_runs[0]
    assert (first.code, first.due_at, first.shown_state) == ("B2", at(23, 14, 16), "overdue")
    assert reverse("escalation:step_run", args=[first.pk]) in response.text
    assert "Fall on the stairs" not in response.text
    assert_accessible(response.text)


def test_recorded_checks_stay_listed_as_recorded(client, elm_deployment, people):
    from escalation import services as engine

    b2 = elm_deployment_step(elm_deployment, "B2")
    engine.record_step(
        b2,
        by=people.clinical_lead,
        values={
            "omissions_per_100_administrations": 1,
            "wound_entries_within_2h_pct": 95,
            "risk_note_updates_same_shift_pct": 96,
        },
        now=at(23, 14),
        check_done=CHECK_DONE,
    )
    client.force_login(people.registered_manager)
    open_checks = client.get(reverse("adoption:my_service")).context["step_runs"]
    assert b2.pk not in [s.pk for s in open_checks], "the page opens on what is still to do"
    step_runs = client.get(reverse("adoption:my_service") + "?show=recorded").context["step_runs"]
    assert next(s for s in step_runs if s.pk == b2.pk).shown_state == "recorded"


def elm_deployment_step(deployment, code):
    from adoption import chain

    return chain.run_for(deployment).step_runs.filter(code=code).order_by("occurrence").first()


def test_the_dashboard_panel_lists_due_and_overdue_checks(client, elm_deployment, people, time_machine):
    time_machine.move_to(at(23, 13), tick=False)
    client.force_login(people.clinical_lead)
    response = client.get(reverse("dashboard", args=[Role.CLINICAL_LEAD]))
    assert "Due and overdue adoption checks at your service" in response.text
    panel = next(p for p in response.context["panels"] if p["template"] == "adoption/panels/due_checks.html")
    assert [s.code for s in panel["step_runs"]][:1] == ["B2"]  # 14:16 today comes first
    assert all(s.due_at <= at(24, 13) for s in panel["step_runs"])


def test_deployment_detail_shows_baselines_timeline_and_weak_teams(client, elm_deployment, teams, people):
    from adoption import services

    for team, shift, value in (("Oak", "early", 98), ("Ash", "early", 99), ("Yew", "late", 88)):
        services.record_team_observation(
            elm_deployment,
            by=people.clinical_lead,
            step_code="B2",
            values={"risk_note_updates_same_shift_pct": value},
            team=teams[team],
            shift_name=shift,
            observed_at=at(23, 14),
        )
    client.force_login(people.service_improvement_lead)
    response = client.get(reverse("adoption:deployment_detail", args=[elm_deployment.pk]))
    assert response.status_code == 200
    assert "80.0%" in response.text and "Weak, hidden by the average" in response.text
    assert "<svg" in response.text
    assert (
        len(response.context["timeline"])
        == elm_deployment_step(elm_deployment, "B1").chain_run.step_runs.count()
    )
    assert_accessible(response.text)


def test_deploying_through_the_form(client, match, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[match.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert_accessible(page.text)
    response = client.post(
        url,
        {
            "deployed_at": "2026-11-23 09:00",
            "baseline_completion_pct": "80",
            "baseline_omissions_per_100": "2.1",
            "baseline_wound_care_pct": "86",
            "baseline_risk_note_pct": "88",
            "baseline_drill_pct": "85",
        },
    )
    deployment = Deployment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "adoption:deployment_detail", args=[deployment.pk]
    )
    again = client.post(
        url,
        {
            "deployed_at": "2026-11-23 09:00",
            "baseline_completion_pct": "80",
            "baseline_omissions_per_100": "2.1",
            "baseline_wound_care_pct": "86",
            "baseline_risk_note_pct": "88",
            "baseline_drill_pct": "85",
        },
    )
    assert again.status_code == 200 and "already deployed" in again.text


def test_other_providers_staff_get_404_and_commissioners_403(
    client, elm_deployment, match, commissioner, other_provider_service, elm_house
):
    outsider = person_with_role(Role.REGISTERED_MANAGER, service=other_provider_service, username="far")
    client.force_login(outsider)
    assert client.get(reverse("adoption:deployment_detail", args=[elm_deployment.pk])).status_code == 404
    assert client.get(reverse("adoption:service", args=[elm_house.pk])).status_code == 404
    assert client.get(reverse("adoption:deploy", args=[match.pk])).status_code == 404
    assert client.get(reverse("adoption:my_service")).context["step_runs"] == []
    client.force_login(commissioner)
    for url in (
        reverse("adoption:my_service"),
        reverse("adoption:deployment_detail", args=[elm_deployment.pk]),
        reverse("adoption:deploy", args=[match.pk]),
    ):
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(reverse("adoption:my_service")).status_code == 302


def test_staff_without_a_deployer_role_cannot_open_the_deploy_form(client, match, people):
    client.force_login(people.clinical_lead)
    assert client.get(reverse("adoption:deploy", args=[match.pk])).status_code == 403


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_service_queries_do_not_grow_with_deployments(
    client, chains, elm_house, birch_lodge, shifts, people
):
    client.force_login(people.registered_manager)
    url = reverse("adoption:my_service")
    matches = [make_match(elm_house, birch_lodge, people.registered_manager, title=f"L{n}") for n in range(6)]
    deploy(matches[0], people.registered_manager)
    one = queries_for(client, url)
    for match in matches[1:5]:
        deploy(match, people.registered_manager)
    assert queries_for(client, url) == one


def test_recording_an_observation_on_the_deployment_page(client, elm_deployment, teams, people):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    assert_accessible(client.get(url).text)
    fields = observation_form(teams)
    response = client.post(url, fields)
    assert response.status_code == 302
    observation = elm_deployment.observations.get()
    assert (
        observation.values == {"risk_note_updates_same_shift_pct": 88.0} and observation.team == teams["Yew"]
    )
    invalid = client.post(url, fields | {"value": "120"})
    assert invalid.status_code == 200 and "percentage" in invalid.text
    assert_accessible(invalid.text)
    nobody = client.post(url, fields | {"team": "", "shift_name": "", "location": "  "})
    assert nobody.status_code == 200 and "Choose the team or the shift, or give the location" in nobody.text
    assert elm_deployment.observations.count() == 1


def test_recording_an_observation_of_a_location_alone(client, elm_deployment, people):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    assert 'name="location"' in client.get(url).text
    fields = {
        "measure": "B2:risk_note_updates_same_shift_pct",
        "location": "  Garden   wing ",
        "value": "90",
        "observed_at": "2026-11-23 14:00",
    }
    assert client.post(url, fields).status_code == 302
    observation = elm_deployment.observations.get()
    assert observation.location == "Garden wing" and observation.team is None and observation.shift_name == ""
    page = client.get(url)
    assert "Location: Garden wing" in page.text and "Weak now" in page.text


def test_deployment_page_queries_do_not_grow_with_observations(client, elm_deployment, teams, people):
    """One observation, then forty more across three teams, three shifts, three locations and two
    steps, some of them corrected: the page asks the database the same number of questions."""
    from adoption import services

    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    client.force_login(people.registered_manager)
    services.record_team_observation(
        elm_deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={"risk_note_updates_same_shift_pct": 95},
        team=teams["Oak"],
        observed_at=at(23, 14),
    )
    one = queries_for(client, url)
    shifts, locations, names = (
        ["early", "late", "night"],
        ["First floor", "Garden wing", "Annexe"],
        list(teams),
    )
    for n in range(40):
        code, values = (
            ("B1", {"record_completion_pct": 80 + n % 15, "responses_over_10_min": n % 4})
            if n % 2
            else ("B2", {"risk_note_updates_same_shift_pct": 85 + n % 12})
        )
        observation = services.record_team_observation(
            elm_deployment,
            by=people.service_improvement_lead,
            step_code=code,
            values=values,
            team=teams[names[n % 3]] if n % 5 else None,
            shift_name=shifts[n % 3],
            location=locations[(n // 3) % 3],
            # Within the shift named: early from 10:00, late from 15:00, night from 22:00.
            observed_at=at(23 + n // 10, {"early": 10, "late": 15, "night": 22}[shifts[n % 3]] + n % 2),
        )
        if n % 7 == 0:
            services.correct_observation(
                observation,
                by=people.clinical_lead,
                reason=f"Figures re-counted ({n}).",
                values={k: v + 1 for k, v in values.items()},
                team=observation.team,
                shift_name=observation.shift_name,
                location=observation.location,
            )
    many = client.get(url)
    assert "Location: Annexe" in many.text
    pages = [client.get(url, {"page": number}).text for number in range(1, 6)]
    assert sum(page.count("Corrected</strong>") for page in pages) == 6
    assert queries_for(client, url) == one
    assert queries_for(client, url + "?page=5") == one


def test_the_observations_table_shows_the_newest_a_page_at_a_time(client, elm_deployment, teams, people):
    """Every observation stays in the comparison by group, but the table lists the newest ten, with
    NHS.UK pagination to the older ones: what the page renders does not grow with the history."""
    from adoption import services

    recorded = [
        services.record_team_observation(
            elm_deployment,
            by=people.clinical_lead,
            step_code="B2",
            values={"risk_note_updates_same_shift_pct": 80 + n},
            team=teams["Oak"],
            observed_at=at(23, 9, minute=n),
        )
        for n in range(12)
    ]
    client.force_login(people.registered_manager)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    first = client.get(url)
    assert [o.pk for o in first.context["observations"]] == [o.pk for o in reversed(recorded)][:10]
    assert "12 observations, newest first: 1 to 10 shown." in first.text
    assert 'href="?page=2#observations"' in first.text
    assert first.context["sections"][0]["rows"][0]["observations"] == 12, "the comparison uses them all"
    second = client.get(url, {"page": 2})
    assert [o.pk for o in second.context["observations"]] == [recorded[1].pk, recorded[0].pk]
    assert 'href="?page=1#observations"' in second.text
    assert_accessible(first.text)


def test_only_chain_b_service_roles_record_observations(client, sign_in, elm_deployment, teams, people):
    sign_in(people.operations_director)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    assert client.get(url).context["form"] is None
    response = client.post(url, {"measure": "B2:risk_note_updates_same_shift_pct", "value": "90"})
    assert response.status_code == 403


def test_closing_through_the_page(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:close", args=[elm_deployment.pk])
    ready_to_close(elm_deployment, people)
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "Give the reason monitoring can end." in refused.text
    elm_deployment.refresh_from_db()
    assert elm_deployment.status == "active"
    client.post(url, {"reason": "Every team aligned."})
    elm_deployment.refresh_from_db()
    assert elm_deployment.status == "closed"
    client.force_login(people.clinical_lead)
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_a_long_list_of_checks_comes_in_pages_that_keep_the_filter(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:my_service") + "?show=all"
    first = client.get(url)
    total = first.context["page"].paginator.count
    assert total > 25, "a deployment schedules a check per shift and per working day"
    assert len(first.context["step_runs"]) == 25
    assert 'href="?show=all&amp;page=2"' in first.text
    second = client.get(url + "&page=2")
    assert len(second.context["step_runs"]) == total - 25
    assert {s.pk for s in first.context["step_runs"]}.isdisjoint(s.pk for s in second.context["step_runs"])


def test_a_bad_filter_is_shown_as_an_error_and_the_open_checks_are_listed(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:my_service") + "?show=everything&page=abc")
    assert response.status_code == 200
    assert "There is a problem" in response.text and 'href="#id_show"' in response.text
    assert response.context["step_runs"], "the page still lists the open checks, from the first page"


def test_the_manager_sees_their_checks_apart_from_those_done_by_others_and_who_does_them(
    client, elm_deployment, people
):
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:my_service") + "?show=all")
    yours = [s for s in response.context["step_runs"] if s.yours]
    others = [s for s in response.context["step_runs"] if not s.yours]
    assert yours and {s.code for s in yours} == {"B5"}, "only B5 is the registered manager's to record"
    assert {s.code for s in others} >= {"B1", "B2"}
    b1 = next(s for s in others if s.code == "B1")
    assert [group.people for group in b1.actors] == [(people.service_improvement_lead,)]
    text = response.text
    assert "Yours to do" in text and "At your service, done by others" in text
    yours_section, others_section = text.split("At your service, done by others", 1)
    assert "Done by" not in yours_section.split("Yours to do", 1)[1], "the manager's own checks name nobody"
    assert people.service_improvement_lead.get_full_name() in others_section
    assert reverse("escalation:step_run", args=[b1.pk]) in others_section, "they can still follow it"
    assert_accessible(text)


def test_a_closed_trigger_is_not_offered_as_ready_to_deploy(client, match, people):
    client.force_login(people.registered_manager)
    url = reverse("adoption:my_service")
    assert client.get(url).context["deployable"] == [match]
    match.trigger.status = "closed"
    match.trigger.save()
    response = client.get(url)
    assert response.context["deployable"] == []
    assert reverse("adoption:deploy", args=[match.pk]) not in response.text


def test_the_pages_follow_the_roles_held_now(client, birch_deployment, elm_deployment, birch_lodge, people):
    """The pages keep their queries for the roles a person holds, never the answers: a role given at
    Birch Lodge opens its deployment and lists it on the next page; taken away, it is a 404 again."""
    manager = people.registered_manager
    client.force_login(manager)
    url = reverse("adoption:deployment_detail", args=[birch_deployment.pk])
    birch_link = f'href="{url}"'
    assert client.get(url).status_code == 404
    assert birch_link not in client.get(reverse("adoption:my_service")).text
    given = give_role(manager, Role.CLINICAL_LEAD, service=birch_lodge)
    assert client.get(url).status_code == 200
    assert birch_link in client.get(reverse("adoption:my_service")).text
    given.delete()
    assert client.get(url).status_code == 404
    assert birch_link not in client.get(reverse("adoption:my_service")).text


def test_recording_an_observation_reads_chain_b_steps_once(client, elm_deployment, teams, people):
    """The form, the checks on the figures and the weak-group escalation all read chain B's steps:
    one query for the request, not one each."""
    client.force_login(people.clinical_lead)
    url = reverse("adoption:deployment_detail", args=[elm_deployment.pk])
    fields = observation_form(teams, shift_name="")
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, fields).status_code == 302
    assert elm_deployment.observations.count() == 1
    assert sum('FROM "escalation_steptemplate"' in query["sql"] for query in captured) == 1
