"""Journey 2: a manager's lists of adoption checks say that the check of a later shift or day is not
open yet, and when it opens, rather than "Due"; the lists read that in their own queries, the same
number however many such checks a page shows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption import chain
from providers.choices import Role

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

TAG = re.compile(r'<strong class="nhsuk-tag nhsuk-tag--(\w+)">([^<]*)</strong>')
DUE = ("blue", "Due — record it by the deadline")


@pytest.fixture
def elm_deployment(match, people, time_machine):
    """Learning live at Elm House from 09:00 on Monday 23 November; it is now 10:00 that morning."""
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    time_machine.move_to(at(23, 10), tick=False)
    return deployment


def check(deployment, code: str, occurrence: int = 1):
    return chain.run_for(deployment).step_runs.get(code=code, occurrence=occurrence)


def tag_after_link(page: str, step_run, end: str = "</tr>") -> tuple[str, str]:
    """The (colour, words) of the state tag of the row or item that links to `step_run`."""
    row = page.split(f'href="{step_run.get_absolute_url()}"', 1)[1].split(end, 1)[0]
    return TAG.search(row).groups()


def test_the_service_page_says_a_later_check_is_not_open_yet(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:my_service")).text
    # The clinical lead records B2: the manager is told whom it waits for, not to record it.
    assert tag_after_link(page, check(elm_deployment, "B2")) == (
        "blue",
        f"Due — waiting for {people.clinical_lead} (Clinical Lead)",
    )
    tuesday = check(elm_deployment, "B2", 2)
    assert tag_after_link(page, tuesday) == ("grey", "Not open yet — opens Mon 23 Nov 2026, 14:16")


def test_the_dashboard_panel_says_when_the_next_shifts_check_opens(client, sign_in, elm_deployment, people):
    sign_in(people.service_improvement_lead)
    page = client.get(reverse("dashboard", args=[Role.SERVICE_IMPROVEMENT_LEAD])).text
    evening, night = check(elm_deployment, "B1"), check(elm_deployment, "B1", 2)
    # Learning live at 09:00; the first shift after it is the late shift.
    assert tag_after_link(page, evening, "</li>") == ("grey", "Not open yet — opens Mon 23 Nov 2026, 14:00")
    # The late shift's check falls due at 18:00; the night shift's opens when the night shift starts.
    assert tag_after_link(page, night, "</li>") == ("grey", "Not open yet — opens Mon 23 Nov 2026, 21:30")


def test_the_deployment_timeline_says_a_later_check_is_not_open_yet(client, elm_deployment, people):
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[elm_deployment.pk])).text
    late_shift = check(elm_deployment, "B4", 2)  # Tuesday's late shift: it opens when that shift starts
    assert tag_after_link(page, late_shift) == ("grey", "Not open yet — opens Tue 24 Nov 2026, 14:00")


def test_a_page_of_checks_not_open_yet_needs_no_query_per_check(client, elm_deployment, people):
    """The first page lists 25 checks, most of them not open yet; the second the rest."""
    client.force_login(people.registered_manager)
    url = reverse("adoption:my_service")
    counts = []
    for page_number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{url}?page={page_number}")
        listed = response.context["step_runs"]
        counts.append((len(listed), len(captured)))
        assert sum(s.shown_state == "not_open" for s in listed) > 10
    (first_rows, first_queries), (second_rows, second_queries) = counts
    assert first_rows == 25 and second_rows < first_rows
    assert first_queries == second_queries
