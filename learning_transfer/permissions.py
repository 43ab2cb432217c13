"""Who may see and do what in chain A: every rule of access of the app, in one table.

Each permission is a `rules` predicate asked with `user.has_perm(perm, obj)` by views, services and
templates' views. Every predicate checks a role held *now* (providers.permissions), at the object's
provider, at a scope reaching the object. Being a notice's or a line's named owner counts only with a
current staff role reaching its service. Views scope their querysets with the `visible_*` functions
below, built on the same scopes.
"""

from dataclasses import dataclass

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

from escalation.permissions import register_subject_readers
from providers.choices import Role
from providers.permissions import (
    STAFF_ROLES,
    WORK_ROLES,
    built_once,
    holds,
    holds_now,
    is_the,
    organisation_services,
    register,
    staff_assignments,
    staff_at,
    visible_services,
)

from .models import ImplementationLine, Incident, LearningNotice, LearningTrigger, MatchedService

# Provider-level roles that log triggers, adjust matches, issue learning and decide incident reviews.
TRIGGER_MANAGERS = (Role.QUALITY_DIRECTOR,)
# Roles that (re)distribute notices and name their owners (A2 belongs to the Governance Officer).
DISTRIBUTORS = (Role.QUALITY_DIRECTOR, Role.GOVERNANCE_OFFICER)
# Roles that keep the exposure log of a matched service (A3, A4): provider, region or the service itself.
EXPOSURE_EDITORS = (
    Role.QUALITY_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.DEPUTY_REGIONAL_MANAGER,
    Role.REGISTERED_MANAGER,
)
# Roles that verify a matched service's implementation (not the service itself: someone above it).
IMPLEMENTATION_VERIFIERS = (Role.OPERATIONS_DIRECTOR, Role.DEPUTY_REGIONAL_MANAGER, Role.QUALITY_DIRECTOR)
# Provider-level roles that import incident and care-hours files for the whole provider.
IMPORTERS = (
    Role.QUALITY_DIRECTOR,
    Role.GOVERNANCE_OFFICER,
    Role.PERFORMANCE_ANALYST,
    Role.PROVIDER_ADMINISTRATOR,
)
# Roles that enter a single incident by hand, for the services they hold the role for.
INCIDENT_RECORDERS = IMPORTERS + (Role.REGISTERED_MANAGER, Role.DEPUTY_REGIONAL_MANAGER)
# Provider-level roles that read review candidates (incidents needing a formal review).
REVIEWERS = (Role.QUALITY_DIRECTOR, Role.GOVERNANCE_OFFICER, Role.OPERATIONS_DIRECTOR)
# Provider-level roles that read the executive learning summary.
SUMMARY_READERS = (
    Role.NOMINATED_INDIVIDUAL,
    Role.PROVIDER_DIRECTOR,
    Role.QUALITY_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.COMPLIANCE_MANAGER,
    Role.GOVERNANCE_OFFICER,
)


@rules.predicate
def sees_a_service_of_the_trigger(user, trigger):
    """Staff reaching its source service, or one of its included matched services."""
    return trigger is not None and visible_triggers(user).filter(pk=trigger.pk).exists()


