"""Running cases: a ChainRun on a subject, its StepRuns (snapshots of the template) and their records."""

import re
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from providers.choices import Role
from providers.models import Provider, Region, Service
from providers.templatetags.nhsuk import london

from .. import step_facts
from ..choices import NOT_OPEN, NOT_OPEN_WORDS, ChainRunStatus, StepRunState, TargetScope
from ..rules import describe_rule
from .chains import ChainTemplate, StepTemplate, describe_window, window_length

# A shift's check falls due inside its shift, and the longest shift a care service runs (12 hours) ends
# at most this long after: a check recorded later than this was recorded after its shift.
AFTER_ITS_SHIFT = timedelta(hours=12)


class ChainRun(models.Model):
    """One running case of a chain on a subject (a learning trigger, a deployment, a reporting update).

    A subject has at most one case per chain. The case's steps are copied from the template when it
    starts, so editing the template later never changes an open case's deadlines or thresholds.
    """

    chain = models.ForeignKey(ChainTemplate, on_delete=models.PROTECT, related_name="runs")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="chain_runs")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="chain_runs"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(max_length=255, help_text="The subject's name when the case started.")
    anchor_at = models.DateTimeField(help_text="The event the deadlines count from (chain C: the issue).")
    until = models.DateTimeField(null=True, blank=True, help_text="Recurring steps are scheduled up to here.")
    status = models.CharField(max_length=10, choices=ChainRunStatus.choices, default=ChainRunStatus.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "content_type", "object_id"], name="chain_run_once_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="chain_run_subject"),
            models.Index(fields=["provider", "status"], name="chain_run_provider_status"),
        ]

    def __str__(self):
        return f"{self.subject_label} – {self.chain.name.lower()}"

    def get_absolute_url(self):
        return reverse("escalation:chain_run", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ChainRunStatus.OPEN

    def occurrence_at(self, code: str, when) -> "StepRun | None":
        """The occurrence of step `code` in force at `when`: the first due at or after it, else the last
        (a step run once has one occurrence, which is always the one in force)."""
        occurrences = self.step_runs.filter(code=code).select_related(
            "chain_run__provider", "chain_run__service"
        )
        return (
            occurrences.filter(due_at__gte=when).order_by("due_at", "pk").first()
            or occurrences.order_by("-due_at", "-pk").first()
        )


class StepRun(models.Model):
    """One occurrence of a step in a running case: a snapshot of the step with its own deadline.

    Recurring steps (each shift, each working day) have one StepRun per occurrence. The engine scans
    `due_at` of rows still `due` and claims them by making them `overdue` with a conditional UPDATE.
    """

    chain_run = models.ForeignKey(ChainRun, on_delete=models.CASCADE, related_name="step_runs")
    step_template = models.ForeignKey(StepTemplate, on_delete=models.PROTECT, related_name="+")
    # The snapshot: copied from the template (and the provider's tuning) when the case started.
    code = models.CharField(max_length=4)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=120)
    breach_status = models.CharField(max_length=160, blank=True)
    role = models.CharField(max_length=40, choices=Role.choices)
    deadline_rule = models.JSONField()
    due_text = models.CharField(max_length=200)
    measures = models.JSONField()
    check_method = models.TextField()
    evidence_store = models.CharField(max_length=255)
    threshold_rule = models.JSONField()
    escalate_to = models.CharField(max_length=40, choices=Role.choices)
    target_scope = models.CharField(max_length=20, choices=TargetScope.choices, default=TargetScope.RUN)
    response_working_hours = models.DecimalField(max_digits=5, decimal_places=2)
    action = models.TextField()
    # A step whose role is held per region (A4, the Deputy Regional Manager's) runs once per region.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a step run once per region the case covers: that region.",
    )
    # The occurrence and its progress.
    occurrence = models.PositiveSmallIntegerField(default=1)
    due_at = models.DateTimeField()
    # Set when the case is scheduled (escalation/scheduling.py `opening_time`): the one time the step
    # page, every list ("Not open yet — opens …") and the refusal on record read.
    opens_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this occurrence may be recorded: its shift's start, the check before it "
        "falling due, or the shifts it judges having ended. Empty: open from the start of the case.",
    )
    state = models.CharField(max_length=10, choices=StepRunState.choices, default=StepRunState.DUE)
    recorded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["chain_run", "order", "due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain_run", "code", "occurrence"], name="step_run_occurrence_once"
            ),
            models.CheckConstraint(
                condition=models.Q(occurrence__gte=1), name="step_run_occurrence_from_one"
            ),
            models.CheckConstraint(
                condition=models.Q(response_working_hours__gte=0), name="step_run_window_not_negative"
            ),
        ]
        indexes = [
            # The overdue scan reads only rows still due, by deadline.
            models.Index(fields=["due_at"], condition=models.Q(state="due"), name="step_run_due_scan"),
        ]

    def __str__(self):
        if self.region_id is not None:
            return f"{self.label} – {self.region}"
        return self.label

    def get_absolute_url(self):
        return reverse("escalation:step_run", args=[self.pk])

    @property
    def label(self) -> str:
        """The step in plain words with its code, for text without markup (messages, reasons, e-mail)."""
        return f"{self.name or self.title} ({self.code})"

    @property
    def window_text(self) -> str:
        """How long the target has to acknowledge, for a sentence saying "within …"."""
        return window_length(self.response_working_hours)

    @property
    def window_words(self) -> str:
        """The response window as every page and e-mail says it ("immediately — within 1 hour")."""
        return describe_window(self.response_working_hours)

    @property
    def threshold_text(self) -> str:
        return describe_rule(self.threshold_rule, self.measures)

    def state_words(self, state: str | None = None) -> str:
        """The state (by default as shown now) in words saying what happened and what to do next;
        a breach uses the step's own words ("Mandatory learning needed — issue it ...")."""
        state = state or self.display_state()
        if state == StepRunState.BREACHED and self.breach_status:
            return self._breach_words()
        if state == NOT_OPEN:
            return NOT_OPEN_WORDS.format(opens=london(self.opens_at))
        return StepRunState(state).label

    def _breach_words(self) -> str:
        """The step's own breach words; for a shift's check recorded well after its shift, what the
        breach is with "act on the next shift" in place of the seed's "on this shift" or "tonight",
        which would send people to the wrong shift days later. Once what the breach asks for is done
        (A1's learning issued, `step_facts.done_already`), it says so in place of the request."""
        kind = (self.deadline_rule or {}).get("kind", "")
        late = self.recorded_at is not None and self.recorded_at - self.due_at > AFTER_ITS_SHIFT
        what, _, _ = self.breach_status.partition(" — ")
        done = step_facts.done_already(self) if self.chain_run_id else None
        if done:
            return f"{what} — {done}"
        if kind.startswith("each_shift") and late:
            return f"{what} — recorded after the shift it checks: act on the next shift"
        return self.breach_status

    @property
    def due_words(self) -> str:
        """When the step is due, in words to show beside its date: the seed's ("by 10:18 on the same
        working day"), except for a clock time counted from the step before, whose "same working day"
        is the day that step falls due, or the next: beside a date the day after the failure, the
        seed's words alone read as a mistake."""
        rule = self.deadline_rule or {}
        if (
            "after_step" in rule
            and rule["kind"] == "clock_on_working_day"
            and not rule.get("working_days_after")
        ):
            time = rule["time"]
            return (
                f"by {time} on the working day the step before it is due, or the next working day if that "
                f"step is due at {time} or later"
            )
        # Pages say it in brackets after the date: the seed's own brackets ("(by its close)") would nest.
        return re.sub(r"\s*\(([^()]*)\)", r", \1", self.due_text)

    @property
    def opens_when(self) -> str:
        """Why the occurrence opens at `opens_at`, for "It opens at …, {this}: record it then"."""
        rule = self.deadline_rule
        if "opens_after_shifts" in rule:
            return f"once the {rule['opens_after_shifts']} shifts it looks at have ended"
        if rule["kind"] == "each_shift_before":
            return "when its shift starts"  # the check before it fell due the day before
        if rule["kind"] == "each_shift":
            began = self.due_at.astimezone(UTC) - timedelta(hours=float(rule["within_hours"]))
            if self.opens_at is not None and self.opens_at <= began:
                return "when its shift starts"
        return "when the check before it falls due"

    @property
    def is_recorded(self) -> bool:
        return self.state in (StepRunState.RECORDED, StepRunState.BREACHED)

    def display_state(self, now=None) -> str:
        """The state for a timeline: a due step past its deadline shows as overdue before the engine
        runs, and a check whose turn has not come (`opens_at`) as not open (NOT_OPEN). No query."""
        now = now or timezone.now()
        if self.state != StepRunState.DUE:
            return self.state
        if self.due_at <= now:
            return StepRunState.OVERDUE
        if self.opens_at is not None and now < self.opens_at:
            return NOT_OPEN
        return self.state


