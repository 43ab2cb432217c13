"""Found: a Deputy Regional Manager given the Compliance Manager role as cover acknowledged and resolved
the escalation about her own overdue A4 ("Not needed; North West is fine"), and a governance officer
also made an administrator loosened his own step A2 from 100 % to 50 % with the reason "ok".

Nobody acts on an escalation about a step they record, whatever other role they hold (the Nominated
Individual, accountable for everything, excepted), and nobody tunes how a step they record is judged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalation import engine, services
from escalation.models import StepTemplate
from providers.choices import Role
from providers.who_acts import refusal
from tests.factories import give_role

from .conftest import at

pytestmark = pytest.mark.django_db

ACT = ("acknowledge_escalation", "record_escalation_action", "resolve_escalation")


@pytest.fixture
def overdue_a2(chain_a, people):
    """A2 (the governance officer's) fell overdue: the Quality Director is told."""
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    return escalation


def test_who_records_the_step_cannot_act_on_its_escalation_through_another_role(overdue_a2, people, provider):
    recorder = people.governance_officer
    give_role(recorder, Role.QUALITY_DIRECTOR, provider=provider)  # cover for the Quality Director
    for perm in ACT:
        assert not recorder.has_perm(f"escalation.{perm}", overdue_a2)
        assert people.quality_director.has_perm(f"escalation.{perm}", overdue_a2)
    with pytest.raises(PermissionDenied):
        services.acknowledge(overdue_a2, by=recorder, now=at(23, 10, 30))
    said = refusal(recorder, "escalation.acknowledge_escalation", overdue_a2)
    assert str(people.quality_director) in said and str(recorder) not in said


def test_the_nominated_individual_still_acts_on_any(overdue_a2, people, provider):
    give_role(people.nominated_individual, Role.GOVERNANCE_OFFICER, provider=provider)
    assert people.nominated_individual.has_perm("escalation.acknowledge_escalation", overdue_a2)


def test_an_administrator_cannot_tune_a_step_they_record(chains, people, provider):
    give_role(people.governance_officer, Role.PROVIDER_ADMINISTRATOR, provider=provider)
    a2 = StepTemplate.objects.get(code="A2")
    with pytest.raises(ValidationError) as refused:
        services.tune_step(provider, a2, by=people.governance_officer, reason="ok", response_working_hours=8)
    assert refused.value.messages == [
        "You record this step (A2) as Governance Officer: another administrator changes how it is judged, "
        "so nobody sets the bar for their own work."
    ]
    services.tune_step(provider, a2, by=people.administrator, reason="Agreed", response_working_hours=8)
