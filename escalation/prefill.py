"""Pre-filling a step's record form from other apps' data.

The chain apps register their `prefill` hooks in escalation.chain_hooks (see there): each receives the
StepRun (its `code`, `chain_run.subject`, ...) and returns initial values keyed by measure name.
The person still reviews and saves the values: a prefill never records anything by itself.
"""

import logging

from . import chain_hooks

logger = logging.getLogger(__name__)


def get_prefill(step_run) -> dict:
    """Initial values for the step's form; a failing prefill is logged and skipped, never blocking."""
    initial: dict = {}
    for function in chain_hooks.hooks(step_run.chain_run.chain.code, "prefill"):
        try:
            initial.update(function(step_run) or {})
        except Exception:
            logger.exception("Prefill %r failed for step run %s", function, step_run.pk)
    return initial
