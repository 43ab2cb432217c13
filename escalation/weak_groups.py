"""Weak groups: a team, shift or location whose own figures breach a step's rule while the service's
figures as a whole do not. The engine tells the step's target about each, once per occurrence."""

from django.utils import timezone

from .choices import EscalationKind, group_words
from .models import ChainRun
from .raising import EscalationSpec, raise_escalations


def raise_weak_group_escalations(run: ChainRun, code: str, groups: list, *, occurred_at, now=None) -> list:
    """Tell the step's target about each weak group: one whose own figures breach the step's rule while
    the service's as a whole do not ("never let an average hide a weak team").

    `groups` are (name, Evaluation) pairs, the name saying which group, e.g. "team Yew". Each group is
    raised once per occurrence of the step (the one in force at `occurred_at`), to the case's service's
    holders of the target role, whatever number of times its figures are recorded. Returns the new ones.
    """
    now = now or timezone.now()
    step_run = run.occurrence_at(code, occurred_at) if groups else None
    if step_run is None:
        return []
    specs = [
        EscalationSpec.of_rule(
            step_run,
            EscalationKind.WEAK_GROUP,
            evaluation,
            reason=(
                f"{step_run.label}: {group_words(name)} breaches the threshold while the service "
                f"as a whole does not: {evaluation.text}."
            ),
            occurred_at=occurred_at,
            service=run.service,
            group=name,
        )
        for name, evaluation in groups
    ]
    return raise_escalations(specs, now)
