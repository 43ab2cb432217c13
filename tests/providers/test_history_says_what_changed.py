"""Each "Changed" row of a history table says what changed, old → new, in plain words, read from the
stored history rows in a constant number of queries."""

from datetime import time

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from escalation import services as escalation
from escalation.loading import load_chain_templates
from escalation.models import StepTemplate
from providers import services
from providers.choices import Role
from providers.history import recent_changes
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def _hours(provider, administrator, start, end, days, why):
    services.set_working_hours(provider, by=administrator, start=start, end=end, weekdays=days, reason=why)


def test_the_working_hours_history_says_what_changed(
    provider, administrator, client, sign_in, django_assert_num_queries
):
    _hours(provider, administrator, time(8), time(18), range(5), "Longer days")
    _hours(provider, administrator, time(8), time(18), range(6), "Saturday cover")
    with django_assert_num_queries(1):
        html = render_to_string("includes/history.html", {"history": recent_changes(provider, 2)})
    assert "Working days: Monday to Friday → Monday to Saturday" in html
    assert "Working day: 09:00–17:00 → 08:00–18:00" in html, "the oldest row shown is compared too"
    sign_in(administrator)
    page = client.get(reverse("working_hours") + f"?provider={provider.pk}").text
    assert "Working day: 09:00–17:00 → 08:00–18:00" in page


def test_a_plain_field_reads_by_its_label_and_choice_words(elm_house, quality_director):
    elm_house.name, elm_house.risk_level = "Elm House North", "high"
    elm_house._history_user = quality_director
    elm_house.save()
    newest = recent_changes(elm_house, 1)[0]
    assert "Name: Elm House → Elm House North" in newest.changes
    assert any(line.startswith("Risk level: Medium → High") for line in newest.changes)


def test_the_step_setting_history_says_what_changed(provider, administrator, client, sign_in):
    load_chain_templates(update=False)
    a2 = StepTemplate.objects.get(code="A2")
    escalation.tune_step(
        provider,
        a2,
        by=administrator,
        reason="Rural homes: receipt target 6 hours, 90 %",
        threshold_rule={**a2.threshold_rule, "value": 90},
        response_working_hours=4,
        measure_parameters={"pct_received_within_4h": {"window_hours": 6}},
    )
    escalation.tune_step(provider, a2, by=administrator, reason="Back to the default")
    sign_in(administrator)
    page = client.get(reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}").text
    for said in (
        "Threshold (%): 100 → 90",
        "Response window (working hours): 2 → 4",
        "Receipt window (hours): 4 → 6",
    ):
        assert f"<li>{said}</li>" in page, said  # the first change, against the defaults
    for said in (
        "Threshold (%): 90 → 100",
        "Response window (working hours): 4 → 2",
        "Receipt window (hours): 6 → 4",
    ):
        assert f"<li>{said}</li>" in page, said  # set back to the defaults
