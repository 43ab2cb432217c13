"""Correcting a wrongly entered observation: the people who may observe put the figures (or the team,
shift and location) right with a reason; the history keeps the earlier figures, who and why; the page
marks the row corrected; a double submit changes nothing twice; a closed deployment's observations stay."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from adoption import services
from providers.choices import Role
from tests.accessibility import assert_accessible
from tests.factories import person_with_role

from .conftest import at, deploy, record_lasting_review

pytestmark = pytest.mark.django_db

RISK_NOTES = "risk_note_updates_same_shift_pct"


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager)


@pytest.fixture
def mistyped(deployment, teams, people):
    """Yew's late-shift risk-note updates were 98 %, typed as 89: Yew looks weak now (below 93)."""
    services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 97},
        team=teams["Oak"],
        shift_name="early",
        observed_at=at(23, 14),
    )
    return services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 89},
        team=teams["Yew"],
        shift_name="late",
        location="First floor",
        observed_at=at(23, 15),
    )


def weak_now(deployment):
    return {
        (g["dimension"], g["group"])
        for g in services.weak_now_groups(services.variation_sections(deployment))
    }


def test_a_correction_changes_the_comparison_and_history_keeps_the_figures_who_and_why(
    deployment, mistyped, teams, people
):
    assert ("team", "Yew") in weak_now(deployment)

    services.correct_observation(
        mistyped,
        by=people.service_improvement_lead,
        reason="Typed 89 for 98: the MAR sample shows 98.",
        values={RISK_NOTES: 98},
        team=teams["Yew"],
        shift_name="late",
        location="First floor",
    )

    mistyped.refresh_from_db()
    assert mistyped.values == {RISK_NOTES: 98.0}
    assert weak_now(deployment) == set(), "with the right figure nobody is weak, and closing is possible"
    corrected, recorded = mistyped.history.order_by("-history_date")[:2]
    assert corrected.history_type == "~" and corrected.history_user == people.service_improvement_lead
    assert corrected.history_change_reason == "Typed 89 for 98: the MAR sample shows 98."
    assert recorded.values == {RISK_NOTES: 89}, "the figure as first entered is kept"
    assert services.corrections(deployment)[mistyped.pk]["reason"].startswith("Typed 89 for 98")


def test_correcting_the_group_moves_the_figure_to_the_right_team_shift_and_location(
    deployment, mistyped, teams, people
):
    services.correct_observation(
        mistyped,
        by=people.clinical_lead,
        reason="It was Ash's late shift in the Garden wing, not Yew's.",
        values={RISK_NOTES: 89},
        team=teams["Ash"],
        shift_name="late",
        location=" garden wing ",
    )
    mistyped.refresh_from_db()
    assert (mistyped.team, mistyped.shift_name, mistyped.location) == (teams["Ash"], "late", "garden wing")
    assert weak_now(deployment) == {("team", "Ash"), ("shift", "late"), ("location", "garden wing")}


def test_a_correction_needs_a_short_reason_and_valid_figures(deployment, mistyped, teams, people):
    same_group = {"team": teams["Yew"], "shift_name": "late", "location": "First floor"}
    with pytest.raises(ValidationError, match="reason"):
        services.correct_observation(
            mistyped, by=people.clinical_lead, reason="  ", values={RISK_NOTES: 98}, **same_group
        )
    with pytest.raises(ValidationError, match=r"Shorten the reason to 500 characters or fewer \(it has 501"):
        services.correct_observation(
            mistyped, by=people.clinical_lead, reason="x" * 501, values={RISK_NOTES: 98}, **same_group
        )
    with pytest.raises(ValidationError, match="percentage"):
        services.correct_observation(
            mistyped, by=people.clinical_lead, reason="Typo.", values={RISK_NOTES: 980}, **same_group
        )
    with pytest.raises(ValidationError, match="Name the team, the shift or the location"):
        services.correct_observation(
            mistyped, by=people.clinical_lead, reason="Typo.", values={RISK_NOTES: 98}
        )
    with pytest.raises(PermissionDenied):
        services.correct_observation(
            mistyped, by=people.operations_director, reason="Typo.", values={RISK_NOTES: 98}, **same_group
        )
    mistyped.refresh_from_db()
    assert mistyped.values == {RISK_NOTES: 89} and mistyped.history.count() == 1


def test_a_closed_deployments_observations_cannot_be_changed(deployment, mistyped, teams, people):
    services.correct_observation(
        mistyped,
        by=people.clinical_lead,
        reason="Typed 89 for 98.",
        values={RISK_NOTES: 98},
        team=teams["Yew"],
        shift_name="late",
        location="First floor",
    )
    record_lasting_review(deployment, people.registered_manager)
    services.close_deployment(deployment, by=people.registered_manager, reason="Every team aligned.")
    with pytest.raises(ValidationError, match="closed"):
        services.correct_observation(
            mistyped,
            by=people.clinical_lead,
            reason="Second thoughts.",
            values={RISK_NOTES: 60},
            team=teams["Yew"],
            shift_name="late",
        )
    with pytest.raises(ValidationError, match="closed"):
        services.record_team_observation(
            deployment, by=people.clinical_lead, step_code="B2", values={RISK_NOTES: 60}, team=teams["Yew"]
        )
    mistyped.refresh_from_db()
    assert mistyped.values == {RISK_NOTES: 98.0} and deployment.observations.count() == 2


