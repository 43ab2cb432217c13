"""Small helpers shared by the business actions."""

import time
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils import timezone


def refuse(message: str, field: str | None = None) -> None:
    """Stop an action that breaks a rule, with a message a person can act on."""
    raise ValidationError({field: message} if field else message)


def now_or(now):
    """The given instant, or the current one (functions take `now` so tests can fix the clock)."""
    return now or timezone.now()


def save_with_history(obj, by, reason: str = "", update_fields=None) -> None:
    """Save and make the history row name who did it and why, also outside a request (tasks, tests)."""
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]
    obj.save(update_fields=update_fields)


class Phases:
    """How long each phase of one piece of work took, in seconds, added up over its calls (an import's
    copy runs once per chunk). Used as `with phases("check"): ...`; the import logs it and the scale
    benchmark prints it, so where the time goes can be seen without a profiler."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def __str__(self):
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())
