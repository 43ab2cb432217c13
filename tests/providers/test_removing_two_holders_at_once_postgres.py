"""Two administrators each remove one of a role's two holders at the same moment: one removal goes
through, the other is refused with the reason the page gives (never a deadlock a person would see as a
server error), and one holder keeps the role.

PostgreSQL only (see tests/concurrency.py).
"""

from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from providers import services
from providers.choices import Role
from providers.models import RoleAssignment
from tests.concurrency import postgresql_only, submit_at_once
from tests.factories import person_with_role

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

# Each story is run this often: a deadlock needs both removals to lock their own row before either
# locks the other's, which one try may miss.
TRIES = 5


# What an administrator whose own role went a moment before is told (a 403 page, not a server error).
NOT_ADMINISTRATOR = "No longer an administrator"


def remove_at_once(removals):
    """Submit `(role assignment, administrator)` removals together; what was refused, and why."""
    turn = count()

    def remove():
        assignment, by = removals[next(turn)]
        try:
            services.remove_role(
                RoleAssignment.objects.get(pk=assignment.pk), by=by, reason="Left the provider"
            )
        except PermissionDenied as refused:
            raise ValidationError(NOT_ADMINISTRATOR) from refused

    accepted, refused = submit_at_once(remove, times=len(removals))
    assert len(accepted) == 1, refused
    return refused


@pytest.mark.parametrize("attempt", range(TRIES))
def test_removing_a_roles_two_holders_at_once_keeps_one(provider, attempt):
    first_admin = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    second_admin = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    leads = [person_with_role(Role.RESIDENT_EXPERIENCE_LEAD, provider=provider) for _ in range(2)]
    [refused] = remove_at_once(
        [(leads[0].role_assignments.get(), first_admin), (leads[1].role_assignments.get(), second_admin)]
    )
    assert "is the only Resident Experience Lead at Oakwood Care Group" in refused
    assert RoleAssignment.objects.filter(role=Role.RESIDENT_EXPERIENCE_LEAD).count() == 1


@pytest.mark.parametrize("attempt", range(TRIES))
def test_two_administrators_removing_each_other_keep_one_administrator(provider, attempt):
    first_admin = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    second_admin = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    [refused] = remove_at_once(
        [
            (second_admin.role_assignments.get(), first_admin),
            (first_admin.role_assignments.get(), second_admin),
        ]
    )
    assert "last provider administrator" in refused or refused == NOT_ADMINISTRATOR
    assert RoleAssignment.objects.filter(role=Role.PROVIDER_ADMINISTRATOR).count() == 1
