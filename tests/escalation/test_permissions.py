"""Outsiders and commissioners see no escalation; only the step's role records it."""

import pytest
from django.urls import reverse

from escalation import engine, permissions
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import at, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(chain_a, people):
    [escalation] = engine.tick(at(23, 10, 1)).overdue  # A1, to the Operations Director
    return escalation


@pytest.fixture
def outsider(other_provider_service):
    return person_with_role(
        Role.NOMINATED_INDIVIDUAL, provider=other_provider_service.provider, username="faraway-ni"
    )


def pages(escalation):
    run = escalation.chain_run
    return [
        reverse("escalation:detail", args=[escalation.pk]),
        reverse("escalation:chain_run", args=[run.pk]),
        reverse("escalation:step_run", args=[escalation.step_run.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, raised):
    for url in [reverse("escalation:inbox"), reverse("escalation:chains"), *pages(raised)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_commissioner_sees_no_escalation_page(client, raised, commissioner):
    client.force_login(commissioner)
    for url in [reverse("escalation:inbox"), reverse("escalation:chains"), *pages(raised)]:
        assert client.get(url).status_code == 403, url
    assert not permissions.visible_escalations(commissioner).exists()


def test_another_providers_people_cannot_find_it(client, sign_in, raised, outsider):
    sign_in(outsider)
    for url in pages(raised):
        assert client.get(url).status_code == 404, url
    inbox = client.get(reverse("escalation:inbox"))
    assert not inbox.context["page"].object_list
    assert reverse("escalation:detail", args=[raised.pk]) not in inbox.text
    post = client.post(reverse("escalation:acknowledge", args=[raised.pk]))
    assert post.status_code == 404
    raised.refresh_from_db()
    assert raised.state == "raised"


def test_service_staff_see_their_services_cases_but_not_others(client, people, raised, birch_lodge):
    birch_carer = person_with_role(Role.SENIOR_CARER_LATE, service=birch_lodge, username="birch-carer")
    assert permissions.visible_chain_runs(people.senior_carer).filter(pk=raised.chain_run_id).exists()
    assert not permissions.visible_chain_runs(birch_carer).exists()
    client.force_login(birch_carer)
    assert client.get(reverse("escalation:detail", args=[raised.pk])).status_code == 404


def test_a_person_without_the_step_role_cannot_record_it(client, sign_in, chain_a, people):
    url = reverse("escalation:step_run", args=[step(chain_a, "A2").pk])
    sign_in(people.operations_director)
    page = client.get(url)
    assert (
        page.status_code == 200
        and f"Only the Governance Officer for Oakwood Care Group ({people.governance_officer}) can record "
        "this check."
        in page.text
    )
    response = client.post(
        url, {"pct_received_within_4h": "50", "sampled_with_named_owner": "1", "sampled_due_within_72h": "1"}
    )
    assert response.status_code == 403
    assert not step(chain_a, "A2").records.exists()


def test_only_the_people_told_the_target_role_or_the_ni_can_act(client, raised, people):
    client.force_login(people.clinical_lead)  # sees Elm House's case, but was not told
    page = client.get(reverse("escalation:detail", args=[raised.pk]))
    said = f"Only the Operations Director ({people.operations_director}) or Nominated Individual"
    assert page.status_code == 200 and said in page.text
    response = client.post(reverse("escalation:acknowledge", args=[raised.pk]))
    assert response.status_code == 403 and said in response.text


def test_only_a_provider_administrator_tunes_steps(client, sign_in, people, chains):
    url = reverse("escalation:tune_step", args=["A2"])
    sign_in(people.quality_director)
    assert client.get(url).status_code == 403
    sign_in(people.administrator)
    assert client.get(url).status_code == 200
