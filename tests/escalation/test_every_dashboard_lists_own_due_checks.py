"""One rule for every role's dashboard: "Your checks that are due" lists the person's own checks (step
runs of the dashboard's role where they hold it, not recorded, case open) that are open now, overdue
first, each with its plain name, its case, its due time and a link; a check not open yet is not asked
for, only said apart ("… not open yet: the next opens …").

The tester's Governance Officer saw "No open escalations to you" and none of the A2 checks they must
record, though one was overdue and escalated three levels; the Performance Analyst's list of checks
before issue asked for five C2 checks, four of them not open for days.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from escalation.models import Escalation
from providers.choices import Role

from .conftest import at, step

pytestmark = pytest.mark.django_db

HEADING = "Your checks that are due"
A2_NAME = "Check every service received the learning"
C2_NAME = "Check the figures behind each claim"


def dashboard(client, role):
    return client.get(reverse("dashboard", args=[role]))


def own_checks(page: str) -> str:
    """The words of the "Your checks that are due" panel, tags and spacing removed."""
    panel = page.split(f'<h2 class="nhsuk-card__heading">{HEADING}</h2>', 1)[1].split(
        '<div class="nhsuk-card">'
    )[0]
    return panel


def words(html: str) -> str:
    return " ".join(strip_tags(html).split())


@pytest.fixture
def two_a2_checks(chain_a, provider, subject, time_machine):
    """At 14:25 on Monday 23 November the first case's A2 (due 10:18) is overdue and was escalated three
    levels; a second case, confirmed at noon, has its A2 due on Tuesday at 10:18."""
    later = services.start_chain(
        "A", provider=provider, subject=subject("Missed medicine at Elm House"), anchor_at=at(23, 12)
    )
    time_machine.move_to(at(23, 14, 25), tick=False)
    engine.tick(at(23, 10, 19))
    engine.tick(at(23, 12, 20))
    engine.tick(at(23, 14, 21))
    assert Escalation.objects.filter(step_run__code="A2").count() == 3
    return step(chain_a, "A2"), step(later, "A2")


def test_the_governance_officer_sees_their_a2_checks_overdue_first(two_a2_checks, people, client, sign_in):
    overdue, due = two_a2_checks
    sign_in(people.governance_officer)
    page = dashboard(client, Role.GOVERNANCE_OFFICER).text
    panel = own_checks(page)
    said = words(panel)
    assert said.index(str(overdue.chain_run)) < said.index(str(due.chain_run))
    assert f"{A2_NAME} A2 – {overdue.chain_run}, due Mon 23 Nov 2026, 10:18 Overdue — record it now" in said
    assert (
        f"{A2_NAME} A2 – {due.chain_run}, due Tue 24 Nov 2026, 10:18 Due — record it by the deadline" in said
    )
    for check in two_a2_checks:
        assert f'href="{reverse("escalation:step_run", args=[check.pk])}"' in panel
    # The panel comes before the escalations, and the overdue check is listed once on the page.
    assert page.index(HEADING) < page.index("Open escalations")
    assert words(page).count(f"{A2_NAME} A2 – {overdue.chain_run}") == 1


def test_only_the_persons_own_checks_of_the_role_viewed(two_a2_checks, people, client, sign_in):
    sign_in(people.operations_director)
    said = words(own_checks(dashboard(client, Role.OPERATIONS_DIRECTOR).text))
    assert "Confirm a lead at every matched service" in said  # A3, the Operations Director's
    assert A2_NAME not in said
    sign_in(people.nominated_individual)
    assert "Assure the board the learning reached everyone" in words(
        own_checks(dashboard(client, Role.NOMINATED_INDIVIDUAL).text)
    )


def test_a_check_not_open_yet_is_not_asked_for(
    chains, provider, subject, people, client, sign_in, time_machine
):
    """Chain C for an issue on Friday 4 December: C2 is checked each of five working days, the first
    due Friday 27 November at 12:12, each later one opening when the one before falls due."""
    run = services.start_chain(
        "C", provider=provider, subject=subject("Winter update"), anchor_at=at(4, 12, month=12)
    )
    time_machine.move_to(at(23, 10), tick=False)
    sign_in(people.performance_analyst)
    page = dashboard(client, Role.PERFORMANCE_ANALYST).text
    said = words(own_checks(page))
    assert said.count(C2_NAME) == 1
    assert f'href="{reverse("escalation:step_run", args=[step(run, "C2").pk])}"' in page
    for occurrence in range(2, 6):
        assert reverse("escalation:step_run", args=[step(run, "C2", occurrence).pk]) + '"' not in page
    assert "Not open yet" not in said.split("4 more")[0]
    assert "4 more of your checks are not open yet: the next opens Fri 27 Nov 2026, 12:12." in said
    # The copy of this list in the updates panel is gone: one list of the person's checks.
    assert "Your checks before issue that are due" not in page


def test_a_chain_b_checker_has_their_checks_listed_once(
    chains, provider, elm_house, shifts, subject, people, client, sign_in, time_machine
):
    """The registered manager's chain B checks are in the adoption panel, with the others' at the
    service: no second list of them."""
    time_machine.move_to(at(23, 10), tick=False)
    services.start_chain("B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house)
    sign_in(people.registered_manager)
    response = dashboard(client, Role.REGISTERED_MANAGER)
    templates = [panel["template"] for panel in response.context["panels"]]
    assert "adoption/panels/due_checks.html" in templates
    assert "escalation/panels/own_checks.html" not in templates
    sign_in(people.governance_officer)
    templates = [p["template"] for p in dashboard(client, Role.GOVERNANCE_OFFICER).context["panels"]]
    assert templates.count("escalation/panels/own_checks.html") == 1


def test_the_panel_reads_as_often_for_one_check_or_many(
    chains, provider, subject, people, client, sign_in, time_machine
):
    def queries() -> int:
        dashboard(client, Role.GOVERNANCE_OFFICER)  # the first view keeps the SQL of its lists
        with CaptureQueriesContext(connection) as captured:
            assert dashboard(client, Role.GOVERNANCE_OFFICER).status_code == 200
        return len(captured.captured_queries)

    time_machine.move_to(at(23, 8), tick=False)
    services.start_chain("A", provider=provider, subject=subject(), anchor_at=at(20, 16))
    sign_in(people.governance_officer)
    one = queries()
    for number in range(7):
        services.start_chain("A", provider=provider, subject=subject(f"Fall {number}"), anchor_at=at(20, 16))
    page = dashboard(client, Role.GOVERNANCE_OFFICER).text
    assert words(own_checks(page)).count(A2_NAME) == 5
    assert "And 3 more of yours." in words(own_checks(page))
    assert queries() == one
