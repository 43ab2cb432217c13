"""Who may see and do what in chain C: every rule of access of the app, in one table.

Updates are provider-wide documents: only provider-level staff of the update's provider, holding the
role now, see or act on them (providers.permissions). Commissioners see only the ready packs a release
issued to their own organisation, which hold only its services (`commissioner_packs`).
"""

from functools import reduce
from operator import or_

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

from escalation.permissions import register_subject_readers
from providers.choices import ROLE_SCOPE, Role, Scope
from providers.models import Service
from providers.permissions import WORK_ROLES, commissioner_assignments, holds, provider_level_ids, register

from .choices import PackStatus, UpdateStatus
from .models import EvidencePack, IssueHold, ReportingUpdate

# Read updates: every provider-level staff role (updates are provider-wide documents).
READERS = tuple(
    role for role, scope in ROLE_SCOPE.items() if scope == Scope.PROVIDER and role != Role.COMMISSIONER
)
# Plan updates, write their lines and run the evidence check (C1).
EDITORS = (
    Role.COMPLIANCE_MANAGER,
    Role.PROVIDER_DIRECTOR,
    Role.NOMINATED_INDIVIDUAL,
    Role.OPERATIONS_DIRECTOR,
)
# Freeze, defer or reopen a line, and place an issue hold (C1 freezes, C4 holds).
HOLD_PLACERS = EDITORS
# Lift a hold, clear a line at challenge, release the update (C5 sign-off).
SIGNERS = (Role.PROVIDER_DIRECTOR, Role.NOMINATED_INDIVIDUAL)


@rules.predicate
def commissions_a_service_of_the_pack(user, pack):
    return pack is not None and commissioner_packs(user).filter(pk=pack.pk).exists()


# permission: (predicate, who may, in one line). Objects: a Provider for pages not about one object.
PERMISSIONS = {
    "reporting_control.read_updates": (
        holds(*READERS),
        "Provider-level staff of the provider read its updates.",
    ),
    "reporting_control.view_update": (
        holds(*READERS, at="provider"),
        "Provider-level staff of the update's provider.",
    ),
    "reporting_control.plan_update": (
        holds(*EDITORS),
        "Only the compliance manager, operations or provider director, or nominated individual.",
    ),
    "reporting_control.edit_update": (
        holds(*EDITORS, at="provider"),
        "Only the compliance manager, operations or provider director, or nominated individual.",
    ),
    "reporting_control.check_evidence": (
        holds(*EDITORS, at="provider"),
        "Only the compliance manager, operations or provider director, or nominated individual.",
    ),
    "reporting_control.withhold_line": (
        holds(*HOLD_PLACERS, at="update.provider"),
        "Only the compliance manager, operations or provider director, or nominated individual.",
    ),
    "reporting_control.clear_line": (
        holds(*SIGNERS, at="update.provider"),
        "Only the provider director or nominated individual clears a line at challenge.",
    ),
    "reporting_control.place_hold": (
        holds(*HOLD_PLACERS, at="provider"),
        "Only the compliance manager, operations or provider director, or nominated individual.",
    ),
    "reporting_control.lift_hold": (
        holds(*SIGNERS, at="provider"),
        "Only the provider director or nominated individual lifts an issue hold.",
    ),
    "reporting_control.release_update": (
        holds(*SIGNERS, at="provider"),
        "Only the provider director or nominated individual releases an update.",
    ),
    "reporting_control.request_pack": (
        holds(*READERS, at="provider"),
        "Provider-level staff of the update's provider.",
    ),
    "reporting_control.download_released_pack": (
        commissions_a_service_of_the_pack,
        "A commissioner whose organisation the released pack was issued to.",
    ),
}
# What each permission lets a person do, as a refusal names who can.
ACTIONS = {
    "reporting_control.read_updates": "read the regulatory and commissioner updates",
    "reporting_control.view_update": "open this update",
    "reporting_control.plan_update": "plan an update",
    "reporting_control.edit_update": "change this update",
    "reporting_control.check_evidence": "check this update's evidence",
    "reporting_control.withhold_line": "freeze, defer or reopen this line",
    "reporting_control.clear_line": "clear this line at challenge",
    "reporting_control.place_hold": "place an issue hold on this update",
    "reporting_control.lift_hold": "lift this update's issue hold",
    "reporting_control.release_update": "release this update",
    "reporting_control.request_pack": "build an evidence pack of this update",
    "reporting_control.download_released_pack": "download this pack",
}
register(PERMISSIONS, ACTIONS)


# --- scoped querysets (the same scopes as the table) ------------------------------------------


def visible_updates(user) -> QuerySet[ReportingUpdate]:
    """Updates of the providers where the person holds a provider-level staff role now."""
    return ReportingUpdate.objects.filter(provider_id__in=provider_level_ids(user, READERS))


def updates_read_at_work(user) -> QuerySet[ReportingUpdate]:
    """Updates the person reads through a role that sees the services' work (`WORK_ROLES`): the
    provider administrator reads updates but opens no case, check or escalation."""
    roles = [role for role in READERS if role in WORK_ROLES]
    return ReportingUpdate.objects.filter(provider_id__in=provider_level_ids(user, roles))


# A chain C case, its checks and escalations are seen by the people who may read its update.
register_subject_readers(ReportingUpdate, updates_read_at_work)


def commissioner_packs(user) -> QuerySet[EvidencePack]:
    """Ready packs a release issued to an organisation the person acts for as Commissioner, at the
    update's provider, of an update covering a service it commissions: never another commissioner's
    pack, the provider's own, a draft or a held one, nor one issued to an organisation the update is not
    about (before `packs.commissioners_of` followed the covered services alone, or since its commissioning
    changed), which would name no service of theirs."""
    reach = [
        Q(commissioner_id=a.commissioner_id, update__provider_id=a.provider_id)
        for a in commissioner_assignments(user)
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
        .filter(
            Exists(
                Service.objects.filter(
                    reporting_updates=OuterRef("update"), commissioners=OuterRef("commissioner")
                )
            )
        )
        # Belt and braces: a released update cannot be held, but a held one must never be shown.
        .exclude(update__in=IssueHold.objects.filter(lifted_at__isnull=True).values("update"))
    )
