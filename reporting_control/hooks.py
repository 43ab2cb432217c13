"""What the escalation engine calls back for chain C (see escalation/chain_hooks.py).

Registered in ReportingControlConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from . import evidence, figures
from .models import ReportingUpdate


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
