"""On an escalation's page a form's error is summed up where the NHS pattern puts it, the first thing in
main above the heading, linking to its field: it used to appear under the Acknowledge button, some
1,800 pixels down the page."""

import pytest
from django.urls import reverse

from escalation import engine, services

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_a2(chain_a, people, time_machine):
    """A2 fell overdue at 10:18 and the Quality Director was told."""
    time_machine.move_to(at(23, 10, 40), tick=False)
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return escalation


def main_before_the_heading(page: str) -> str:
    """What the page shows in main before its heading."""
    return page.split('id="maincontent"', 1)[1].split("<h1", 1)[0]


def test_an_empty_action_is_summed_up_above_the_heading(overdue_a2, people, client, sign_in):
    sign_in(people.quality_director)
    url = reverse("escalation:record_action", args=[overdue_a2.pk])
    page = client.post(url, {"action_taken": ""}).text
    top = main_before_the_heading(page)
    assert "There is a problem" in top
    assert '<a href="#id_action_taken">Describe the action taken.</a>' in top
    assert page.count("nhsuk-error-summary__title") == 1, "one summary, not one under the form too"


def test_a_missing_resolution_note_is_summed_up_above_the_heading(overdue_a2, people, client, sign_in):
    qd = people.quality_director
    services.record_action(overdue_a2, by=qd, action_taken="Phoned the officer.", now=at(23, 10, 45))
    sign_in(qd)
    page = client.post(reverse("escalation:resolve", args=[overdue_a2.pk]), {"note": ""}).text
    top = main_before_the_heading(page)
    assert '<a href="#id_note">The step is still not recorded: say why' in top
    assert page.count("nhsuk-error-summary__title") == 1


def test_the_page_without_errors_has_no_summary(overdue_a2, people, client, sign_in):
    sign_in(people.quality_director)
    assert "There is a problem" not in client.get(overdue_a2.get_absolute_url()).text
