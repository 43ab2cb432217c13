"""The computations chain B's measures name (fixtures/chains.json), registered in AppConfig.ready().

Chain B's figures are observed in live practice and entered by people; only the baseline the
deployment keeps is computed, and fixed: the checker neither retypes nor changes it.
"""

from escalation.computations import Context, CouldNotCompute, registry
from escalation.measures import baseline_key
from providers.templatetags.nhsuk import london

from . import chain
from .models import Deployment


def deployment_completion_baseline(context) -> float:
    """Care-record completion over the last 3 shifts before the learning, as the deployment records it."""
    deployment = context.subject
    if not isinstance(deployment, Deployment):
        raise CouldNotCompute("this case is not about a deployment")
    return float(deployment.baseline_completion_pct)


def set_at_deployment(context) -> str:
    """Where B1's baseline comes from: fixed when the learning was deployed, so the service lead whose
    shift is checked never sets their own pass mark."""
    deployment = context.subject
    return f"set at deployment on {london(deployment.deployed_at)} by {deployment.deployed_by}"


def baselines(deployment, templates: dict | None = None) -> dict[str, float]:
    """The baselines chain B's measures compute from the deployment, keyed as recorded values
    ("<measure>__baseline"): what every group's figures are compared with, as the step form is.
    `templates` are chain B's step templates by code, when the caller has them already."""
    context = Context(subject=deployment, now=deployment.deployed_at)
    result = {}
    for step in chain.steps() if templates is None else templates.values():
        for measure in step.measures:
            computation = registry.get(measure.get("baseline_computation") or "")
            if computation is not None:
                result[baseline_key(measure["name"])] = computation.function(context)
    return result


def register_computations() -> None:
    """Register chain B's computations with the engine's one registry."""
    registry.register(
        "deployment_completion_baseline", deployment_completion_baseline, fixed_by=set_at_deployment
    )
