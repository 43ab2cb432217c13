"""A page not about one object asks at which of the person's providers they may do something: the
answer comes from the roles already read for the request, with no query of its own, and is the same
as asking each provider they work for, in name order."""

import pytest

from providers import permissions
from providers.choices import Role
from tests.factories import ProviderFactory, RegionFactory, ServiceFactory, give_role
from tests.per_request import in_a_request

pytestmark = pytest.mark.django_db


def test_the_providers_where_a_person_may_act_come_from_their_roles_without_a_query(
    django_assert_num_queries, quality_director, provider
):
    # Quality director of two more providers (one named to sort first, one in lower case), and a
    # registered manager at a fourth, where logging a serious failure is not theirs to do.
    early = ProviderFactory(name="Acorn Homes")
    lower = ProviderFactory(name="birchwood care")
    give_role(quality_director, Role.QUALITY_DIRECTOR, provider=early)
    give_role(quality_director, Role.QUALITY_DIRECTOR, provider=lower)
    elsewhere = ServiceFactory(region=RegionFactory())
    give_role(quality_director, Role.REGISTERED_MANAGER, service=elsewhere)

    def ask():
        permissions.assignments(quality_director)  # the roles, read once as every page does
        with django_assert_num_queries(0):
            return permissions.providers_where(quality_director, "learning_transfer.log_trigger")

    assert in_a_request(ask) == [early, lower, provider]
    asked_each = [
        p
        for p in permissions.visible_providers(quality_director)
        if quality_director.has_perm("learning_transfer.log_trigger", p)
    ]
    assert set(asked_each) == {early, lower, provider}


def test_a_person_without_the_permission_anywhere_gets_no_provider(registered_manager):
    assert (
        in_a_request(lambda: permissions.providers_where(registered_manager, "learning_transfer.log_trigger"))
        == []
    )
