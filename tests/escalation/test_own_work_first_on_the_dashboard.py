"""Every dashboard lists what is the person's own first, and others' work at their services last,
shorter: one rule for every role (providers.dashboards).

The tester's registered manager, on a phone, met five escalations "To be acted on by" the Nominated
Individual or the Provider Director, and "And 16 more at your services", before the notices and checks
that were theirs; their own escalation was further down.
"""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from escalation.choices import EscalationState
from escalation.models import Escalation
from providers.choices import Role

from .conftest import at

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard", args=[Role.REGISTERED_MANAGER])
OTHERS_HEADING = "At your services, done by others"
# The manager's dashboard reads the same number of times however many escalations there are (24 with
# its list of acknowledged learning still to put in place).
MAX_QUERIES = 24


@pytest.fixture
def busy_service(chains, provider, elm_house, shifts, subject, people, time_machine):
    """Elm House on Monday 23 November at 17:00: the Clinical Lead's B2 was not recorded, raised to the
    manager; and cases started on Friday whose first step was escalated to the Operations Director,
    as many as a test asks for."""
    time_machine.move_to(at(23, 17), tick=False)
    services.start_chain("B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house)
    engine.tick(at(23, 16, 30))

    def with_escalations_to_others(how_many: int) -> list[Escalation]:
        for minute in range(how_many):
            services.start_chain(
                "A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house
            )
            engine.tick(at(20, 11, minute))  # A1 overdue: raised to the Operations Director
        return list(
            Escalation.objects.exclude(state=EscalationState.RESOLVED).exclude(
                target_role=Role.REGISTERED_MANAGER
            )
        )

    return with_escalations_to_others


def own_escalation() -> Escalation:
    return Escalation.objects.get(target_role=Role.REGISTERED_MANAGER, step_run__code="B2")


def test_the_managers_own_escalation_comes_before_others_work(busy_service, people, client, sign_in):
    others = busy_service(7)
    sign_in(people.registered_manager)
    page = client.get(DASHBOARD).text

    own_link = f'href="{reverse("escalation:detail", args=[own_escalation().pk])}"'
    others_start = page.index(OTHERS_HEADING)
    assert page.index(own_link) < page.index("Learning notices to acknowledge") < others_start
    yours = page.split("Yours to do", 1)[1].split(OTHERS_HEADING, 1)[0]
    for escalation in others:
        assert reverse("escalation:detail", args=[escalation.pk]) + '"' not in yours
    # Others' work is counted, folded, and its newest few listed after everything of the manager's.
    assert f"{OTHERS_HEADING} ({len(others)})" in page
    assert f"Others act on {len(others)} open escalations at your services" in strip_tags(yours)
    folded = page[others_start:]
    assert folded.count("To be acted on by") == 5
    assert f"And {len(others) - 5} more at your services" in folded


def test_with_nothing_of_their_own_others_work_still_comes_last(busy_service, people, client, sign_in):
    own_escalation().notifications.all().delete()
    Escalation.objects.filter(target_role=Role.REGISTERED_MANAGER).update(state=EscalationState.RESOLVED)
    others = busy_service(2)
    sign_in(people.registered_manager)
    page = client.get(DASHBOARD).text
    assert "No open escalations to you." in page
    assert page.index("Learning notices to acknowledge") < page.index(f"{OTHERS_HEADING} ({len(others)})")


@pytest.mark.parametrize("escalations", [2, 20])
def test_the_dashboard_reads_as_often_for_2_or_20_escalations(
    busy_service, people, client, sign_in, escalations, django_assert_max_num_queries
):
    assert len(busy_service(escalations)) >= escalations
    sign_in(people.registered_manager)
    client.get(DASHBOARD)  # the first view keeps the SQL of its lists for the roles held
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(DASHBOARD).text
    assert page.index(reverse("escalation:detail", args=[own_escalation().pk])) < page.index(OTHERS_HEADING)
