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


def clinical_baseline_facts(step_run) -> StepFacts | None:
    """B2's clinical baseline as the deployment keeps it, for the step's page, where the clinical lead
    compares the day's sample with it: each figure, or NOT_RECORDED on a deployment from before the
    figures were asked for, and any other notes (such a deployment's baseline in words). One query:
    the case's deployment."""
    deployment = step_run.chain_run.subject
    if not isinstance(deployment, Deployment):
        return None
    rows = [
        (label[:1].upper() + label[1:], NOT_RECORDED if value is None else f"{value}{unit}")
        for label, value, unit in deployment.clinical_baseline
    ]
    if deployment.baseline_clinical_note:
        rows.append(("Other notes on the clinical baseline", deployment.baseline_clinical_note))
    return StepFacts("Baseline at deployment", rows)
