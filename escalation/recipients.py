"""Who is told: a target role resolved to named people, in bulk, and the ladder for follow-ups.

`providers.permissions.people_holding` answers for one role and service with one query. The engine
resolves hundreds of escalations per tick, so this module loads every relevant RoleAssignment in one
query and applies the same rule in memory: the people holding the role at the service, else in its
region, else for the provider. A test checks both answers agree.
"""

from collections import defaultdict
from dataclasses import dataclass

from providers.choices import Role
from providers.models import RoleAssignment
from providers.permissions import closest_holders

# Unacknowledged escalations climb this ladder, one rung per follow-up.
LADDER = [Role.PROVIDER_DIRECTOR, Role.NOMINATED_INDIVIDUAL]


def next_role(role: str) -> str | None:
    """The role a follow-up goes to: the next rung above `role`, or None at the top."""
    if role in LADDER:
        position = LADDER.index(role)
        return LADDER[position + 1] if position + 1 < len(LADDER) else None
    return LADDER[0]


@dataclass(frozen=True)
class Target:
    """Where to look for a role: a provider and, optionally, one service (with its region) or one
    region."""

    role: str
    provider_id: int
    service_id: int | None = None
    region_id: int | None = None


def target(role: str, provider_id: int, service_id=None, service_region_id=None, region_id=None) -> Target:
    """Where to look for `role` on an escalation: a step run once per region (A4) looks in its own
    region, then the provider, never at the case's service, which may lie in another region; any other
    at the case's (or affected) service, its region, then the provider."""
    if region_id is not None:
        return Target(role, provider_id, None, region_id)
    return Target(role, provider_id, service_id, service_region_id)


@dataclass(frozen=True)
class Resolved:
    """The people told, and whether the role was a gap (so the Nominated Individual was told)."""

    people: list
    role_gap: bool


class RoleDirectory:
    """Role holders of some providers, loaded with one query, answering like `people_holding`.

    The holders are indexed by service, so finding a service's people looks at that service's own
    holders and the few held for a region or the whole provider, not at every holder of the role;
    and each target is resolved once, however many escalations go to it.
    """

    def __init__(self, provider_ids, roles):
        wanted = set(roles) | {Role.NOMINATED_INDIVIDUAL}
        rows = (
            RoleAssignment.objects.filter(
                provider_id__in=set(provider_ids), role__in=wanted, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self._at_service = defaultdict(list)  # (provider, role, service): holders at that service
        self._wider = defaultdict(list)  # (provider, role): holders for a region or the whole provider
        for row in rows:
            if row.service_id is not None:
                self._at_service[(row.provider_id, row.role, row.service_id)].append(row)
            else:
                self._wider[(row.provider_id, row.role)].append(row)
        self._resolved = {}

    def holding(self, target: Target) -> list:
        """The people holding the target role closest to its service (as `people_holding` answers)."""
        rows = self._wider.get((target.provider_id, target.role), [])
        if target.service_id is not None:
            rows = self._at_service.get((target.provider_id, target.role, target.service_id), []) + rows
        return closest_holders(rows, service_id=target.service_id, region_id=target.region_id)

    def resolve(self, target: Target) -> Resolved:
        """The target role's people; when nobody holds it, the provider's Nominated Individual (a gap)."""
        if target not in self._resolved:
            self._resolved[target] = self._resolve(target)
        return self._resolved[target]

    def _resolve(self, target: Target) -> Resolved:
        people = self.holding(target)
        if people:
            return Resolved(people, role_gap=False)
        fallback = Target(Role.NOMINATED_INDIVIDUAL, target.provider_id)
        return Resolved(self.holding(fallback), role_gap=True)
