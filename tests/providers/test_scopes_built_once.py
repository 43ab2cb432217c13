"""A person's scope (a queryset over their roles) is built once for the roles they hold, and each use is
a fresh query: no page sees another use's results, the next request with the same roles reuses it, a
role given or removed builds it anew from the roles as they stand, a role tried alone gets a scope of
its own, and outside a request nothing is kept."""

import pytest

from providers import permissions
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import give_role
from tests.per_request import in_a_request

pytestmark = pytest.mark.django_db


def _counted(user, builds):
    def build():
        builds.append(user.pk)
        return permissions.visible_services(user)

    return build


def test_a_scope_is_built_once_for_the_roles_held_and_every_use_is_a_fresh_query(
    registered_manager, elm_house
):
    builds = []

    def work():
        first = permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
        assert list(first) == [elm_house]
        second = permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
        assert second is not first and second._result_cache is None  # its own query, not the results
        assert list(second) == [elm_house]

    in_a_request(work)
    assert len(builds) == 1
    in_a_request(work)  # the next request reads the roles again: the same roles, the same scope
    assert len(builds) == 1


def test_a_role_given_or_removed_works_from_the_next_request(registered_manager, elm_house, birch_lodge):
    builds = []

    def services():
        scope = permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
        return set(scope)

    assert in_a_request(services) == {elm_house}
    given = give_role(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge)
    assert in_a_request(services) == {elm_house, birch_lodge}
    given.delete()
    assert in_a_request(services) == {elm_house}
    assert len(builds) == 2  # the roles of the first request came back: their scope was kept


def test_a_role_tried_alone_gets_its_own_scope(registered_manager, elm_house, birch_lodge):
    give_role(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge)
    builds = []

    def work():
        scope = permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
        assert set(scope) == {elm_house, birch_lodge}
        alone = RoleAssignment.objects.get(user=registered_manager, role=Role.CLINICAL_LEAD)
        with permissions.holding_only(alone):
            scope = permissions.built_once(
                registered_manager, "services", _counted(registered_manager, builds)
            )
            assert list(scope) == [birch_lodge]
        scope = permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
        assert set(scope) == {elm_house, birch_lodge}

    in_a_request(work)
    assert len(builds) == 2


def test_outside_a_request_a_scope_is_built_every_time(registered_manager, elm_house):
    builds = []
    for _ in range(2):
        permissions.built_once(registered_manager, "services", _counted(registered_manager, builds))
    assert len(builds) == 2


def test_colleagues_are_read_once_a_request_and_a_role_given_is_named_from_the_next(
    django_assert_num_queries, quality_director, registered_manager, elm_house
):
    """A page splitting several lists names colleagues from one read of the provider's roles."""
    from providers.who_acts import Colleagues

    def colleagues_read_twice():
        first = Colleagues(quality_director)._index()
        second = Colleagues(quality_director)._index()
        return first, second

    with django_assert_num_queries(2):  # the viewer's own roles, then the colleagues' index
        first, second = in_a_request(colleagues_read_twice)
    assert first == second
    assert registered_manager.role_assignments.get().pk in {colleague.pk for colleague in first}
    clinical = give_role(quality_director, Role.CLINICAL_LEAD, service=elm_house)
    first, _ = in_a_request(colleagues_read_twice)
    assert clinical.pk in {colleague.pk for colleague in first}
