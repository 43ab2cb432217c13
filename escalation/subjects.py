"""One app's handle on the engine for the cases of one chain: find a subject's run and steps, record
a step, close the case. Each chain app keeps a `chain.py` that adds only what is its own (how a case
starts, what the engine can pre-fill), so the calls into the engine are written once, here."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from . import services


class ChainCases:
    """The cases of one chain (A, B or C) whose subjects belong to one app."""

    def __init__(self, chain_code: str):
        self.chain_code = chain_code

    def run_for(self, subject):
        """The subject's run of this chain, or None."""
        if subject.pk is None:
            return None
        return services.chain_run_for(subject, self.chain_code)

    def step_run(self, subject, code: str):
        """The subject's latest step run with this code, or None."""
        run = self.run_for(subject)
        if run is None:
            return None
        return run.step_runs.filter(code=code).order_by("-occurrence").first()

    def record(
        self, subject, code: str, *, by, values: dict, notes: str = "", check_done: str = "", now=None
    ):
        """Record a step of the subject's case with these values; returns the engine's record."""
        run = self.step_run(subject, code)
        if run is None:
            raise ObjectDoesNotExist(f"Chain {self.chain_code} step {code} is not running for {subject}.")
        return services.record_step(
            run, by=by, values=values, check_done=check_done, notes=notes, now=now or timezone.now()
        )

    def close(self, subject, by, reason: str) -> None:
        """Close the subject's case, so its remaining steps stop falling overdue."""
        run = self.run_for(subject)
        if run is not None and run.is_open:
            services.close_chain_run(run, by=by, reason=reason)
