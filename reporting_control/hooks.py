"""What the escalation engine calls back for chain C (see escalation/chain_hooks.py).

Registered in ReportingControlConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from .models import ReportingUpdate
from .services import place_automatic_hold, tell_managers_of_services_behind

# A breach of either step holds the update: C4 places the hold, C5 keeps it (DOMAIN.md chain C).
HOLD_STEPS = ("C4", "C5")
# A breach of C2 is told to the registered managers of the named services behind on the action.
FIGURES_STEP = "C2"


def act_on_breach(record) -> None:
    """A breached C4 or C5 record places (or keeps) the issue hold at once, whichever page recorded it
    (usually the engine's step page); a breached C2 record tells the registered managers of the named
    services behind. The engine calls this inside its recording transaction, so the record and what it
    causes are saved together or not at all, and before it raises the step's own breach escalation:
    C2's per-service escalations are then the step's breach escalations, and the engine raises its one
    service-less escalation (a role gap) only when no named service is behind."""
    code = record.step_run.code
    if not record.breached or code not in (*HOLD_STEPS, FIGURES_STEP):
        return
    subject = record.step_run.chain_run.subject
    if not isinstance(subject, ReportingUpdate):
        return
    if code == FIGURES_STEP:
        tell_managers_of_services_behind(subject, record)
    else:
        place_automatic_hold(subject, record)
