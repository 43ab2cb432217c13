"""The one place this app talks to the escalation engine about chain B (a deployment's case)."""

from escalation import services as engine
from escalation.subjects import ChainCases
from escalation.weak_groups import raise_weak_group_escalations

CHAIN_CODE = "B"


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


def raise_weak_groups(deployment, code: str, groups: list, occurred_at) -> list:
    """Tell step `code`'s target about each weak group, (name, Evaluation), once per occurrence."""
    if not groups:
        return []  # nothing to tell: the case need not be looked up
    run = run_for(deployment)
    if run is None:
        return []
    return raise_weak_group_escalations(run, code, groups, occurred_at=occurred_at)
