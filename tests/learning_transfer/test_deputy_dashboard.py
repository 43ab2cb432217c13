"""A deputy regional manager's dashboard lists the checks that are theirs to record (their region's A4)
with a link to each, and files the escalation of their own overdue check under their own work, not
under work done by others.

The falls trigger at Elm House (North) matches services in the North and the South, so A4 runs once
for each region; on the tests' Monday it is days overdue.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from escalation import engine
from learning_transfer import chain
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def words(response) -> str:
    return " ".join(strip_tags(response.text).split())


def panel(response, template: str) -> dict:
    return next(p for p in response.context["panels"] if p["template"] == template)


@pytest.fixture
def deputy(north):
    return person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm-north")


def test_the_deputys_own_overdue_a4_is_listed_as_theirs_with_a_link(
    client, sign_in, log_falls_trigger, deputy
):
    trigger = log_falls_trigger()
    north_a4 = next(run for run in chain.region_step_runs(trigger, "A4") if run.region.name == "North")
    sign_in(deputy)
    response = client.get(reverse("dashboard", args=[Role.DEPUTY_REGIONAL_MANAGER]))
    assert response.status_code == 200
    yours = words(response).split("Yours to do", 1)[1]
    assert "Check each region put the learning in place – North" in yours
    assert "Overdue — record it now" in yours
    assert reverse("escalation:step_run", args=[north_a4.pk]) in response.text
    # The South's A4 is not the North deputy's to record, nor listed as theirs.
    assert "Check each region put the learning in place – South" not in yours.split("done by others")[0]


def test_the_escalation_of_the_deputys_own_overdue_check_lists_the_check_as_theirs(
    client, sign_in, log_falls_trigger, deputy
):
    trigger = log_falls_trigger()
    engine.tick(timezone.now())
    sign_in(deputy)
    response = client.get(reverse("dashboard", args=[Role.DEPUTY_REGIONAL_MANAGER]))
    escalations = panel(response, "escalation/panels/open_escalations.html")
    a4 = [s for s in escalations["checks"] if s.code == "A4"]
    assert [s.region.name for s in a4] == ["North"], "the overdue A4 is the deputy's to record"
    assert not [e for e in escalations["yours"] if e.step_run and e.step_run.code == "A4"]
    # The Compliance Manager's escalation stays among those others act on, for the deputy to follow.
    assert [e.target_role for e in escalations["others"] if e.step_run and e.step_run.code == "A4"] == [
        Role.COMPLIANCE_MANAGER
    ]
    assert chain.run_for(trigger) is not None


def test_the_deputys_dashboard_needs_the_same_queries_for_one_or_many_triggers(
    client, sign_in, log_falls_trigger, deputy
):
    sign_in(deputy)
    url = reverse("dashboard", args=[Role.DEPUTY_REGIONAL_MANAGER])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    # No escalations raised: which of them fill the escalation panel's five rows would change what
    # that panel reads (its own tests count its queries); this counts the list of steps.
    log_falls_trigger()
    client.get(url)  # the first view of the page keeps the SQL of its lists for the roles held
    one = queries()
    for number in range(2):
        log_falls_trigger(title=f"Another fall {number}")
    response = client.get(url)
    assert len(panel(response, "escalation/panels/due_steps.html")["yours"]) == 3
    assert queries() == one
