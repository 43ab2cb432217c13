"""When nobody holds the target role, the Nominated Individual is told and the gap is flagged."""

import pytest

from escalation import engine, recipients
from escalation.models import EngineEvent
from providers.choices import Role
from providers.models import RoleAssignment
from providers.permissions import people_holding
from tests.factories import UserFactory, person_with_role

from .conftest import at

pytestmark = pytest.mark.django_db


def test_nobody_holds_the_target_role_so_the_nominated_individual_is_told(chain_a, nominated_individual):
    # Oakwood has a Nominated Individual but no Operations Director, A1's escalation target.
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    assert (escalation.target_role, escalation.role_gap) == ("operations_director", True)
    assert [n.user for n in escalation.notifications.all()] == [nominated_individual]
    event = EngineEvent.objects.get(escalation=escalation)
    assert event.message.startswith("Nobody holds Operations Director: told the Nominated Individual")


def test_nobody_at_all_is_recorded_as_an_event(chain_a):
    [escalation] = engine.tick(at(23, 10, 1)).overdue
    assert escalation.role_gap is True and not escalation.notifications.exists()
    assert EngineEvent.objects.filter(kind="nobody_to_tell", escalation=escalation).exists()


def test_the_closest_holder_is_told_service_then_region_then_provider(
    provider, north, elm_house, birch_lodge
):
    group_manager = UserFactory(username="group-rm")
    RoleAssignment.objects.create(user=group_manager, role=Role.REGISTERED_MANAGER, provider=provider)
    elm_manager = person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="elm-rm")
    northern_on_call = UserFactory(username="north-oncall")
    RoleAssignment.objects.create(
        user=northern_on_call, role=Role.ON_CALL_MANAGER, provider=provider, region=north
    )
    directory = recipients.RoleDirectory([provider.pk], [Role.REGISTERED_MANAGER, Role.ON_CALL_MANAGER])

    def holding(role, service):
        return directory.holding(recipients.Target(role, provider.pk, service.pk, service.region_id))

    assert holding(Role.REGISTERED_MANAGER, elm_house) == [elm_manager]
    assert holding(Role.REGISTERED_MANAGER, birch_lodge) == [group_manager]
    assert holding(Role.ON_CALL_MANAGER, elm_house) == [northern_on_call]
    for role in (Role.REGISTERED_MANAGER, Role.ON_CALL_MANAGER):
        for service in (elm_house, birch_lodge):
            assert holding(role, service) == people_holding(role, service=service), (
                "same answer as permissions"
            )


def test_the_ladder_ends_at_the_nominated_individual():
    assert recipients.next_role(Role.OPERATIONS_DIRECTOR) == Role.PROVIDER_DIRECTOR
    assert recipients.next_role(Role.PROVIDER_DIRECTOR) == Role.NOMINATED_INDIVIDUAL
    assert recipients.next_role(Role.NOMINATED_INDIVIDUAL) is None
