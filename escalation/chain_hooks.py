"""The one place the engine calls back into the chain apps when something happens in a case.

The engine never imports the chain apps (they sit above it in the house order, see the README's code
tour); each chain app hands the engine its hooks in its AppConfig.ready(), by name, for its chain:

    from escalation import chain_hooks
    chain_hooks.register("C", recorded=hooks.act_on_breach)

The hook, and when the engine calls it:

- ``recorded(record)``: a step of the chain was recorded (escalation.services.record_step), with the
  StepRecord (``record.breached``, ``record.step_run``). Called inside the recording's transaction,
  after the record is saved and before the step's breach escalation is raised, so a side effect
  (chain C's issue hold) is saved with the record or not at all, and breach escalations the chain
  raises itself (C2's, one per service behind) are the ones the engine then finds.

The figures an app computes for a step's measures are not hooks: they are the computations the
measures name, in the one registry of escalation/computations.py.

A domain side effect of the engine is one of these hooks, never a model signal: what happens when a
step is recorded can be read here and in the chain apps' ``apps.py``.
"""

from collections.abc import Callable

HOOK_NAMES = ("recorded",)
_REGISTRY: dict[tuple[str, str], list[Callable]] = {}


def register(chain_code: str, *, recorded: Callable | None = None) -> None:
    """Add the chain's hooks (each once, however often ready() runs)."""
    for name, function in (("recorded", recorded),):
        functions = _REGISTRY.setdefault((chain_code, name), [])
        if function is not None and function not in functions:
            functions.append(function)


def unregister(chain_code: str, *, recorded: Callable | None = None) -> None:
    """Remove hooks added by register() (tests that add a hook of their own take it away again)."""
    for name, function in (("recorded", recorded),):
        functions = _REGISTRY.get((chain_code, name), [])
        if function in functions:
            functions.remove(function)


def hooks(chain_code: str, name: str) -> list[Callable]:
    """The functions registered for the chain under this hook name, in registration order."""
    if name not in HOOK_NAMES:
        raise ValueError(f"Unknown chain hook {name!r}; the hooks are {', '.join(HOOK_NAMES)}.")
    return list(_REGISTRY.get((chain_code, name), []))


def step_recorded(record) -> None:
    """Tell the record's chain that a step was recorded (the `recorded` hooks, in order)."""
    for function in hooks(record.step_run.chain_run.chain.code, "recorded"):
        function(record)
