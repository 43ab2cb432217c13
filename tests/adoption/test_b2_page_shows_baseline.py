"""The clinical lead judging B2 reconciles the day's sample against the pre-learning clinical baseline
(the step's own check says so), so the B2 step page shows the three figures set at deployment beside
the form. A deployment made before the figures were asked for says they were not recorded. B3's page
shows the last drill's figure it is compared with (tester 16: B1 and B2 showed theirs, B3 did not)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption import chain
from adoption.models import Deployment
from tests.accessibility import assert_accessible

from .conftest import at, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def elm_deployment(match, people, time_machine):
    time_machine.move_to(at(23, 12), tick=False)
    return deploy(
        match,
        people.registered_manager,
        deployed_at=at(23, 9),
        baseline_omissions_per_100=Decimal("2.1"),
        baseline_wound_care_pct=86,
        baseline_risk_note_pct=88,
    )


def step_page(deployment, code: str) -> str:
    step_run = chain.run_for(deployment).step_runs.filter(code=code).order_by("due_at").first()
    return reverse("escalation:step_run", args=[step_run.pk])


def test_the_b2_page_shows_the_clinical_baseline_set_at_deployment(client, elm_deployment, people):
    client.force_login(people.clinical_lead)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(step_page(elm_deployment, "B2")).text
    assert "Baseline at deployment" in page
    assert "Medication omissions per 100 administrations over 24 hours" in page
    assert "2.1 per 100" in page
    assert "Wound-care entries within 2 hours of treatment" in page and "86.0%" in page
    assert "Risk-note updates in the same shift" in page and "88.0%" in page
    assert "Not recorded at deployment" not in page
    assert_accessible(page)
    # The deployment is read once, however many figures it shows.
    assert sum('FROM "adoption_deployment"' in q["sql"] for q in queries.captured_queries) == 1


def test_a_deployment_from_before_the_figures_says_they_were_not_recorded(client, elm_deployment, people):
    Deployment.objects.filter(pk=elm_deployment.pk).update(
        baseline_omissions_per_100=None,
        baseline_wound_care_pct=None,
        baseline_risk_note_pct=None,
        baseline_clinical_note="About 3 omissions a week; wound notes often late.",
    )
    client.force_login(people.clinical_lead)
    page = client.get(step_page(elm_deployment, "B2")).text
    assert "Baseline at deployment" in page
    assert page.count("Not recorded at deployment") == 3
    assert "About 3 omissions a week; wound notes often late." in page


def test_other_checks_do_not_show_it(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    assert "Baseline at deployment" not in client.get(step_page(elm_deployment, "B1")).text


def test_the_b3_page_shows_the_last_drill_before_the_learning(client, elm_deployment, people):
    Deployment.objects.filter(pk=elm_deployment.pk).update(baseline_drill_pct=84)
    client.force_login(people.practice_development_lead)
    page = client.get(step_page(elm_deployment, "B3")).text
    facts = page.split("Baseline at deployment", 1)[1].split("</dl>", 1)[0]
    assert "Correct demonstration at the last drill before the learning" in facts and "84.0%" in facts
    assert "Medication omissions" not in facts
