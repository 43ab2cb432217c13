"""Who may see and do what in the escalation engine, built on providers.permissions.

Cases with a service are visible to the staff who can see that service. Provider-wide cases (no
service) are visible to the provider's provider- and region-level staff. Anyone told about an
escalation can see it and its case. Commissioners and other providers' people see none of it.
"""

from django.db.models import Q, QuerySet

from providers import permissions
from providers.choices import Role

from .models import ChainRun, Escalation, Notification, StepRun


def _broad_provider_ids(user) -> set[int]:
    """Providers where the person holds a provider- or region-level staff role."""
    return {a.provider_id for a in permissions.staff_assignments(user) if not a.service_id}


def _regional_runs(user) -> QuerySet:
    """Cases with a step run for a region where the person holds a region-level role (A4's regions)."""
    region_ids = {
        a.region_id for a in permissions.staff_assignments(user) if a.region_id and not a.service_id
    }
    return StepRun.objects.filter(region_id__in=region_ids).values("chain_run_id")


def _told(user) -> QuerySet:
    return Notification.objects.filter(user=user)


def visible_chain_runs(user) -> QuerySet[ChainRun]:
    if not getattr(user, "is_authenticated", False):
        return ChainRun.objects.none()
    return ChainRun.objects.filter(
        Q(service__in=permissions.visible_services(user))
        | Q(service__isnull=True, provider_id__in=_broad_provider_ids(user))
        | Q(pk__in=_regional_runs(user))
        | Q(pk__in=_told(user).values("escalation__chain_run_id"))
    )


def visible_escalations(user) -> QuerySet[Escalation]:
    if not getattr(user, "is_authenticated", False):
        return Escalation.objects.none()
    return Escalation.objects.filter(
        Q(chain_run_id__in=visible_chain_runs(user).values("pk"))
        | Q(pk__in=_told(user).values("escalation_id"))
    )


def visible_step_runs(user) -> QuerySet[StepRun]:
    return StepRun.objects.filter(chain_run_id__in=visible_chain_runs(user).values("pk"))


def can_record(user, step_run: StepRun) -> bool:
    """Only a person holding the step's role for the case's service (or provider) records it; a step
    run for one region (A4), only a holder of the role in that region (or across the provider)."""
    run = step_run.chain_run
    if step_run.region_id is not None:
        return any(
            a.role == step_run.role
            and a.provider_id == run.provider_id
            and not a.service_id
            and a.region_id in (None, step_run.region_id)
            for a in permissions.assignments(user)
        )
    return permissions.holds_role(user, step_run.role, service=run.service, provider=run.provider)


def is_told(user, escalation: Escalation) -> bool:
    return any(n.user_id == user.pk for n in escalation.notifications.all())


def can_act_on(user, escalation: Escalation) -> bool:
    """Acknowledge, record the action, resolve: a person told, a holder of the target role, or the NI."""
    if is_told(user, escalation):
        return True
    scope = {"service": escalation.service, "provider": escalation.provider}
    return permissions.holds_role(user, escalation.target_role, **scope) or permissions.holds_role(
        user, Role.NOMINATED_INDIVIDUAL, provider=escalation.provider
    )


def administered_providers(user):
    """Providers whose chain settings the person may tune (Provider Administrator)."""
    ids = {
        a.provider_id for a in permissions.staff_assignments(user) if a.role == Role.PROVIDER_ADMINISTRATOR
    }
    return permissions.visible_providers(user).filter(pk__in=ids)
