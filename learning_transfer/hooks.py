"""What the escalation engine calls back for chain A (see escalation/chain_hooks.py).

Registered in LearningTransferConfig.ready(); nothing else in the app imports this module, so it may
use any part of the app without making an import circle.
"""

from django.utils import timezone

from .models import LearningTrigger
from .services.measures import step_values


def prefill_values(step_run) -> dict:
    """What this app can compute for a chain A step run, for the engine's step form (None left out)."""
    subject = step_run.chain_run.subject
    if not isinstance(subject, LearningTrigger):
        return {}
    values = step_values(subject, step_run.code, timezone.now(), region=step_run.region)
    return {key: value for key, value in values.items() if value is not None}
