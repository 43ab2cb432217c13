"""Who may own the learning's local work at a matched service: its implementation lead, its notice's
named owner, and the owners of its implementation lines.

They are the people holding a staff role now at the service itself, or a regional role for the
service's region (the Deputy Regional Manager, who steps in where a home has no manager). Provider-wide
roles are never offered: each of them checks or escalates this very work (the Quality Director
matches, the Governance Officer samples the notices, the Operations Director counts services without
a lead, the Compliance Manager and Provider Director take the escalations, the Nominated Individual
assures the board), and a director named as "lead" at a home would make a service look led when
nobody there leads it. The pick-lists offer exactly these people and the actions refuse anyone else.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from providers.choices import Role, label_of
from providers.models import RoleAssignment, Service, User

from .common import refuse


def local_assignments(service: Service) -> QuerySet[RoleAssignment]:
    """The staff roles held now, by active people, at the service or for its region."""
    return RoleAssignment.objects.filter(
        Q(service_id=service.pk) | Q(region_id=service.region_id, service__isnull=True),
        provider_id=service.provider_id,
        user__is_active=True,
    ).exclude(role=Role.COMMISSIONER)


@dataclass(frozen=True)
class LocalPerson:
    """One choice of a pick-list: the person, and the roles that make them local, in words."""

    person: User
    label: str
    at_service: bool


def _sort_name(person: User) -> tuple:
    return (person.last_name.casefold(), person.first_name.casefold(), person.username)


def local_people(service: Service) -> list[LocalPerson]:
    """Everyone who may own local work at the service, its own people first, then the region's, each
    by surname, labelled "Name — Role, Service" (or "Role, Region (region)"). One query."""
    rows = local_assignments(service).select_related("user", "region")
    held: dict[int, list[RoleAssignment]] = {}
    for row in rows:
        held.setdefault(row.user_id, []).append(row)
    people = [_local_person(service, assignments) for assignments in held.values()]
    return sorted(people, key=lambda p: (not p.at_service, *_sort_name(p.person)))


def _local_person(service: Service, assignments: list[RoleAssignment]) -> LocalPerson:
    person = assignments[0].user
    order = list(Role.values)  # most senior first, as the Role choices list them
    at_service = sorted((a.role for a in assignments if a.service_id), key=order.index)
    regional = [a for a in assignments if not a.service_id]
    places = []
    if at_service:
        places.append(f"{_roles_in_words(at_service)}, {service.name}")
    if regional:
        roles = sorted((a.role for a in regional), key=order.index)
        places.append(f"{_roles_in_words(roles)}, {regional[0].region.name} (region)")
    name = person.get_full_name() or person.username
    return LocalPerson(person=person, label=f"{name} — {'; '.join(places)}", at_service=bool(at_service))


def _roles_in_words(roles: list[str]) -> str:
    labels = [label_of(Role, role) for role in roles]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def registered_manager_now(service: Service) -> User | None:
    """The service's registered manager on record, if they still hold that role there now (by the
    pick-lists' rule, `local_assignments`); None when no one is on record or their role has ended, so a
    person who left the post is never made an owner nor told as its manager."""
    person = service.registered_manager
    if person is None:
        return None
    holds = local_assignments(service).filter(
        user_id=person.pk, role=Role.REGISTERED_MANAGER, service_id=service.pk
    )
    return person if holds.exists() else None


def check_local_person(person, service: Service, field: str) -> None:
    """Refuse `person` as a lead or owner at `service` unless they hold a role there or for its
    region (the same people `local_people` offers), with the reason on the form's `field`."""
    if person is None:
        return
    if not local_assignments(service).filter(user_id=person.pk).exists():
        name = person.get_full_name() or person.username
        refuse(
            f"{name} does not work at {service.name}: they hold no role there or in its region. "
            "Choose one of the service's own people or its region's.",
            field,
        )
