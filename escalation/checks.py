"""The system check that keeps fixtures/chains.json and the registry of computations in step.

It reads the fixture file itself (checks run before the database may exist) and refuses start-up when
a measure names a computation no app registered, names none at all, gives parameters its computation
does not take, or when a registered computation is named by no measure (a measure renamed or removed).
"""

from django.core import checks

from . import loading
from .computations import registry

FIXTURE_NAME = "fixtures/chains.json"


def _error(message: str, hint: str, number: int) -> checks.Error:
    return checks.Error(message, hint=hint, obj=FIXTURE_NAME, id=f"escalation.E{number:03d}")


def _measure_errors(step: dict, measure: dict, named: set) -> list[checks.Error]:
    where = f"Measure '{measure['name']}' of step {step['code']}"
    if "computation" not in measure:
        return [
            _error(
                f"{where} does not say how it is computed.",
                'Give "computation": the key of a registered computation, or null when a person enters it.',
                2,
            )
        ]
    errors = []
    for field, parameters in (("computation", measure.get("parameters") or {}), ("baseline_computation", {})):
        key = measure.get(field)
        if not key:
            continue
        named.add(key)
        computation = registry.get(key)
        if computation is None:
            errors.append(
                _error(
                    f"{where} names {field.replace('_', ' ')} '{key}', which no app registers.",
                    f"Registered computations: {', '.join(sorted(registry.keys()))}.",
                    3,
                )
            )
            continue
        try:
            computation.check_parameters(parameters, where)
        except ValueError as exc:
            errors.append(_error(str(exc), "Give exactly the parameters the computation takes.", 4))
    return errors


def measure_computations(app_configs=None, **kwargs) -> list[checks.Error]:
    """Every fixture measure names a registered computation (or null), and every computation a measure."""
    try:
        chains = loading.read_fixture()
    except Exception as exc:  # any fault of the file is a reason to refuse start-up, said plainly
        return [_error(f"{FIXTURE_NAME} cannot be loaded: {exc}", "Correct the file.", 1)]
    errors, named = [], set()
    for chain in chains:
        for step in chain["steps"]:
            for measure in step["measures"]:
                errors.extend(_measure_errors(step, measure, named))
    for key in sorted(registry.keys() - named):
        errors.append(
            _error(
                f"Computation '{key}' is registered but no measure in {FIXTURE_NAME} names it.",
                "A measure was renamed or removed: name it in a measure, or stop registering it.",
                5,
            )
        )
    return errors