# permission: (predicate, who may, in one line). Objects: a Provider for pages not about one object.
PERMISSIONS = {
    "learning_transfer.view_trigger": (
        sees_a_service_of_the_trigger,
        "Staff whose role reaches the trigger's source service or one of its included matched services.",
    ),
    "learning_transfer.log_trigger": (
        holds(*TRIGGER_MANAGERS),
        "Only the quality director logs a serious failure for the provider.",
    ),
    "learning_transfer.manage_trigger": (
        holds(*TRIGGER_MANAGERS, at="provider"),
        "Only the quality director changes the matched services, the learning, issues it or closes it.",
    ),
    "learning_transfer.distribute_notices": (
        holds(*DISTRIBUTORS, at="provider"),
        "Only the governance officer or quality director redistributes the learning.",
    ),
    "learning_transfer.view_notice": (
        staff_at("matched_service.service"),
        "Staff whose role reaches the notice's service.",
    ),
    "learning_transfer.acknowledge_notice": (
        (is_the("owner") & staff_at("matched_service.service"))
        | holds(Role.REGISTERED_MANAGER, at="matched_service.service"),
        "Only the notice's owner (still working there) or the service's registered manager.",
    ),
    "learning_transfer.name_notice_owner": (
        holds(*DISTRIBUTORS, at="matched_service.trigger.provider"),
        "Only the governance officer or quality director names a notice's owner.",
    ),
    "learning_transfer.view_match": (
        staff_at("service"),
        "Staff whose role reaches the matched service.",
    ),
    "learning_transfer.edit_exposure": (
        holds(*EXPOSURE_EDITORS, at="service"),
        "The quality or operations director, the region's deputy, or the service's registered manager.",
    ),
    "learning_transfer.verify_implementation": (
        holds(*IMPLEMENTATION_VERIFIERS, at="service"),
        "Only the operations director, quality director or the region's deputy regional manager.",
    ),
    "learning_transfer.complete_line": (
        (is_the("owner") & staff_at("service")) | holds(*EXPOSURE_EDITORS, at="service"),
        "Only the line's owner (still working there) or someone who keeps the service's exposure log.",
    ),
    "learning_transfer.import_data": (
        holds(*IMPORTERS),
        "Only the quality director, governance officer, performance analyst or administrator imports.",
    ),
    "learning_transfer.view_import_job": (
        holds(*IMPORTERS, at="provider"),
        "The people who import data for the job's provider.",
    ),
    "learning_transfer.record_incident": (
        holds(*INCIDENT_RECORDERS),
        "The importers, or the registered manager or deputy regional manager reaching the service.",
    ),
    # The administrator too, who imports incidents and corrects what an import brought in.
    "learning_transfer.view_incident": (
        holds(*STAFF_ROLES, at="service"),
        "Staff whose role reaches the incident's service.",
    ),
    "learning_transfer.read_review_candidates": (
        holds(*REVIEWERS),
        "The quality director, governance officer or operations director of the provider.",
    ),
    "learning_transfer.review_incident": (
        holds(*TRIGGER_MANAGERS, at="service.provider"),
        "Only the quality director records a review outcome.",
    ),
    "learning_transfer.read_summary": (
        holds(*SUMMARY_READERS),
        "The nominated individual, directors, compliance manager and governance officer of the provider.",
    ),
}
# What each permission lets a person do, as a refusal names who can.
ACTIONS = {
    "learning_transfer.view_trigger": "open this trigger",
    "learning_transfer.log_trigger": "log a serious failure",
    "learning_transfer.manage_trigger": "change, issue or close this learning",
    "learning_transfer.distribute_notices": "redistribute this learning",
    "learning_transfer.view_notice": "open this notice",
    "learning_transfer.acknowledge_notice": "acknowledge this notice",
    "learning_transfer.name_notice_owner": "name this notice's owner",
    "learning_transfer.view_match": "open this matched service",
    "learning_transfer.edit_exposure": "keep this service's exposure log",
    "learning_transfer.verify_implementation": "verify the implementation at this service",
    "learning_transfer.complete_line": "mark this implementation line done",
    "learning_transfer.import_data": "import incidents or care hours",
    "learning_transfer.view_import_job": "open this import",
    "learning_transfer.record_incident": "record an incident here",
    "learning_transfer.view_incident": "open this incident",
    "learning_transfer.read_review_candidates": "read the incidents awaiting a review decision",
    "learning_transfer.review_incident": "record a review decision for this incident",
    "learning_transfer.read_summary": "read the executive learning summary",
}
register(PERMISSIONS, ACTIONS)


# --- scoped querysets (the same scopes as the table) ------------------------------------------


