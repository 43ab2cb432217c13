"""Who may see and do what in chain C, built only on providers.permissions (the one permission module).

Updates are provider-wide documents: provider-level staff of the provider see them. Commissioners
see only the ready packs a release issued to their own organisation, which hold only its services.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from providers import permissions
from providers.choices import ROLE_SCOPE, Role, Scope
from providers.models import Provider

from .choices import PackStatus, UpdateStatus
from .models import EvidencePack, IssueHold, ReportingUpdate

# Read updates: every provider-level staff role (updates are provider-wide documents).
READERS = tuple(
    role for role, scope in ROLE_SCOPE.items() if scope == Scope.PROVIDER and role != Role.COMMISSIONER
)
# Plan updates and write their lines.
EDITORS = (
    Role.COMPLIANCE_MANAGER,
    Role.PROVIDER_DIRECTOR,
    Role.NOMINATED_INDIVIDUAL,
    Role.OPERATIONS_DIRECTOR,
)
# Freeze or defer a line, and place an issue hold (C1 freezes, C4 holds).
HOLD_PLACERS = EDITORS
# Lift a hold, clear a line at challenge, release the update (C5 sign-off).
SIGNERS = (Role.PROVIDER_DIRECTOR, Role.NOMINATED_INDIVIDUAL)


def _provider_level_ids(user, roles=None) -> set[int]:
    return {
        a.provider_id
        for a in permissions.staff_assignments(user)
        if not a.region_id and not a.service_id and (roles is None or a.role in roles)
    }


def providers_for(user, roles=None) -> QuerySet[Provider]:
    """Providers where the person holds a provider-level staff role (optionally one of `roles`)."""
    return Provider.objects.filter(pk__in=_provider_level_ids(user, roles))


def visible_updates(user) -> QuerySet[ReportingUpdate]:
    """Updates of the providers where the person holds a provider-level staff role."""
    return ReportingUpdate.objects.filter(provider_id__in=_provider_level_ids(user))


def can(user, roles, provider: Provider) -> bool:
    return permissions.holds_any_role(user, roles, provider=provider)


def require(user, roles, provider: Provider) -> None:
    """403 unless the person holds one of the roles for the provider (of the update)."""
    permissions.require(can(user, roles, provider))


def require_visible(user, update: ReportingUpdate) -> None:
    """403 unless the person is provider-level staff of the update's provider."""
    permissions.require(update.provider_id in _provider_level_ids(user))


def commissioner_packs(user) -> QuerySet[EvidencePack]:
    """Ready packs a release issued to an organisation the person acts for as Commissioner, at the
    update's provider: never another commissioner's pack, the provider's own, a draft or a held one."""
    reach = [
        Q(commissioner_id=a.commissioner_id, update__provider_id=a.provider_id)
        for a in permissions.commissioner_assignments(user)
    ]
    if not reach:
        return EvidencePack.objects.none()
    return (
        EvidencePack.objects.filter(
            reduce(or_, reach),
            status=PackStatus.READY,
            for_release=True,
            update__status=UpdateStatus.RELEASED,
        )
        # Belt and braces: a released update cannot be held, but a held one must never be shown.
        .exclude(update__in=IssueHold.objects.filter(lifted_at__isnull=True).values("update"))
    )
