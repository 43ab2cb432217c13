"""A tick costs the same number of queries for one due row as for many, however many providers,
services, regions, roles and deadlines they span: everything is worked out once per distinct value."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation import engine, services
from escalation.models import Escalation, StepRun
from providers.choices import Role
from tests.factories import ProviderFactory, RegionFactory, ServiceFactory, TeamFactory, person_with_role

from .conftest import at

pytestmark = pytest.mark.django_db


def queries_and_raised(now) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = engine.tick(now)
    return len(queries.captured_queries), report.count


@pytest.fixture
def start(chains):
    def start(chain, provider, service, anchor):
        subject = TeamFactory(service=service)
        return services.start_chain(
            chain, provider=provider, subject=subject, anchor_at=anchor, service=service
        )

    return start


def test_one_due_step_and_many_across_providers_and_services_cost_the_same_queries(
    start, provider, south, elm_house, birch_lodge, cedar_court, nominated_individual
):
    person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="ops")
    person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="elm-rm")
    person_with_role(Role.REGISTERED_MANAGER, provider=provider, region=south, username="south-rm")
    faraway = ProviderFactory(name="Faraway Care Ltd", working_day_start=time(8), working_day_end=time(16))
    faraway_manor = ServiceFactory(name="Faraway Manor", region=RegionFactory(provider=faraway))
    engine.tick(at(20, 9))  # the first tick ever also creates the heartbeat row

    start("A", provider, elm_house, at(20, 16))
    one_due, raised = queries_and_raised(at(23, 10, 1))
    assert raised == 1

    Escalation.objects.update(follow_up_due=False)  # keep this tick to overdue steps alone
    for service in (elm_house, birch_lodge, cedar_court):
        start("A", provider, service, at(20, 16))
        start("C", provider, service, at(30, 10))  # C2 goes to the service's registered manager
    start("A", faraway, faraway_manor, at(20, 15))
    many_due, raised = queries_and_raised(at(23, 16, 30))
    assert raised > 20
    assert many_due == one_due

    StepRun.objects.filter(state="due").update(state="closed")  # and the next ticks to follow-ups
    Escalation.objects.update(follow_up_due=False)
    Escalation.objects.filter(pk=Escalation.objects.order_by("pk").first().pk).update(follow_up_due=True)
    one_follow_up, raised = queries_and_raised(at(25, 12))
    assert raised == 1
    Escalation.objects.exclude(target_role=Role.NOMINATED_INDIVIDUAL).update(follow_up_due=True)
    many_follow_ups, raised = queries_and_raised(at(25, 12))
    assert raised > 20
    assert many_follow_ups == one_follow_up