# --- the correction page ----------------------------------------------------------------------------


def form_data(teams, value="98", reason="Typed 89 for 98: the MAR sample shows 98."):
    return {
        f"value_{RISK_NOTES}": value,
        "team": teams["Yew"].pk,
        "shift_name": "late",
        "location": "First floor",
        "reason": reason,
    }


def test_correcting_through_the_page_marks_the_row_corrected_with_the_reason(
    client, deployment, mistyped, teams, people
):
    client.force_login(people.clinical_lead)
    detail = reverse("adoption:deployment_detail", args=[deployment.pk])
    url = reverse("adoption:correct_observation", args=[mistyped.pk])
    assert url in client.get(detail).text, "each row of the observations table links to its correction"

    page = client.get(url)
    assert page.status_code == 200
    assert "Risk-note updates entered within the same shift" in page.text and 'value="89.0"' in page.text
    assert_accessible(page.text)

    response = client.post(url, form_data(teams))
    assert response.status_code == 302 and response.url == detail
    shown = client.get(detail)
    row = next(o for o in shown.context["observations"] if o.pk == mistyped.pk)
    assert row.correction["reason"] == "Typed 89 for 98: the MAR sample shows 98."
    assert row.correction["by"] == people.clinical_lead
    assert "Corrected" in shown.text and "Typed 89 for 98: the MAR sample shows 98." in shown.text
    assert shown.context["weak_now"] == []
    untouched = next(o for o in shown.context["observations"] if o.pk != mistyped.pk)
    assert untouched.correction is None


def test_a_double_submit_changes_nothing_twice(client, deployment, mistyped, teams, people):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:correct_observation", args=[mistyped.pk])
    first = client.post(url, form_data(teams))
    second = client.post(url, form_data(teams), follow=True)

    assert first.status_code == 302
    assert second.status_code == 200 and "nothing was changed" in second.text
    assert mistyped.history.filter(history_type="~").count() == 1
    mistyped.refresh_from_db()
    assert mistyped.values == {RISK_NOTES: 98.0}


def test_errors_are_shown_in_the_error_summary_and_nothing_changes(
    client, deployment, mistyped, teams, people
):
    client.force_login(people.clinical_lead)
    url = reverse("adoption:correct_observation", args=[mistyped.pk])
    no_reason = client.post(url, form_data(teams, reason=""))
    assert no_reason.status_code == 200 and "There is a problem" in no_reason.text
    assert 'href="#id_reason"' in no_reason.text, "the missing reason links to its field"
    assert_accessible(no_reason.text)
    response = client.post(url, form_data(teams, value="120"))
    assert response.status_code == 200
    assert "There is a problem" in response.text and "percentage" in response.text
    assert f'href="#id_value_{RISK_NOTES}"' in response.text, "the refused figure links to its field"
    assert_accessible(response.text)
    mistyped.refresh_from_db()
    assert mistyped.values == {RISK_NOTES: 89} and mistyped.history.count() == 1


def test_a_closed_deployment_offers_no_correction(client, deployment, teams, people):
    observation = services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 97},
        team=teams["Oak"],
        observed_at=at(23, 14),
    )
    record_lasting_review(deployment, people.registered_manager)
    services.close_deployment(deployment, by=people.registered_manager, reason="Every team aligned.")
    client.force_login(people.clinical_lead)
    url = reverse("adoption:correct_observation", args=[observation.pk])

    page = client.get(url)
    assert page.status_code == 200 and "can no longer be changed" in page.text
    assert "Save the correction" not in page.text
    assert_accessible(page.text)
    client.post(url, {f"value_{RISK_NOTES}": "50", "team": teams["Oak"].pk, "reason": "Late change."})
    observation.refresh_from_db()
    assert observation.values == {RISK_NOTES: 97} and observation.history.count() == 1
    detail = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert url not in detail and "Record observation" not in detail


def test_who_may_open_the_correction_page(
    client, sign_in, deployment, mistyped, people, commissioner, other_provider_service
):
    url = reverse("adoption:correct_observation", args=[mistyped.pk])
    assert client.get(url).status_code == 302, "sign in first"
    outsider = person_with_role(Role.CLINICAL_LEAD, service=other_provider_service, username="far")
    sign_in(outsider)
    assert client.get(url).status_code == 404, "another provider's observation does not exist for them"
    sign_in(people.operations_director)
    assert client.get(url).status_code == 403, "sees the deployment but may not observe"
    assert client.post(url, {"reason": "x"}).status_code == 403
    sign_in(commissioner)
    assert client.get(url).status_code == 403
    sign_in(people.service_improvement_lead)
    assert client.get(url).status_code == 200
    mistyped.refresh_from_db()
    assert mistyped.history.count() == 1
