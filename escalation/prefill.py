"""Pre-filling a step's record form from other apps' data.

An app that knows a step's figures registers a function for its chain in its AppConfig.ready():

    from escalation import prefill
    prefill.register("A", lambda step_run: {"matched_services": 4, ...})

The function receives the StepRun (its `code`, `chain_run.subject`, ...) and returns initial values
keyed by measure name (group measures as {"item": number}); it may also return "check_done", "notes"
and "evidence_links". Several functions for one chain are merged in registration order.
The person still reviews and saves the values: a prefill never records anything by itself.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)
_REGISTRY: dict[str, list[Callable]] = {}


def register(chain_code: str, function: Callable) -> None:
    functions = _REGISTRY.setdefault(chain_code, [])
    if function not in functions:
        functions.append(function)


def unregister(chain_code: str, function: Callable) -> None:
    if function in _REGISTRY.get(chain_code, []):
        _REGISTRY[chain_code].remove(function)


def get_prefill(step_run) -> dict:
    """Initial values for the step's form; a failing prefill is logged and skipped, never blocking."""
    initial: dict = {}
    for function in _REGISTRY.get(step_run.chain_run.chain.code, []):
        try:
            initial.update(function(step_run) or {})
        except Exception:
            logger.exception("Prefill %r failed for step run %s", function, step_run.pk)
    return initial
