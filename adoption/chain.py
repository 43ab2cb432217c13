"""The one place this app talks to the escalation engine about chain B (a deployment's case)."""

from escalation import services as engine
from escalation.models import StepTemplate
from escalation.step_facts import StepFacts
from escalation.subjects import ChainCases
from escalation.weak_groups import raise_weak_group_escalations
from providers.permissions import once_a_request

from .models import Deployment

CHAIN_CODE = "B"
# The daily check of clinical records, reconciled against the clinical baseline set at deployment.
CLINICAL_RECORDS_STEP = "B2"
# The drill, compared with the last drill before the learning (set at deployment too).
DRILL_STEP = "B3"
DRILL_BASELINE = "Correct demonstration at the last drill before the learning"
NOT_RECORDED = "Not recorded at deployment"


def steps() -> list[StepTemplate]:
    """Chain B's step templates in order, read once per request: the deployment page, its form and
    recording an observation each ask for them (outside a request, read every time)."""
    return once_a_request(
        ("chain B step templates",),
        lambda: list(StepTemplate.objects.filter(chain__code=CHAIN_CODE).order_by("order")),
    )


def start(deployment, by, until=None):
    """Start chain B on the deployment; deadlines count from when the learning went live."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=deployment.service.provider,
        subject=deployment,
        anchor_at=deployment.deployed_at,
        service=deployment.service,
        until=until,
        started_by=by,
    )


CASES = ChainCases(CHAIN_CODE)
run_for, close = CASES.run_for, CASES.close


def raise_weak_groups(deployment, code: str, groups: list, occurred_at, now=None) -> list:
    """Tell step `code`'s target about each weak group, (name, Evaluation), once per occurrence, at `now`
    (default the current time)."""
    if not groups:
        return []  # nothing to tell: the case need not be looked up
    run = run_for(deployment)
    if run is None:
        return []
    return raise_weak_group_escalations(run, code, groups, occurred_at=occurred_at, now=now)


def baseline_facts(step_run) -> StepFacts | None:
    """The baseline set at deployment that the step's check compares with, for the step's page: B2's
    clinical figures (each, or NOT_RECORDED on a deployment from before they were asked for, and any
    other notes, such a deployment's baseline in words), B3's last drill before the learning (found:
    B3's check said to compare with it and its page did not show it). One query: the case's deployment."""
    deployment = step_run.chain_run.subject
    if not isinstance(deployment, Deployment):
        return None
    if step_run.code == DRILL_STEP:
        return StepFacts("Baseline at deployment", [(DRILL_BASELINE, f"{deployment.baseline_drill_pct}%")])
    rows = [
        (label[:1].upper() + label[1:], NOT_RECORDED if value is None else f"{value}{unit}")
        for label, value, unit in deployment.clinical_baseline
    ]
    if deployment.baseline_clinical_note:
        rows.append(("Other notes on the clinical baseline", deployment.baseline_clinical_note))
    return StepFacts("Baseline at deployment", rows)
