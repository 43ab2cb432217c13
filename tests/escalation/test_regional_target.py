"""A step run once per region (A4) escalates in its own region, not in the case's service's region.

The case starts at Elm House, in the North; A4 runs once for the North and once for the South. With
A4's target made a regional role (a test-only edit of the chain, as a provider's chain could be), the
South's Deputy Regional Manager is told of the South's A4, on the overdue, the breach and the follow-up,
and may act on it; the North's is told only of the North's.
"""

import pytest

from escalation import engine, recipients, services
from escalation.models import StepTemplate
from escalation.permissions import visible_escalations
from providers.choices import Role
from tests.factories import CHECK_DONE, person_with_role

from .conftest import at

pytestmark = pytest.mark.django_db
A4_DUE_PASSED = at(24, 16, 10)  # confirmed Monday 09:00: A4 falls due on Tuesday at 16:06


@pytest.fixture
def managers(people, south):
    return {
        "North": people.deputy_regional_manager,  # "drm"
        "South": person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=south, username="drm-south"),
    }


@pytest.fixture
def a4_to_the_regional_manager(chains):
    StepTemplate.objects.filter(code="A4").update(escalate_to=Role.DEPUTY_REGIONAL_MANAGER)


@pytest.fixture
def case(chains, provider, north, south, elm_house, subject, managers):
    """Chain A on a failure at Elm House (North), its A4 run for the North and for the South."""
    return services.start_chain(
        "A",
        provider=provider,
        subject=subject(),
        anchor_at=at(23, 9),
        service=elm_house,
        regions=[north, south],
    )


def told(escalation) -> list[str]:
    return [n.user.username for n in escalation.notifications.all()]


def a4_by_region(escalations) -> dict:
    return {e.step_run.region.name: e for e in escalations if e.step_run.code == "A4"}


def test_an_overdue_a4_tells_the_manager_of_its_own_region(a4_to_the_regional_manager, case, managers):
    overdue = a4_by_region(engine.tick(A4_DUE_PASSED).overdue)
    assert {region: told(e) for region, e in overdue.items()} == {
        "North": ["drm"],
        "South": ["drm-south"],
    }
    south = overdue["South"]
    assert south.region.name == "South" and not south.role_gap
    assert south.service.name == "Elm House"  # the case's service, still named
    # Told, the South's manager may act on it; the North's may not.
    assert managers["South"].has_perm("escalation.acknowledge_escalation", south)
    assert not managers["North"].has_perm("escalation.acknowledge_escalation", south)
    assert visible_escalations(managers["South"]).filter(pk=south.pk).exists()
    services.acknowledge(south, by=managers["South"], now=at(24, 16, 20))


def test_a_breached_a4_tells_the_manager_of_its_own_region(a4_to_the_regional_manager, case, managers):
    south_a4 = case.step_runs.get(code="A4", region__name="South")
    record = services.record_step(
        south_a4,
        by=managers["South"],
        values={
            "briefings_completed_4h": 0,
            "local_tasks_due_24h": 0,
            "expected_reduction_pct": {"High-risk services": 5},
        },
        now=at(24, 15),
        check_done=CHECK_DONE,
    )
    assert record.escalation.region.name == "South"
    assert told(record.escalation) == ["drm-south"]


def test_a_follow_up_of_a4_is_looked_for_in_its_own_region(case, managers, monkeypatch):
    # A provider whose ladder passes through the region's manager (test-only): A4's overdue goes to
    # the Compliance Manager, its follow-up one rung up, to a regional role.
    monkeypatch.setattr(
        recipients,
        "LADDER",
        [Role.DEPUTY_REGIONAL_MANAGER, Role.PROVIDER_DIRECTOR, Role.NOMINATED_INDIVIDUAL],
    )
    overdue = a4_by_region(engine.tick(A4_DUE_PASSED).overdue)
    assert {e.target_role for e in overdue.values()} == {Role.COMPLIANCE_MANAGER}
    follow_ups = a4_by_region(engine.tick(at(26, 12)).follow_ups)
    assert {region: (e.target_role, e.region.name, told(e)) for region, e in follow_ups.items()} == {
        "North": (Role.DEPUTY_REGIONAL_MANAGER, "North", ["drm"]),
        "South": (Role.DEPUTY_REGIONAL_MANAGER, "South", ["drm-south"]),
    }


def test_the_nominated_individuals_pages_need_the_same_queries_for_one_region_or_several(
    client, sign_in, chains, provider, north, south, elm_house, subject, people, managers
):
    """Each regional escalation's region (and its step's) is loaded with the list, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    def escalate(regions):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house, regions=regions
        )
        engine.tick(A4_DUE_PASSED)

    sign_in(people.nominated_individual)
    urls = [reverse("dashboard", args=["nominated_individual"]), reverse("escalation:inbox") + "?show=all"]
    escalate([north])
    for url in urls:  # the first requests fill the process's caches (content types): count those after
        client.get(url)
    one_region = [queries(url) for url in urls]
    escalate([north, south])
    response = client.get(urls[0])
    assert "South" in response.text  # the South's A4 is on the dashboard
    assert [queries(url) for url in urls] == one_region


def test_the_e_mail_names_the_step_and_its_region_as_the_pages_do(a4_to_the_regional_manager, case, managers):
    """The subject led with the code ("Escalation: A4 step overdue"), and never said which region."""
    from django.core import mail

    from escalation import notifications

    engine.tick(A4_DUE_PASSED)
    notifications.send_pending(A4_DUE_PASSED)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    bodies = {message.to[0]: message.body for message in mail.outbox}
    south = managers["South"].email
    assert subjects[south] == (
        # The case's service first (where the failure happened), the region in the step's name.
        "Elm House: Check each region put the learning in place – South (A4) — step overdue"
    )
    # The reason says what is overdue; the body also says where, for a reader who opens the mail alone.
    assert "Step: Check each region put the learning in place – South (A4)" in bodies[south]


def test_lists_of_escalations_at_my_services_keep_a_regional_step_to_its_region(
    case, managers, people, client, sign_in
):
    """A4 runs once per region. Elm House (North) is where the case started, so its staff and the North's
    deputy saw the South's A4 escalations listed "at your services", though neither may act on them
    nor works there. They still see them on the case's own page; the lists keep to their places."""
    from django.urls import reverse

    overdue = a4_by_region(engine.tick(A4_DUE_PASSED).overdue)
    assert set(overdue) == {"North", "South"}

    def listed(person) -> set:
        sign_in(person)
        response = client.get(reverse("escalation:inbox"), {"show": "services"})
        escalations = response.context["yours"] + response.context["others"]
        # A deputy's own overdue A4 is listed as their check to record, not as the escalation.
        a4s = {e.step_run_id for e in escalations if e.step_run.code == "A4"}
        a4s |= {s.pk for s in response.context["checks"] if s.code == "A4"}
        return {region for region, escalation in overdue.items() if escalation.step_run_id in a4s}

    assert listed(people.registered_manager) == set()
    assert listed(managers["North"]) == {"North"}
    assert listed(managers["South"]) == {"South"}
    assert listed(people.quality_director) == {"North", "South"}
    sign_in(people.registered_manager)
    case_page = client.get(reverse("escalation:chain_run", args=[case.pk]))
    assert case_page.status_code == 200, (
        "the case, all its regions' steps included, is still theirs to follow"
    )
