"""Correcting an incident logged with a mistake (a wrong time, type, service, harm level …), and reading
back the corrections from its history.

A correction keeps its reason and who made it in the incident's history, and brings the daily roll-up
and the review flags up to date as an import's update does (`rollup.Touched`: the incident's former
service and day are recounted with its new ones). A learning trigger logged from the incident is left
as it was decided; its page says the incident was corrected since (`source_corrections`).
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.db import transaction

from providers.models import User
from providers.permissions import require_perm
from providers.services import given_reason
from providers.who_acts import join_and

from ..choices import HarmLevel
from ..models import Incident, LearningTrigger
from . import rollup
from .common import refuse, save_with_history
from .incidents import INCIDENT_FIELDS, SOURCE_FACTS, changed_fact, check_incident_facts

RECORD = "learning_transfer.record_incident"  # who may enter an incident at a service may correct it
# What a correction may change: everything an import sets, and the service. Not the source reference:
# it is how the next import of the source system's file finds the incident again.
CORRECTED_FIELDS = ["service", *INCIDENT_FIELDS]
# How a correction names each fact it changed: the import's words, with the service, and harm levels
# by their labels (an import's problems show the codes its file uses).
FACTS = {
    "service": ("the service", str),
    **SOURCE_FACTS,
    "harm_level": ("its harm level", lambda level: HarmLevel(level).label),
}
MISSING_REASON = "Give the reason for the correction."
NOTHING_CHANGED = "Nothing was changed: correct at least one value, or go back."


def changed_fields(incident: Incident, changes: dict) -> list[str]:
    """The fields `changes` (field → new value) would change, in the order of CORRECTED_FIELDS; a
    correction that changes nothing is refused (the form asks it too, with the other errors)."""
    unknown = set(changes) - set(CORRECTED_FIELDS)
    if unknown:
        raise TypeError(f"An incident correction cannot change: {', '.join(sorted(unknown))}")
    changed = [
        name for name in CORRECTED_FIELDS if name in changes and getattr(incident, name) != changes[name]
    ]
    if not changed:
        refuse(NOTHING_CHANGED)
    return changed


def correct_incident(incident: Incident, *, by, changes: dict, reason: str) -> Incident:
    """Correct an incident's values (`changes`: field → new value) with the reason, kept in its history.

    The person must be able to enter incidents at its service and, when it moves, at the new one too (of
    the same provider). The rules of entering an incident apply to the corrected values. Returns the
    incident as saved."""
    require_perm(by, RECORD, incident.service)
    reason = given_reason(reason, MISSING_REASON)
    with transaction.atomic():
        # Compared with the row as it is now: two people correcting at once are put one after the other.
        current = Incident.objects.select_for_update().select_related("service").get(pk=incident.pk)
        changed = changed_fields(current, changes)
        values = {name: changes.get(name, getattr(current, name)) for name in CORRECTED_FIELDS}
        _check_new_service(current, values["service"], by)
        check_incident_facts(
            values["service"],
            current.source_reference,
            values["occurred_at"],
            values["people_affected"],
            incident=current,
            on="service",
        )
        touched = rollup.Touched()
        former = (current.service_id, current.occurred_at)  # its former day is recounted too
        for name in changed:
            setattr(current, name, values[name])
        current.full_clean()
        save_with_history(current, by, reason)
        touched.add_instants(*zip(former, (current.service_id, current.occurred_at), strict=True))
        touched.refresh(incidents_changed=True)
    return current


def _check_new_service(incident: Incident, service, by) -> None:
    """An incident moves only to another service of its provider where the person enters incidents."""
    if service.pk == incident.service_id:
        return
    if service.provider_id != incident.service.provider_id:
        refuse("Choose one of the provider's services.", "service")
    require_perm(by, RECORD, service)


@dataclass(frozen=True)
class Correction:
    """One change of an incident after it was first recorded, as its history keeps it."""

    at: datetime
    by: User | None
    reason: str
    changes: list[str]  # each changed fact in words, with its values before and after where shown
    earlier_description: str | None  # the description it replaced, when that changed

    @property
    def what_changed(self) -> str:
        return join_and(self.changes)


def corrections(incident: Incident) -> list[Correction]:
    """Every change of the incident since it was first recorded, oldest first: a correction here, an
    import's update or an operator's edit. One query, however many there are."""
    rows = incident.history.select_related("history_user", "service").order_by("history_date", "history_id")
    found = []
    for before, after in pairwise(rows):
        changed = [name for name in CORRECTED_FIELDS if _value(before, name) != _value(after, name)]
        if not changed:  # a row that changed nothing shown (the import that last named it)
            continue
        found.append(
            Correction(
                at=after.history_date,
                by=after.history_user,
                reason=after.history_change_reason or "",
                changes=[
                    changed_fact(name, getattr(before, name), getattr(after, name), FACTS) for name in changed
                ],
                earlier_description=before.description if "description" in changed else None,
            )
        )
    return found


def _value(row, name: str):
    """A history row's value of a field, compared by id for the service (not read again)."""
    return row.service_id if name == "service" else getattr(row, name)


def source_corrections(trigger: LearningTrigger) -> list[Correction]:
    """The corrections of the incident a trigger was logged from, made after the trigger was logged:
    its matching (A1) was run on the values before unless it ran again since."""
    if trigger.source_incident_id is None:
        return []
    return [c for c in corrections(trigger.source_incident) if c.at > trigger.logged_at]
