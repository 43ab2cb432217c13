"""A count over a person's scope (the header's unread escalations) is compiled to SQL once for the
roles they hold, and every count is a fresh query: rows added or removed show at once, a role given
or removed counts over the scope as it then stands, and outside a request nothing is kept."""

import pytest

from providers import permissions
from providers.choices import Role
from providers.models import Service
from tests.factories import ServiceFactory, give_role
from tests.per_request import in_a_request, queries_compiled

pytestmark = pytest.mark.django_db


def services_compiled(work) -> int:
    return queries_compiled(Service, work)


def _services_counted(user):
    return permissions.counted_once(user, "services", lambda: permissions.visible_services(user))


def test_the_count_is_compiled_once_for_the_roles_held(registered_manager, elm_house):
    count = lambda: in_a_request(lambda: _services_counted(registered_manager))  # noqa: E731
    assert services_compiled(count) == 1
    assert services_compiled(count) == 0  # the next request, with the same roles
    assert count() == 1


def test_every_count_is_a_fresh_query_over_the_scope_as_it_stands(registered_manager, elm_house, birch_lodge):
    count = lambda: in_a_request(lambda: _services_counted(registered_manager))  # noqa: E731
    assert count() == 1
    given = give_role(registered_manager, Role.DEPUTY_REGIONAL_MANAGER, region=elm_house.region)
    regional = Service.objects.filter(region=elm_house.region).count()
    assert count() == regional
    ServiceFactory(region=elm_house.region)  # a new service in the region counts at once
    assert count() == regional + 1
    given.delete()
    assert count() == 1


def test_a_role_tried_alone_counts_its_own_scope(registered_manager, elm_house, birch_lodge):
    alone = give_role(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge)

    def work():
        both = _services_counted(registered_manager)
        with permissions.holding_only(alone):
            only = _services_counted(registered_manager)
        return both, only

    assert in_a_request(work) == (2, 1)


def test_outside_a_request_the_count_is_compiled_every_time(registered_manager, elm_house):
    def count_twice():
        assert _services_counted(registered_manager) == 1
        assert _services_counted(registered_manager) == 1

    assert services_compiled(count_twice) == 2
