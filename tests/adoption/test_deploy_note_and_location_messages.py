"""The deploy form's clinical notes are capped at 500 characters (by the form and the service alike)
and labelled "(optional)" once; a location too long is told only that, not also to name a group."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption.forms import DeployForm
from adoption.models import Deployment

from .conftest import at, deploy, observation_form

pytestmark = pytest.mark.django_db

TOO_LONG = "Shorten the other notes on the clinical records to 500 characters or fewer (it has 501)."


def deploy_fields(**changes) -> dict:
    return {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    } | changes


def test_the_form_refuses_clinical_notes_over_500_characters(match):
    form = DeployForm(deploy_fields(baseline_clinical_note="x" * 501), match=match)
    assert not form.is_valid()
    assert form.errors["baseline_clinical_note"][0].startswith(TOO_LONG)
    assert DeployForm(deploy_fields(baseline_clinical_note="x" * 500), match=match).is_valid()


def test_the_service_refuses_clinical_notes_over_500_characters(match, people):
    with pytest.raises(ValidationError) as refused:
        deploy(match, people.registered_manager, baseline_clinical_note="x" * 501)
    assert refused.value.message_dict["baseline_clinical_note"][0].startswith(TOO_LONG)
    assert not Deployment.objects.exists()


def test_the_notes_label_says_optional_once(client, match, people):
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deploy", args=[match.pk])).text
    assert "Other notes on the clinical records before the learning (optional)</label>" in page
    assert "(optional) (optional)" not in page


def test_a_label_that_already_says_optional_is_not_told_again():
    from django import forms

    class Form(forms.Form):
        note = forms.CharField(label="Anything else (optional)", required=False)

    assert "(optional) (optional)" not in str(Form())


def test_a_location_too_long_is_told_only_that(client, match, teams, people):
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    client.force_login(people.clinical_lead)
    fields = observation_form(teams, team="", shift_name="", location="x" * 61)
    response = client.post(reverse("adoption:deployment_detail", args=[deployment.pk]), fields)
    form = response.context["form"]
    assert form.errors["location"] == ["Shorten the location to 60 characters or fewer (it has 61)."]
    assert not form.non_field_errors()
    assert "Choose the team or the shift" not in response.text