def visible_triggers(user) -> QuerySet[LearningTrigger]:
    """Triggers whose source service, or any included matched service, the person's roles reach
    (built once for the roles held: the register and every trigger page start from it)."""
    return built_once(user, "visible_triggers", lambda: _visible_triggers(user))


def _visible_triggers(user) -> QuerySet[LearningTrigger]:
    services = visible_services(user)
    matched_here = MatchedService.objects.filter(trigger=OuterRef("pk"), included=True, service__in=services)
    return LearningTrigger.objects.filter(Q(source_service__in=services) | Q(Exists(matched_here)))


# A chain A case, its checks and escalations are seen by the people who may read its trigger.
register_subject_readers(LearningTrigger, visible_triggers)


def visible_matches(user) -> QuerySet[MatchedService]:
    """Matched services the person's roles reach (their own service, region or provider)."""
    return MatchedService.objects.filter(service__in=visible_services(user))


# How far a person sees a trigger's matched services (`matched_services_seen`).
SEES_EVERY_SERVICE, SEES_THEIR_REGION, SEES_THEIR_SERVICE = "provider", "region", "service"


@dataclass(frozen=True)
class MatchedServicesSeen:
    """Which of a trigger's matched services a person sees in full (their figures, notice owner,
    lateness, lead and lines), and how far their role reaches at the trigger's provider, which says
    how the services not shown are counted on the page."""

    match_ids: frozenset[int]
    reach: str

    def shows(self, row) -> bool:
        """Whether the person sees this row (anything with its `match`) of the trigger's services."""
        return row.match.pk in self.match_ids


def matched_services_seen(user, trigger, rows) -> MatchedServicesSeen:
    """Of a trigger's matched services (`rows`, each with its `match`, already loaded), those the
    person sees in full: the ones they may open (`view_match`: every service for a provider-level
    role, the region's for a regional role, their own service for service staff). The one rule for
    the trigger's page, its CSV and every other list of a trigger's matched services; no query of its
    own (the person's roles are read once a request)."""
    if holds_now(user, WORK_ROLES, trigger.provider):  # every one, without asking 500 times
        return MatchedServicesSeen(frozenset(row.match.pk for row in rows), SEES_EVERY_SERVICE)
    regional = any(
        a.provider_id == trigger.provider_id and a.region_id and not a.service_id
        for a in staff_assignments(user)
    )
    seen = frozenset(matches_to_open(user, rows))  # shown in full where the person may open it
    return MatchedServicesSeen(seen, SEES_THEIR_REGION if regional else SEES_THEIR_SERVICE)


def matches_to_open(user, rows) -> set[int]:
    """Of a trigger page's rows, the matched services whose own page the person may open: the source
    service's staff follow the learning from their home, but the other homes' pages are not theirs."""
    return {row.match.pk for row in rows if user.has_perm("learning_transfer.view_match", row.match)}


def visible_notices(user) -> QuerySet[LearningNotice]:
    """Notices of the services the person's roles reach (owning a notice alone shows nothing)."""
    return LearningNotice.objects.filter(matched_service__service__in=visible_services(user))


def visible_lines(user) -> QuerySet[ImplementationLine]:
    return ImplementationLine.objects.filter(service__in=visible_services(user))


def visible_incidents(user) -> QuerySet[Incident]:
    """Incidents of the services any staff role of the person's reaches: the administrator, who
    imports them, among them (as `view_incident`)."""
    return Incident.objects.filter(service__in=organisation_services(user))


def reviewable_incidents(user) -> QuerySet[Incident]:
    """Incidents at the services where the person reads the incidents needing a review: the scope of
    the incident list, the same as the review list's."""
    return Incident.objects.filter(service__in=visible_services(user, roles=REVIEWERS))


def recordable_services(user):
    """Services where the person may enter an incident by hand."""
    return visible_services(user, roles=INCIDENT_RECORDERS)
