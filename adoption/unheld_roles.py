"""Learning deployed at a service where nobody holds a role that records its checks.

Each chain B step is recorded by one role at the service (the Service Improvement Lead's shift
checks, the Clinical Lead's clinical checks, ...). Where nobody holds that role at the service, its
region or the provider, every check of it would go overdue and escalate, with no one able to record
it. `deploy_learning` refuses such a deployment unless the person says to deploy anyway
(`NobodyToRecord`), naming each role nobody holds and how many checks it would leave unrecorded,
as logging a failure long after it was confirmed asks to log it anyway
(`learning_transfer.services.late_start`). The checks counted are the ones the case would get: the
provider's chain B steps as it runs them now, through the same schedule (`escalation.scheduling`).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from escalation.models import ChainTemplate
from escalation.scheduling import schedule
from escalation.services import effective_steps
from providers.choices import Role, label_of
from providers.models import Service
from providers.permissions import people_holding

from .chain import CHAIN_CODE

DEPLOY_ANYWAY = "deploy_anyway"  # the action's argument, and the form's checkbox, that says "deploy anyway"


@dataclass(frozen=True)
class UnheldRole:
    """A role that records chain B checks, held by nobody reaching the service, and its checks."""

    role_label: str  # "Service Improvement Lead"
    checks: int  # how many checks of the case it would record
    step_names: list[str]  # the steps it records, "Check the new way of working on each shift (B1)"
    service: str

    def __str__(self) -> str:
        # What to do about it is said once, after the list (the form's warning), not in every item.
        checks, them = ("check", "it") if self.checks == 1 else (f"{self.checks} checks", "them")
        names = ", ".join(self.step_names)
        return (
            f"Nobody at {self.service} holds the {self.role_label} role, so its {checks} ({names}) "
            f"would have no one to record {them}."
        )


class NobodyToRecord(ValidationError):
    """Deploying now would schedule checks nobody can record: the form comes back asking to deploy
    anyway."""

    def __init__(self, roles: list[UnheldRole]):
        checks = sum(role.checks for role in roles)
        super().__init__(
            {
                DEPLOY_ANYWAY: (
                    f"Nobody at {roles[0].service} could record {checks} of the adoption checks. Ask your "
                    "provider administrator to give the roles named above to someone, or tick “Deploy "
                    "anyway” to deploy with those checks going overdue."
                )
            }
        )
        self.roles = roles


def unheld_roles(service: Service, deployed_at: datetime) -> list[UnheldRole]:
    """The roles recording chain B checks that nobody holds at `service` (or over it), with the checks
    each would record were the learning live from `deployed_at`, in step order. A service the engine
    cannot schedule (one without shifts) is refused here as it would be on deploying."""
    provider = service.provider
    chain = ChainTemplate.objects.get(code=CHAIN_CODE)
    steps = effective_steps(chain, provider)
    plan, _ = schedule(chain, steps, deployed_at, None, provider.calendar, service)
    checks = Counter(step["role"] for step, *_ in plan)
    names: dict[str, list[str]] = {}
    for step in steps:
        names.setdefault(step["role"], []).append(f"{step['name'] or step['title']} ({step['code']})")
    return [
        UnheldRole(label_of(Role, role), checks[role], step_names, str(service))
        for role, step_names in names.items()
        if not people_holding(role, service=service)
    ]


def refuse_unheld_roles(service: Service, deployed_at: datetime, deploy_anyway: bool) -> None:
    """Refuse to deploy where nobody could record some checks unless told to deploy anyway
    (`deploy_anyway` True: the person ticked it, or code recording a known history says so)."""
    if deploy_anyway:
        return
    roles = unheld_roles(service, deployed_at)
    if roles:
        raise NobodyToRecord(roles)
