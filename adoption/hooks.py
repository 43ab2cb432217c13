"""What the escalation engine calls back for chain B (see escalation/chain_hooks.py).

Registered in AdoptionConfig.ready(); nothing else in the app imports this module, so it may use any
part of the app without making an import circle.
"""

from . import chain
from .models import Deployment


def prefill_values(step_run) -> dict:
    """B1's baseline comes from the deployment, so the checker never retypes it."""
    subject = step_run.chain_run.subject
    if step_run.code != "B1" or not isinstance(subject, Deployment):
        return {}
    return chain.baselines(subject)
