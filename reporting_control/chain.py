"""The one place this app talks to the escalation engine about chain C (an update's case)."""

from django.db.models.signals import post_save

from escalation import prefill
from escalation import services as engine
from escalation.models import StepRecord
from escalation.subjects import ChainCases

CHAIN_CODE = "C"
# A breach of either step holds the update: C4 places the hold, C5 keeps it (DOMAIN.md chain C).
HOLD_STEPS = ("C4", "C5")
SIGN_OFF_STEP = "C5"
# A breach of C2 is told to the registered managers of the named services behind on the action.
FIGURES_STEP = "C2"


def start(update, by):
    """Start chain C on the update: its steps count back from the issue date-time."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=update.provider,
        subject=update,
        anchor_at=update.issue_at,
        until=update.issue_at,
        started_by=by,
    )


CASES = ChainCases(CHAIN_CODE)
run_for, step_run, record, close = CASES.run_for, CASES.step_run, CASES.record, CASES.close


def prefill_values(step_run_obj) -> dict:
    """The figures the records hold for a chain C step, for the engine's step form: C1, C4 and C5 from
    the lines' evidence, C2 (verified in time, incident rate) and C3 (safeguarding alerts) from the
    matched services' records."""
    from . import evidence, figures
    from .models import ReportingUpdate

    subject = step_run_obj.chain_run.subject
    if not isinstance(subject, ReportingUpdate):
        return {}
    if step_run_obj.code in ("C2", "C3"):
        matches = evidence.evidence_map(subject)
        service_ids = list(matches.by_service)
        if step_run_obj.code == "C3":
            return figures.c3_figures(service_ids)
        return evidence.c2_measures(matches) | figures.c2_figures(service_ids)
    measures = {"C1": evidence.c1_measures, "C4": evidence.c4_measures, "C5": evidence.c5_measures}
    function = measures.get(step_run_obj.code)
    return function(evidence.judge_update(subject)) if function else {}


def record_sign_off(update, *, by, notes: str = "", now=None):
    """The Provider Director records C5 with the figures the system computes (residual defects and
    deferred sections as they stand now); the engine checks the role and judges the threshold."""
    values = prefill_values(step_run(update, SIGN_OFF_STEP))
    return record(update, SIGN_OFF_STEP, by=by, values=values, notes=notes, now=now)


def register_prefill() -> None:
    """Offer `prefill_values` to the engine's step form for chain C."""
    prefill.register(CHAIN_CODE, prefill_values)


def on_step_recorded(sender, instance: StepRecord, created: bool, raw: bool = False, **kwargs) -> None:
    """A breached C4 or C5 record places (or keeps) the issue hold at once, whichever page recorded it; a
    breached C2 record tells the registered managers of the named services behind.

    A signal (not a call from our own views) because they are usually recorded on the engine's step page;
    it runs inside the engine's transaction, so the record and the hold are saved together or not at all.
    It runs as the record is saved, before the engine raises the step's own breach escalation: C2's
    per-service escalations are then the step's breach escalations, and the engine raises its one
    service-less escalation (to the Nominated Individual, a role gap) only when no named service is behind.
    """
    code = instance.step_run.code
    if raw or not created or not instance.breached or code not in (*HOLD_STEPS, FIGURES_STEP):
        return
    from .models import ReportingUpdate
    from .services import place_automatic_hold, tell_managers_of_services_behind

    subject = instance.step_run.chain_run.subject
    if not isinstance(subject, ReportingUpdate):
        return
    if code == FIGURES_STEP:
        tell_managers_of_services_behind(subject, instance)
    else:
        place_automatic_hold(subject, instance)


def connect_issue_hold() -> None:
    post_save.connect(on_step_recorded, sender=StepRecord, dispatch_uid="reporting_control_c4_hold")
