"""Weak groups: a team, shift or location whose own figures breach a step's rule while the service's
figures as a whole do not. The engine tells the step's target about each, once per occurrence."""

from typing import NamedTuple

from django.utils import timezone

from .choices import EscalationKind, group_words
from .models import ChainRun
from .raising import EscalationSpec, raise_escalations
from .rules import Evaluation


class WeakGroup(NamedTuple):
    """A weak group as the engine is told of it: its name ("team Yew"), the rule's verdict on its
    figures, and whether that verdict is on its latest figures (its mean being within the rule: found,
    a team's good earlier shifts hid today's) rather than on its mean."""

    name: str
    evaluation: Evaluation
    latest: bool = False


def raise_weak_group_escalations(run: ChainRun, code: str, groups: list, *, occurred_at, now=None) -> list:
    """Tell the step's target about each weak group: one whose own figures breach the step's rule while
    the service's as a whole do not ("never let an average hide a weak team").

    `groups` are WeakGroups (or (name, Evaluation) pairs), the name saying which group. Each group is
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
            group.evaluation,
            reason=f"{step_run.label}: {_breaches(group)} while the service as a whole does not: "
            f"{group.evaluation.text}.",
            occurred_at=occurred_at,
            service=run.service,
            group=group.name,
        )
        for group in (WeakGroup(*each) for each in groups)
    ]
    return raise_escalations(specs, now)


def _breaches(group: WeakGroup) -> str:
    """ "the night shift breaches the threshold", or "the Day team's latest figures breach it"."""
    if group.latest:
        return f"{group_words(group.name)}'s latest figures breach the threshold"
    return f"{group_words(group.name)} breaches the threshold"
