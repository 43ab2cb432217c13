"""One place that answers "may this person see / do this to this object".

Every view scopes its querysets through these functions. A person's rights come only from their
RoleAssignments: provider-level roles see the whole provider, regional roles their region's services,
service roles their service. Commissioners are outsiders: they see released evidence packs of the
services they commission and nothing else, so staff functions here ignore commissioner assignments.
"""

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .choices import Role
from .models import Provider, RoleAssignment, Service, User

STAFF_ROLES = [role for role in Role if role != Role.COMMISSIONER]


def assignments(user) -> list[RoleAssignment]:
    """The person's role assignments, loaded once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("region", "service"))
        user._role_assignments_cache = cached
    return cached


def staff_assignments(user) -> list[RoleAssignment]:
    return [a for a in assignments(user) if a.role != Role.COMMISSIONER]


def roles_held(user) -> list[str]:
    """Distinct roles the person holds, most senior first (the order of Role)."""
    held = {a.role for a in assignments(user)}
    return [role.value for role in Role if role.value in held]


def is_commissioner(user) -> bool:
    return bool(commissioner_assignments(user))


def is_provider_staff(user) -> bool:
    return bool(staff_assignments(user))


def _scope_filter(user, roles: Iterable[str] | None = None) -> Q | None:
    """A Service filter covering every service reached by the person's staff roles (or some of them)."""
    wanted = set(roles) if roles is not None else None
    condition = None
    for a in staff_assignments(user):
        if wanted is not None and a.role not in wanted:
            continue
        if a.service_id:
            part = Q(pk=a.service_id)
        elif a.region_id:
            part = Q(region_id=a.region_id)
        else:
            part = Q(provider_id=a.provider_id)
        condition = part if condition is None else condition | part
    return condition


def visible_services(user, roles: Iterable[str] | None = None) -> QuerySet[Service]:
    """Services the person may see as provider staff (optionally only through some of their roles)."""
    condition = _scope_filter(user, roles)
    if condition is None:
        return Service.objects.none()
    return Service.objects.filter(condition)


def visible_providers(user) -> QuerySet[Provider]:
    """Providers the person works for (commissioners work for none)."""
    return Provider.objects.filter(pk__in={a.provider_id for a in staff_assignments(user)})


def commissioner_assignments(user) -> list[RoleAssignment]:
    """The person's Commissioner roles: each names an organisation and the provider it is held at."""
    return [a for a in assignments(user) if a.role == Role.COMMISSIONER]


def commissioned_services(user) -> QuerySet[Service]:
    """Services commissioned by the organisations the person acts for, at the providers where they
    hold the role; empty for everyone else."""
    condition = None
    for a in commissioner_assignments(user):
        part = Q(provider_id=a.provider_id, commissioners=a.commissioner_id)
        condition = part if condition is None else condition | part
    if condition is None:
        return Service.objects.none()
    return Service.objects.filter(condition).distinct()


def holds_role(user, role: str, *, service: Service | None = None, provider: Provider | None = None) -> bool:
    """Whether the person holds `role` for this service (directly, through its region or provider),
    or, with only `provider`, anywhere in that provider."""
    for a in assignments(user):
        if a.role != role:
            continue
        if service is not None:
            if a.service_id == service.pk or a.region_id == service.region_id and not a.service_id:
                return True
            if not a.service_id and not a.region_id and a.provider_id == service.provider_id:
                return True
        elif provider is not None and a.provider_id == provider.pk or service is None and provider is None:
            return True
    return False


def holds_any_role(user, roles: Iterable[str], **scope) -> bool:
    return any(holds_role(user, role, **scope) for role in roles)


def people_holding(role: str, service: Service | None = None, provider: Provider | None = None) -> list[User]:
    """The named people holding `role` closest to the service: the service, then its region, then the
    provider. Empty when nobody holds it (a role gap the caller must handle)."""
    provider_id = service.provider_id if service is not None else provider.pk
    rows = list(
        RoleAssignment.objects.filter(role=role, provider_id=provider_id, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    if service is None:
        return closest_holders(rows)
    return closest_holders(rows, service_id=service.pk, region_id=service.region_id)


def closest_holders(assignments, service_id: int | None = None, region_id: int | None = None) -> list[User]:
    """From one role's assignments in one provider, the people closest to a service: those at the
    service, else those for its region, else those for the whole provider."""
    if service_id is not None:
        for matches in (
            lambda a: a.service_id == service_id,
            lambda a: a.region_id == region_id and not a.service_id,
        ):
            found = [a.user for a in assignments if matches(a)]
            if found:
                return found
    return [a.user for a in assignments if not a.service_id and not a.region_id]


def can_view_service(user, service: Service) -> bool:
    return visible_services(user).filter(pk=service.pk).exists()


def require(condition: bool) -> None:
    """Raise 403 unless the condition holds; views call this after loading an object."""
    if not condition:
        raise PermissionDenied


@rules.predicate
def _is_staff_of_service(user, service):
    return service is not None and can_view_service(user, service)


@rules.predicate
def _is_provider_administrator(user, provider):
    return provider is not None and holds_role(user, Role.PROVIDER_ADMINISTRATOR, provider=provider)


rules.add_perm("providers.view_service", _is_staff_of_service)
rules.add_perm("providers.administer_provider", _is_provider_administrator)
