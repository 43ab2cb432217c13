"""A case started after some of its deadlines: the steps that would start overdue, and who would be told.

A case's deadlines come from its anchor (a confirmed failure for chain A, the future issue of an update
for chain C), not from the moment it starts. Started late, some steps are already past due and the engine
escalates each at its next check. The action starting such a case refuses unless the person says to go
ahead anyway (`StartsOverdue`, on the form's "… it anyway" checkbox), naming the steps, when each was
due and who would be told. The deadlines are the ones the case would get (`scheduling.schedule`, the
provider's steps as it runs them now, through its working-time calendar); the people told are found as
the engine finds them (`recipients.RoleDirectory`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from providers.choices import Role, label_of

from .models import ChainTemplate
from .recipients import RoleDirectory, target
from .scheduling import schedule
from .services import effective_steps


@dataclass(frozen=True)
class LateStep:
    """A step that would start overdue: its code and name, its deadline, and who would be told. A step
    due again and again (C2 each preparation day) is one LateStep: its first late deadline, how many of
    its deadlines are past (`times`) and the last of them."""

    code: str
    name: str
    due_at: datetime
    told_role: str  # the role's label, "Operations Director"
    told_people: list[str]  # their names; when nobody holds the role, the Nominated Individual's
    role_gap: bool
    times: int = 1
    last_due_at: datetime | None = None


class StartsOverdue(ValidationError):
    """Starting the case now would start these steps overdue: the form comes back on `field`, the
    checkbox that says to go ahead anyway, with `message`."""

    def __init__(self, steps: list[LateStep], field: str, message: str):
        super().__init__({field: message})
        self.steps = steps


def steps_already_due(
    chain_code: str, provider, anchor: datetime, now: datetime, *, service=None, until=None
) -> list[LateStep]:
    """The steps of a case of `chain_code` started now whose deadline, from `anchor` (and `until`, as
    `services.start_chain` takes them), is already past at `now` (the engine escalates a step due at or
    before the time it checks), in step order."""
    chain = ChainTemplate.objects.get(code=chain_code)
    plan, _ = schedule(chain, effective_steps(chain, provider), anchor, until, provider.calendar, service)
    late = {}  # step code: (step, [its past deadlines]), in step order
    for step, _, due_at, _ in plan:
        if due_at <= now:
            late.setdefault(step["code"], (step, []))[1].append(due_at)
    if not late:
        return []
    directory = RoleDirectory([provider.pk], {step["escalate_to"] for step, _ in late.values()})
    where = (service.pk, service.region_id) if service is not None else (None, None)
    found = []
    for step, deadlines in late.values():
        told = directory.resolve(target(step["escalate_to"], provider.pk, *where))
        found.append(
            LateStep(
                code=step["code"],
                name=step["name"],
                due_at=min(deadlines),
                told_role=label_of(Role, step["escalate_to"]),
                told_people=[person.get_full_name() or person.username for person in told.people],
                role_gap=told.role_gap,
                times=len(deadlines),
                last_due_at=max(deadlines),
            )
        )
    return found


def refuse_late_start(
    chain_code: str,
    provider,
    anchor: datetime,
    now: datetime,
    *,
    anyway: bool,
    field: str,
    message: str,
    service=None,
    until=None,
) -> None:
    """Refuse to start a case whose steps are already overdue unless told to go ahead anyway (`anyway`
    True: the person ticked `field`, or code recording a known history says so). `message` is the
    field's error, with "{count}" for the number of late steps."""
    if anyway:
        return
    late = steps_already_due(chain_code, provider, anchor, now, service=service, until=until)
    if late:
        raise StartsOverdue(late, field, message.format(count=len(late)))
