"""An escalation's, a case's and a step's pages link to what the case is about (the trigger, deployment
or update), where what the escalation asks for is done ("Trigger same-day redistribution of the
learning notice"); the tester could reach it from none of them. Only for a person who may open it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import services, subjects
from providers.choices import Role
from tests.factories import CHECK_DONE, falls_trigger, person_with_role

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_BREACH = {"pct_received_within_4h": 75, "sampled_with_named_owner": 0, "sampled_due_within_72h": 0}


@pytest.fixture
def trigger(provider, elm_house, quality_director):
    return falls_trigger(provider, elm_house, quality_director)


@pytest.fixture
def case(chains, trigger, provider, elm_house):
    return services.start_chain(
        "A", provider=provider, subject=trigger, anchor_at=at(20, 16), service=elm_house
    )


@pytest.fixture
def breach(case, people):
    a2 = step(case, "A2")
    return services.record_step(
        a2, by=people.governance_officer, values=A2_BREACH, check_done=CHECK_DONE, now=at(23, 10)
    ).escalation


def pages(case, breach):
    return {
        "escalation": reverse("escalation:detail", args=[breach.pk]),
        "case": reverse("escalation:chain_run", args=[case.pk]),
        "step": reverse("escalation:step_run", args=[breach.step_run_id]),
    }


def test_each_page_links_to_the_trigger(case, breach, trigger, people, client, sign_in):
    sign_in(people.quality_director)
    link = f'href="{reverse("learning_transfer:trigger_detail", args=[trigger.pk])}"'
    for name, url in pages(case, breach).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response.context["subject_link"].words == f"Open the learning {trigger}", name
        assert link in response.text and f"Open the learning {trigger}" in response.text, name


def test_no_link_for_a_person_who_may_not_open_the_trigger(case, birch_lodge, trigger):
    elsewhere = person_with_role(Role.REGISTERED_MANAGER, service=birch_lodge, username="birch-manager")
    assert not elsewhere.has_perm("learning_transfer.view_trigger", trigger)
    assert subjects.subject_link(elsewhere, case) is None


def test_a_subject_with_no_page_of_its_own_is_not_linked(chain_a, people):
    assert subjects.subject_link(people.quality_director, chain_a) is None


def test_the_link_costs_a_fixed_number_of_queries(case, people):
    people.quality_director.has_perm("learning_transfer.view_trigger", None)  # roles read once a request
    with CaptureQueriesContext(connection) as queries:
        link = subjects.subject_link(people.quality_director, case)
    assert link is not None and len(queries) <= 3
