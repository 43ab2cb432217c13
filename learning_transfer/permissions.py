"""Who may see and do what in chain A, built only on providers.permissions (the one permission module).

Services call the `can_*` functions before acting, and views scope every queryset with the
`visible_*` functions, so a rule is enforced in one place whichever door the request came in by.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from providers import permissions
from providers.choices import Role
from providers.models import Provider

from .models import ImplementationLine, Incident, LearningNotice, LearningTrigger, MatchedService

# Provider-level roles that log triggers, adjust matches and issue learning.
TRIGGER_MANAGERS = (Role.QUALITY_DIRECTOR,)
# Roles that may (re)distribute notices and name their owners (A2 belongs to the Governance Officer).
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
# Roles that read review candidates (incidents needing a formal review).
REVIEWERS = (Role.QUALITY_DIRECTOR, Role.GOVERNANCE_OFFICER, Role.OPERATIONS_DIRECTOR)
# Roles that read the executive learning summary.
SUMMARY_READERS = (
    Role.NOMINATED_INDIVIDUAL,
    Role.PROVIDER_DIRECTOR,
    Role.QUALITY_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.COMPLIANCE_MANAGER,
    Role.GOVERNANCE_OFFICER,
)


def providers_for(user, roles) -> QuerySet[Provider]:
    """Providers where the person holds one of these provider-level roles."""
    ids = {
        a.provider_id
        for a in permissions.staff_assignments(user)
        if a.role in roles and not a.region_id and not a.service_id
    }
    return Provider.objects.filter(pk__in=ids)


def visible_triggers(user) -> QuerySet[LearningTrigger]:
    """Triggers whose source service, or any included matched service, the person can see."""
    services = permissions.visible_services(user)
    matched_here = MatchedService.objects.filter(trigger=OuterRef("pk"), included=True, service__in=services)
    return LearningTrigger.objects.filter(Q(source_service__in=services) | Q(Exists(matched_here)))


def visible_matches(user) -> QuerySet[MatchedService]:
    """Matched services the person can see (their own service, region or provider)."""
    return MatchedService.objects.filter(service__in=permissions.visible_services(user))


def visible_notices(user) -> QuerySet[LearningNotice]:
    """Notices the person owns, or whose service they can see."""
    services = permissions.visible_services(user)
    return LearningNotice.objects.filter(Q(owner=user) | Q(matched_service__service__in=services))


def visible_lines(user) -> QuerySet[ImplementationLine]:
    return ImplementationLine.objects.filter(service__in=permissions.visible_services(user))


def visible_incidents(user) -> QuerySet[Incident]:
    return Incident.objects.filter(service__in=permissions.visible_services(user))


def can_manage_trigger(user, trigger: LearningTrigger) -> bool:
    return permissions.holds_any_role(user, TRIGGER_MANAGERS, provider=trigger.provider)


def can_review_incident(user, incident: Incident) -> bool:
    """Recording that a flagged incident needs no learning trigger is the trigger managers' decision."""
    return permissions.holds_any_role(user, TRIGGER_MANAGERS, provider=incident.service.provider)


def can_distribute(user, trigger: LearningTrigger) -> bool:
    return permissions.holds_any_role(user, DISTRIBUTORS, provider=trigger.provider)


def can_edit_exposure(user, matched: MatchedService) -> bool:
    return permissions.holds_any_role(user, EXPOSURE_EDITORS, service=matched.service)


def can_verify_implementation(user, matched: MatchedService) -> bool:
    return permissions.holds_any_role(user, IMPLEMENTATION_VERIFIERS, service=matched.service)


def can_acknowledge(user, notice: LearningNotice) -> bool:
    """The named owner, or a registered manager of the service when the owner is missing or away."""
    return notice.owner_id == user.pk or permissions.holds_role(
        user, Role.REGISTERED_MANAGER, service=notice.matched_service.service
    )


def can_import(user, provider: Provider) -> bool:
    return permissions.holds_any_role(user, IMPORTERS, provider=provider)


def recordable_services(user):
    """Services where the person may enter an incident by hand."""
    return permissions.visible_services(user, roles=INCIDENT_RECORDERS)


def can_read_summary(user, provider: Provider) -> bool:
    return permissions.holds_any_role(user, SUMMARY_READERS, provider=provider)
