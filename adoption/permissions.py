"""Who may see and do what in chain B: every rule of access of the app, in one table.

Each permission is a `rules` predicate asked with `user.has_perm(perm, obj)`; each checks a role held
now at a scope reaching the deployment's service (providers.permissions). Views scope their
querysets with the `visible_*` functions below, built on the same scopes.
"""

from django.db.models import QuerySet

from providers.choices import Role
from providers.permissions import holds, register, staff_at, visible_services

from .models import Deployment

# Who may put learning live at a service: its manager, or the people who oversee implementation.
DEPLOYER_ROLES = (Role.REGISTERED_MANAGER, Role.OPERATIONS_DIRECTOR, Role.DEPUTY_REGIONAL_MANAGER)
# The service roles that carry out chain B and see its checks on their dashboards.
CHECKER_ROLES = (
    Role.REGISTERED_MANAGER,
    Role.SERVICE_IMPROVEMENT_LEAD,
    Role.CLINICAL_LEAD,
    Role.PRACTICE_DEVELOPMENT_LEAD,
    Role.SENIOR_CARER_LATE,
)

# permission: (predicate, who may, in one line).
PERMISSIONS = {
    "adoption.view_deployment": (staff_at("service"), "Staff whose role reaches the deployment's service."),
    "adoption.deploy_learning": (
        holds(*DEPLOYER_ROLES, at="service"),
        "Only the service's Registered Manager, an Operations Director or its Deputy Regional Manager.",
    ),
    "adoption.close_deployment": (
        holds(*DEPLOYER_ROLES, at="service"),
        "Only the people who may deploy learning at this service may close it.",
    ),
    "adoption.record_observation": (
        holds(*CHECKER_ROLES, at="service"),
        "Only the service's chain B roles record team, shift and location observations.",
    ),
    "adoption.correct_observation": (
        holds(*CHECKER_ROLES, at="deployment.service"),
        "Only the service's chain B roles correct observations.",
    ),
}
# What each permission lets a person do, as a refusal names who can.
ACTIONS = {
    "adoption.view_deployment": "open this deployment",
    "adoption.deploy_learning": "deploy learning at this service",
    "adoption.close_deployment": "close this deployment",
    "adoption.record_observation": "record observations of this deployment",
    "adoption.correct_observation": "correct this observation",
}
register(PERMISSIONS, ACTIONS)


# --- scoped querysets (the same scopes as the table) ------------------------------------------


def visible_deployments(user) -> QuerySet[Deployment]:
    return Deployment.objects.filter(service__in=visible_services(user))


def deployable_services(user):
    """Services where the person may deploy learning."""
    return visible_services(user, DEPLOYER_ROLES)
