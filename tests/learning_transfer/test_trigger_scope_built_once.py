"""The triggers a person can see are a scope built once for the roles they hold: the register and
every trigger page reuse it, and a role given or removed builds it anew from the next request."""

from unittest import mock

import pytest

from learning_transfer import permissions
from providers.choices import Role
from tests.factories import give_role
from tests.per_request import in_a_request

pytestmark = pytest.mark.django_db


def test_the_triggers_a_person_sees_are_built_once_for_their_roles(
    log_falls_trigger, falls_provider, registered_manager, birch_lodge
):
    trigger = log_falls_trigger()  # at Elm House, the registered manager's service
    seen = lambda: set(in_a_request(lambda: permissions.visible_triggers(registered_manager)))  # noqa: E731
    with mock.patch.object(permissions, "_visible_triggers", wraps=permissions._visible_triggers) as built:
        assert seen() == {trigger}
        assert seen() == {trigger}
        assert built.call_count == 1
        elsewhere = log_falls_trigger(source_service=birch_lodge, title="Another fall")
        assert seen() == {trigger}  # a new trigger out of reach stays out of sight
        given = give_role(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge)
        assert seen() == {trigger, elsewhere}
        assert built.call_count == 2
        given.delete()
        assert seen() == {trigger}
