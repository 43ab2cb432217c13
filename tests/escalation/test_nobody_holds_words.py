"""Where nobody holds the role that does a piece of work, every escalation page says so in the one
sentence naming the place and the role (providers.who_acts.nobody_holds), never the older "Nobody
holds a role that can do this yet": the step page, the case page, an escalation's page and the lists
of escalations others act on."""

import pytest
from django.urls import reverse

from escalation import engine, services
from escalation.models import Escalation
from providers.models import RoleAssignment

from .conftest import at, step

pytestmark = pytest.mark.django_db

NO_CLINICAL_LEAD = "Nobody at Elm House holds the Clinical Lead role yet: ask your provider administrator"
NO_QUALITY_DIRECTOR = (  # a provider-wide role is said for the provider
    "Nobody at Oakwood Care Group holds the Quality Director role yet: ask your provider administrator"
)
GENERIC = "Nobody holds a role that can"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject):
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


@pytest.fixture
def no_clinical_lead(people):
    RoleAssignment.objects.filter(user=people.clinical_lead).delete()


@pytest.fixture
def a2_with_nobody_to_act(chain_a, people, now):
    """A2 overdue when nobody holds the Quality Director or Nominated Individual role."""
    RoleAssignment.objects.filter(user__in=[people.quality_director, people.nominated_individual]).delete()
    engine.tick(at(23, 10, 19))
    return Escalation.objects.get(step_run__code="A2")


def test_the_step_page_names_the_role_and_the_service_nobody_holds(
    client, sign_in, chain_b, people, no_clinical_lead, now
):
    sign_in(people.registered_manager)
    page = client.get(reverse("escalation:step_run", args=[step(chain_b, "B2").pk])).text
    assert f"{NO_CLINICAL_LEAD}." in page
    assert GENERIC not in page


def test_the_case_page_names_the_role_and_the_service_nobody_holds(
    client, sign_in, chain_b, people, no_clinical_lead, now
):
    sign_in(people.registered_manager)
    page = client.get(reverse("escalation:chain_run", args=[chain_b.pk])).text
    assert NO_CLINICAL_LEAD in page
    assert "To be recorded by Nobody" not in page and GENERIC not in page


def test_an_escalation_nobody_can_act_on_names_its_role_and_place(
    client, sign_in, a2_with_nobody_to_act, people
):
    sign_in(people.registered_manager)
    page = client.get(reverse("escalation:detail", args=[a2_with_nobody_to_act.pk])).text
    assert f"{NO_QUALITY_DIRECTOR}." in page
    assert GENERIC not in page


def test_the_list_of_escalations_others_act_on_names_the_role_nobody_holds(
    client, sign_in, a2_with_nobody_to_act, people
):
    sign_in(people.registered_manager)
    page = client.get(reverse("escalation:inbox"), {"show": "services"}).text
    assert NO_QUALITY_DIRECTOR in page
    assert "To be acted on by Nobody" not in page and GENERIC not in page