class StepRecord(models.Model):
    """What a person recorded for a step run: the measure values, the check done, notes, evidence links,
    and the threshold rule's result with the values that decided it.

    Recording again supersedes the earlier record (kept, `is_current` false) rather than editing it.
    """

    step_run = models.ForeignKey(StepRun, on_delete=models.CASCADE, related_name="records")
    values = models.JSONField()
    check_done = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    evidence_links = models.TextField(blank=True, help_text="One link or reference per line.")
    # Why the person recorded the step again ("I typed 85 instead of 95"): shown beside the record, and
    # told to whoever this record withdraws a breach from. Blank on a step's first record.
    correction_reason = models.TextField(blank=True)
    affected_service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    breached = models.BooleanField()
    deciding = models.JSONField(default=dict, help_text="The values that decided the rule's result.")
    explanation = models.TextField()
    # How it was recorded early ("with figures not final (…)", "before C1 was recorded"), when the
    # person ticked "Record it now anyway": its page, and the summary's word on the board's check, say so.
    recorded_early = models.TextField(blank=True, editable=False)
    is_current = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step_run"], condition=models.Q(is_current=True), name="step_record_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.step_run} recorded {self.recorded_at:%Y-%m-%d %H:%M}"

    @property
    def late(self) -> bool:
        return self.recorded_at > self.step_run.due_at

    @property
    def evidence_list(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]
