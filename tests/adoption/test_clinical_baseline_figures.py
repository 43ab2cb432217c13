"""The pre-learning clinical baseline B2 is reconciled against is three figures, not a free-text note:
medication omissions per 100 administrations, wound-care entries in time and same-shift risk-note
updates. Numbers can be compared with each day's sample; "a lot" cannot."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption.forms import DeployForm
from adoption.models import Deployment

from .conftest import deploy

pytestmark = pytest.mark.django_db

FIGURES = {
    "baseline_omissions_per_100": "2.1",
    "baseline_wound_care_pct": "86",
    "baseline_risk_note_pct": "88",
}


def deploy_form(match, **changes) -> DeployForm:
    data = {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_drill_pct": "85",
        **FIGURES,
    } | changes
    form = DeployForm({k: v for k, v in data.items() if v is not None}, match=match)
    form.is_valid()
    return form


def test_a_clinical_baseline_in_words_is_refused_naming_its_field(match):
    errors = deploy_form(match, baseline_omissions_per_100="a lot").errors
    assert errors["baseline_omissions_per_100"] == [
        "Enter the medication omissions per 100 administrations over 24 hours as a number, for example 82.5."
    ]


def test_each_clinical_baseline_figure_is_needed_to_deploy(match):
    errors = deploy_form(
        match, baseline_omissions_per_100=None, baseline_wound_care_pct=None, baseline_risk_note_pct=None
    ).errors
    assert errors["baseline_omissions_per_100"] == [
        "Enter the medication omissions per 100 administrations over 24 hours."
    ]
    assert errors["baseline_wound_care_pct"] == [
        "Enter the wound-care entries within 2 hours of treatment (%)."
    ]
    assert errors["baseline_risk_note_pct"] == ["Enter the risk-note updates in the same shift (%)."]


def test_clinical_baseline_figures_outside_their_range_name_their_field(match):
    errors = deploy_form(
        match, baseline_omissions_per_100="-1", baseline_wound_care_pct="101", baseline_risk_note_pct="-5"
    ).errors
    assert errors["baseline_omissions_per_100"] == [
        "Medication omissions per 100 administrations over 24 hours must be 0 or more."
    ]
    assert errors["baseline_wound_care_pct"] == [
        "Wound-care entries within 2 hours of treatment must be 100% or less."
    ]
    assert errors["baseline_risk_note_pct"] == ["Risk-note updates in the same shift must be 0% or more."]
    assert deploy_form(match, baseline_omissions_per_100="101").errors["baseline_omissions_per_100"] == [
        "Medication omissions per 100 administrations over 24 hours must be 100 or less."
    ]


def test_other_notes_on_the_clinical_baseline_are_optional(match):
    assert deploy_form(match).is_valid()
    assert deploy_form(match, baseline_clinical_note="Agency nurses on nights.").is_valid()


def test_deploying_stores_the_three_figures_as_numbers(match, people):
    deployment = deploy(
        match,
        people.registered_manager,
        baseline_omissions_per_100=Decimal("2.1"),
        baseline_wound_care_pct=86,
        baseline_risk_note_pct=88,
        baseline_clinical_note="  Agency nurses on nights.  ",
    )
    deployment.refresh_from_db()
    assert deployment.baseline_omissions_per_100 == Decimal("2.1")
    assert deployment.baseline_wound_care_pct == 86
    assert deployment.baseline_risk_note_pct == 88
    assert deployment.baseline_clinical_note == "Agency nurses on nights."


def test_the_service_refuses_to_deploy_without_a_clinical_baseline_figure(match, people):
    with pytest.raises(ValidationError) as refused:
        deploy(match, people.registered_manager, baseline_risk_note_pct=None)
    assert set(refused.value.message_dict) == {"baseline_risk_note_pct"}
    assert not Deployment.objects.exists()


def test_the_deploy_page_stores_the_figures(client, match, people):
    client.force_login(people.registered_manager)
    response = client.post(
        reverse("adoption:deploy", args=[match.pk]),
        {"deployed_at": "2026-11-23 09:00", "baseline_completion_pct": "80", "baseline_drill_pct": "85"}
        | FIGURES,
    )
    assert response.status_code == 302
    deployment = Deployment.objects.get()
    assert (
        deployment.baseline_omissions_per_100,
        deployment.baseline_wound_care_pct,
        deployment.baseline_risk_note_pct,
    ) == (Decimal("2.1"), 86, 88)


def test_the_deployment_page_shows_the_clinical_baseline_figures(client, match, people):
    deployment = deploy(
        match,
        people.registered_manager,
        baseline_omissions_per_100=Decimal("2.1"),
        baseline_wound_care_pct=86,
        baseline_risk_note_pct=88,
        baseline_clinical_note="Agency nurses on nights.",
    )
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert "Medication omissions per 100 administrations over 24 hours" in page
    assert "2.1 per 100" in page
    assert "86.0%" in page and "88.0%" in page
    assert "Agency nurses on nights." in page


def test_a_deployment_from_before_the_figures_keeps_its_note(client, match, people):
    # Deployed when the clinical baseline was one box of text: its words are kept and shown, and
    # the figures say they were not recorded rather than showing a blank or a made-up number.
    deployment = deploy(match, people.registered_manager)
    Deployment.objects.filter(pk=deployment.pk).update(
        baseline_omissions_per_100=None,
        baseline_wound_care_pct=None,
        baseline_risk_note_pct=None,
        baseline_clinical_note="2 omissions per 100; 88% wound entries in time; 90% risk notes.",
    )
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert "2 omissions per 100; 88% wound entries in time; 90% risk notes." in page
    assert page.count("Not recorded at deployment") == 3
