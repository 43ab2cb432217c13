"""Escalations, their delivery (outbox and inbox) and the engine's own record of what it did."""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from providers.choices import ROLE_SCOPE, Role, Scope
from providers.models import Provider, Region, Service

from ..choices import EscalationKind, EscalationState, EventKind, group_words
from .chains import describe_window
from .runs import ChainRun, StepRun


class Escalation(models.Model):
    """A named role told that a step breached its threshold, is overdue, or that an escalation went
    unacknowledged (a follow-up one level up: Provider Director, then Nominated Individual).

    Each exists once: a first-level escalation once per step run, kind, group and breach number (a
    weak team, shift or location is told once per occurrence of the step; other kinds name no group;
    a step that breaches again after every earlier breach escalation of it was resolved raises its
    next breach number), a follow-up once per parent, all enforced by the database whatever number
    of ticks run, in parallel or late.
    """

    step_run = models.ForeignKey(StepRun, on_delete=models.PROTECT, related_name="escalations")
    chain_run = models.ForeignKey(ChainRun, on_delete=models.PROTECT, related_name="escalations")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="escalations")
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        help_text="The service concerned; its role holders are found first.",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a step run once per region: that region, where its role holders are found.",
    )
    kind = models.CharField(max_length=10, choices=EscalationKind.choices)
    group = models.CharField(
        max_length=150,
        blank=True,
        default="",
        help_text="The team, shift or location a weak-group escalation names, e.g. 'team Yew'.",
    )
    level = models.PositiveSmallIntegerField(default=1)
    # A step put right and then breaching again is a new problem, told afresh: its 2nd breach, 3rd….
    # Part of the once-only constraint, so each breach is still raised exactly once.
    breach_number = models.PositiveSmallIntegerField(
        default=1,
        db_default=1,
        help_text=(
            "Which breach of its step this is about: 1 for the first, 2 for a breach recorded after the "
            "first was resolved, and so on. A follow-up keeps its first level's; other kinds are 1."
        ),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread",
        help_text="The first-level escalation this follow-up descends from.",
    )
    target_role = models.CharField(max_length=40, choices=Role.choices)
    role_gap = models.BooleanField(
        default=False, help_text="Nobody held the target role, so the Nominated Individual was told."
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Notification", related_name="escalations"
    )
    reason = models.TextField(help_text="Why it was raised, in words.")
    rule = models.JSONField(default=dict, blank=True)
    deciding = models.JSONField(default=dict, blank=True)
    action = models.TextField()
    response_working_hours = models.DecimalField(max_digits=5, decimal_places=2)
    occurred_at = models.DateTimeField(help_text="When the breach was recorded or the deadline passed.")
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateTimeField()
    follow_up_due = models.BooleanField(
        default=False, help_text="True while a follow-up will be raised if nobody acknowledges in time."
    )
    state = models.CharField(max_length=15, choices=EscalationState.choices, default=EscalationState.RAISED)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)
    action_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_recorded_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    settled = models.BooleanField(
        default=False,
        db_default=False,
        help_text=(
            "Resolved without anyone acting on it: its step was recorded, or another level of the same "
            "escalation was resolved. The resolution note says which, by whom and when."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step_run", "kind", "group", "breach_number"],
                condition=models.Q(parent__isnull=True),
                name="escalation_once_per_step_run_kind_group_breach",
            ),
            models.UniqueConstraint(fields=["parent"], name="escalation_one_follow_up_each"),
            models.CheckConstraint(
                condition=models.Q(kind="follow_up", parent__isnull=False, level__gte=2)
                | (~models.Q(kind="follow_up") & models.Q(parent__isnull=True, level=1)),
                name="escalation_follow_up_has_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(response_working_hours__gte=0), name="escalation_window_not_negative"
            ),
        ]
        indexes = [
            # The follow-up scan reads only escalations still waiting for an acknowledgement.
            models.Index(
                fields=["acknowledge_by"],
                condition=models.Q(follow_up_due=True, state="raised"),
                name="escalation_follow_up_scan",
            ),
            models.Index(fields=["provider", "state"], name="escalation_provider_state"),
        ]

    def __str__(self):
        about = f" ({self.group})" if self.group else ""
        kind = self.get_kind_display().lower()
        return f"{self.step_run.code} {kind}{about} → {self.get_target_role_display()}"

    def get_absolute_url(self):
        return reverse("escalation:detail", args=[self.pk])

    @property
    def target_place(self):
        """Where the role it went to is held, as the role is held: the provider for a provider-level
        role (the Nominated Individual is the provider's, never a service's), else the region or
        service the escalation is about."""
        scope = ROLE_SCOPE.get(self.target_role)
        if scope == Scope.PROVIDER:
            return self.provider
        if scope == Scope.REGION:
            return self.region or (self.service.region if self.service_id else self.provider)
        return self.service or self.region or self.provider

    @property
    def window_words(self) -> str:
        """The response window as every page and e-mail says it ("immediately — within 1 hour")."""
        return describe_window(self.response_working_hours)

    # An acknowledged escalation whose action is in waits only for someone to resolve it.
    ACTION_RECORDED_WORDS = "Action recorded — to be resolved"

    @property
    def state_words(self) -> str:
        """The state as pages show it: what happened and what happens next (a settled escalation says
        what settled it, so nobody reads it as an action they still owe)."""
        if self.settled and self.state == EscalationState.RESOLVED:
            return self.resolution_note
        if self.state == EscalationState.ACKNOWLEDGED and self.action_taken:
            return self.ACTION_RECORDED_WORDS
        if self.is_late:
            # Short, for a tag beside the deadline the lists and the page already show.
            return "Late — acknowledge it now"
        return self.get_state_display()

    @property
    def kind_words(self) -> str:
        """What the escalation is, as a list names it: a weak group's says which group, so two of one
        check ("the night shift", "the Night team") never read as the same row twice."""
        kind = self.get_kind_display()
        # A follow-up keeps its first level's group: two reminders of one check about different groups
        # (a weak night shift, the check itself overdue) are told apart too.
        if self.group and self.kind in (EscalationKind.WEAK_GROUP, EscalationKind.FOLLOW_UP):
            return f"{kind}: {self.group_words}"
        return kind

    @property
    def level_words(self) -> str:
        """A follow-up's rung in words, after whom it went to: "2nd follow-up" for level 3 ("" for a
        first level). Found: "Nominated Individual (level 3)" explained nothing to a care manager."""
        return f"{ordinal(self.level - 1)} follow-up" if self.level > 1 else ""

    @property
    def group_words(self) -> str:
        """The weak group as a sentence says it ("the night shift"); a service (C2's) as it is kept."""
        return group_words(self.group)

    @property
    def about_weak_group(self) -> bool:
        """A weak group's escalation, or a follow-up of one (its first level read through `root`)."""
        if self.kind == EscalationKind.FOLLOW_UP and self.root_id:
            return self.root.kind == EscalationKind.WEAK_GROUP
        return self.kind == EscalationKind.WEAK_GROUP

    @property
    def is_late(self) -> bool:
        """Raised and still not acknowledged after its deadline (the engine has raised its follow-up)."""
        return self.state == EscalationState.RAISED and self.acknowledge_by <= timezone.now()

    @property
    def display_state(self) -> str:
        """The state a list colours its tag by: a late acknowledgement reads as overdue, in red."""
        return "overdue" if self.is_late else self.state

    @property
    def is_open(self) -> bool:
        return self.state != EscalationState.RESOLVED


