"""What the escalation engine calls back for chain C (see escalation/chain_hooks.py).

Registered in ReportingControlConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from . import evidence, figures
from .models import ReportingUpdate
from .services import place_automatic_hold, tell_managers_of_services_behind

# A breach of either step holds the update: C4 places the hold, C5 keeps it (DOMAIN.md chain C).
HOLD_STEPS = ("C4", "C5")
# A breach of C2 is told to the registered managers of the named services behind on the action.
FIGURES_STEP = "C2"


def prefill_values(step_run) -> dict:
    """The figures the records hold for a chain C step, for the engine's step form: C1, C4 and C5 from
    the lines' evidence, C2 (verified in time, incident rate) and C3 (safeguarding alerts) from the
    matched services' records."""
    subject = step_run.chain_run.subject
    if not isinstance(subject, ReportingUpdate):
        return {}
    if step_run.code in ("C2", "C3"):
        matches = evidence.evidence_map(subject)
        service_ids = list(matches.by_service)
        if step_run.code == "C3":
            return figures.c3_figures(service_ids)
        return evidence.c2_measures(matches) | figures.c2_figures(service_ids)
    measures = {"C1": evidence.c1_measures, "C4": evidence.c4_measures, "C5": evidence.c5_measures}
    function = measures.get(step_run.code)
    return function(evidence.judge_update(subject)) if function else {}


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
