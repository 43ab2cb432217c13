"""A failure logged long after it was confirmed: the chain A steps that would start overdue.

A case's deadlines count from the confirmation, so a failure confirmed weeks ago starts with steps
already past due, and the engine escalates each at its next check. `log_trigger` refuses such a start
unless the person says to log it anyway (`StartsOverdue`), naming the steps, when each was due and who
would be told. Which steps those are, and who would be told, the engine answers for any chain
(`escalation.late_start`); this module says it for chain A, counted from the confirmation at the
failure's service.
"""

from datetime import datetime

from escalation.late_start import LateStep, StartsOverdue
from escalation.late_start import refuse_late_start as refuse_overdue_start
from providers.models import Service

from .. import chain

__all__ = ["LOG_LATE", "LateStep", "StartsOverdue", "refuse_late_start"]

LOG_LATE = "log_late"  # the action's argument, and the form's checkbox, that says "log it anyway"
LATE_MESSAGE = (
    "{count} of the case's steps would start overdue. Tick “Log it anyway” to log this failure with its "
    "steps overdue, or check when it was confirmed."
)


def refuse_late_start(source_service: Service, confirmed_at: datetime, now: datetime, log_late: bool) -> None:
    """Refuse to start a case whose steps are already overdue unless told to log it anyway (`log_late`
    True: the person ticked it, or code recording a known history says so)."""
    refuse_overdue_start(
        chain.CHAIN_CODE,
        source_service.provider,
        confirmed_at,
        now,
        anyway=log_late,
        field=LOG_LATE,
        message=LATE_MESSAGE,
        service=source_service,
    )