class Notification(models.Model):
    """One person told about one escalation: the e-mail outbox row and the in-app inbox item.

    Rows are written in the transaction that raises the escalation and e-mailed after commit by
    `escalation.notifications.send_pending_notifications`, which claims each row before sending so nobody
    is e-mailed twice. `read_at` is the inbox's read state.

    A row without an escalation is a message the apps send through the same outbox (`notifications.
    queue_message`), such as a withdrawn verification: it carries its own `subject` and `body`, is
    e-mailed only, and never shows in the escalation inbox.
    """

    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="escalation_notifications"
    )
    email = models.EmailField(blank=True, help_text="The address at the time it was queued.")
    created_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A message's own words (rows without an escalation). Empty by default in Python (the engine's
    # INSERT … SELECT fills every column with it) and in the database (raw inserts naming only the
    # escalation's columns, as the benchmark's, still work).
    subject = models.CharField(max_length=250, blank=True, default="", db_default="")
    body = models.TextField(blank=True, default="", db_default="")
    # What a message is about ("learning_notice:12"), when its app composes it as it leaves
    # (`notifications.register_message_kind`); each such message is queued once per person.
    about = models.CharField(max_length=60, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "user"], name="notification_once_per_person"),
            models.UniqueConstraint(
                fields=["about", "user"], condition=~models.Q(about=""), name="message_once_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(escalation__isnull=False) | ~models.Q(subject=""),
                name="notification_about_something",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True, claim_token__isnull=True),
                name="notification_unsent",
            ),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["user", "created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return f"{self.escalation or self.subject} to {self.user}"


class EngineEvent(models.Model):
    """An explicit record of a state change made by the engine or a business action (never edited)."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    chain_run = models.ForeignKey(
        ChainRun, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    step_run = models.ForeignKey(
        StepRun, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["chain_run", "at"], name="engine_event_by_case"),
            models.Index(fields=["escalation", "at"], name="engine_event_by_escalation"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class EngineHeartbeat(models.Model):
    """When the engine last ran, so pages can warn staff when deadlines are not being watched."""

    name = models.CharField(max_length=40, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_raised = models.PositiveIntegerField(default=0)
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} last ran {self.last_finished_at}"
