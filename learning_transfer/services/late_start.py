"""A failure logged long after it was confirmed: the chain A steps that would start overdue.

A case's deadlines count from the confirmation, so a failure confirmed weeks ago starts with steps
already past due, and the engine escalates each at its next check. `log_trigger` refuses such a start
unless the person says to log it anyway (`StartsOverdue`), naming the steps, when each was due and who
would be told. The deadlines are the ones the case would get: the provider's chain A steps as it runs
them now, through the same working-time calendar (`escalation.scheduling.one_off_deadlines`); the
people told are found as the engine finds them (`escalation.recipients.RoleDirectory`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from escalation.models import ChainTemplate
from escalation.recipients import RoleDirectory, target
from escalation.scheduling import one_off_deadlines
from escalation.services import effective_steps
from providers.choices import Role, label_of
from providers.models import Service

from .. import chain

LOG_LATE = "log_late"  # the action's argument, and the form's checkbox, that says "log it anyway"


@dataclass(frozen=True)
class LateStep:
    """A step that would start overdue: its code and name, its deadline, and who would be told."""

    code: str
    name: str
    due_at: datetime
    told_role: str  # the role's label, "Operations Director"
    told_people: list[str]  # their names; when nobody holds the role, the Nominated Individual's
    role_gap: bool


class StartsOverdue(ValidationError):
    """Logging now would start these steps overdue: the form comes back asking to log it anyway."""

    def __init__(self, steps: list[LateStep]):
        super().__init__(
            {
                LOG_LATE: (
                    f"{len(steps)} of the case's steps would start overdue. Tick “Log it anyway” to log "
                    "this failure with its steps overdue, or check when it was confirmed."
                )
            }
        )
        self.steps = steps


def steps_already_due(source_service: Service, confirmed_at: datetime, now: datetime) -> list[LateStep]:
    """The chain A steps whose deadline, counted from `confirmed_at`, is already past at `now` (the
    engine escalates a step due at or before the time it checks), in step order."""
    provider = source_service.provider
    steps = effective_steps(ChainTemplate.objects.get(code=chain.CHAIN_CODE), provider)
    deadlines = one_off_deadlines(steps, confirmed_at, provider.calendar)
    late = [step for step in steps if step["code"] in deadlines and deadlines[step["code"]] <= now]
    if not late:
        return []
    directory = RoleDirectory([provider.pk], {step["escalate_to"] for step in late})
    found = []
    for step in late:
        where = target(step["escalate_to"], provider.pk, source_service.pk, source_service.region_id)
        told = directory.resolve(where)
        found.append(
            LateStep(
                code=step["code"],
                name=step["name"],
                due_at=deadlines[step["code"]],
                told_role=label_of(Role, step["escalate_to"]),
                told_people=[person.get_full_name() or person.username for person in told.people],
                role_gap=told.role_gap,
            )
        )
    return found


def refuse_late_start(source_service: Service, confirmed_at: datetime, now: datetime, log_late: bool) -> None:
    """Refuse to start a case whose steps are already overdue unless told to log it anyway (`log_late`
    True: the person ticked it, or code recording a known history says so)."""
    if log_late:
        return
    late = steps_already_due(source_service, confirmed_at, now)
    if late:
        raise StartsOverdue(late)
