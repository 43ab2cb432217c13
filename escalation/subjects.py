"""One app's handle on the engine for the cases of one chain: find a subject's run and steps, record
a step, close the case. Each chain app keeps a `chain.py` that adds only what is its own (how a case
starts, what the engine can pre-fill), so the calls into the engine are written once, here."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from providers.permissions import compiled_once

from . import services
from .models import StepRecord, StepRun


@dataclass(frozen=True)
class SubjectKind:
    """What a case's subject is called on the engine's pages, and the permission to open its page."""

    noun: str
    permission: str


# Each chain's subject by its model ("app_label.model"), named here as strings: the engine imports no
# chain app (they sit above it in the house order). A subject not listed (a test's) is linked to by
# none of the engine's pages.
SUBJECT_KINDS = {
    "learning_transfer.learningtrigger": SubjectKind("learning", "learning_transfer.view_trigger"),
    "adoption.deployment": SubjectKind("deployment", "adoption.view_deployment"),
    "reporting_control.reportingupdate": SubjectKind("update", "reporting_control.view_update"),
}


@dataclass(frozen=True)
class SubjectLink:
    """A link to a case's subject: what it says ("Open the update RU-0003 …") and where it goes."""

    words: str
    url: str


def subject_link(user, run) -> SubjectLink | None:
    """The link from a case's pages (an escalation, the case, a step) to the trigger, deployment or
    update the case is about, where what its escalations ask is done (redistribute the learning, keep
    the issue hold); None for a person who may not open it. A fixed number of queries: the subject,
    and what its permission reads."""
    content_type = ContentType.objects.get_for_id(run.content_type_id)  # cached for the process
    kind = SUBJECT_KINDS.get(f"{content_type.app_label}.{content_type.model}")
    subject = run.subject if kind is not None else None
    if subject is None or not user.has_perm(kind.permission, subject):
        return None
    return SubjectLink(f"Open the {kind.noun} {subject}", subject.get_absolute_url())


def case_steps(run) -> list[StepRun]:
    """A case's step runs in order, with their regions, each knowing its case: one query, whose SQL
    is kept for every case (a trigger's page asks it on every view)."""
    steps = compiled_once(
        None,
        "a case's steps",
        lambda run_id: (
            StepRun.objects.filter(chain_run_id=run_id).select_related("region").order_by("order", "due_at")
        ),
        run_id=run.pk,
    ).rows()
    for step in steps:
        step.chain_run = run  # as run.step_runs would have set it
    return steps


def current_record(step_run) -> StepRecord | None:
    """The step run's current record with who made it, or None: SQL kept as for `case_steps`."""
    found = compiled_once(
        None,
        "a step's current record",
        lambda step_id: StepRecord.objects.filter(step_run_id=step_id, is_current=True).select_related(
            "recorded_by"
        )[:1],
        step_id=step_run.pk,
    ).rows()
    if not found:
        return None
    found[0].step_run = step_run
    return found[0]


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

    def step_run_in_force(self, subject, code: str, when):
        """The subject's occurrence of step `code` in force at `when` (a day's check: that day's), or None."""
        run = self.run_for(subject)
        return run.occurrence_at(code, when) if run is not None else None

    def record(
        self,
        subject,
        code: str,
        *,
        by,
        values: dict,
        check_done: str,
        notes: str = "",
        now=None,
        reasons: dict | None = None,
    ):
        """Record the occurrence of a step of the subject's case in force now with these values (and
        `reasons`, why each figure typed over the system's differs: recording.record_step); returns the
        engine's record."""
        now = now or timezone.now()
        run = self.step_run_in_force(subject, code, now)
        if run is None:
            raise ObjectDoesNotExist(f"Chain {self.chain_code} step {code} is not running for {subject}.")
        return services.record_step(
            run, by=by, values=values, check_done=check_done, notes=notes, now=now, reasons=reasons
        )

    def close(self, subject, by, reason: str, now=None) -> None:
        """Close the subject's case at `now` (default now), so its remaining steps stop falling overdue."""
        run = self.run_for(subject)
        if run is not None and run.is_open:
            services.close_chain_run(run, by=by, reason=reason, now=now)
