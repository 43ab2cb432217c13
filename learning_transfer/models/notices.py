"""Learning notices, implementation leads and lines: learning turned into owned, timed action."""

from django.db import models
from simple_history.models import HistoricalRecords

from providers.models import Service, User

from .triggers import MatchedService


class LearningNotice(models.Model):
    """The learning issued to one matched service, with a named owner and an implementation due date.

    Redistribution supersedes a notice with a new one (round 2, 3 …), so the service has exactly one
    current notice and the record of the first issue is never rewritten.
    """

    matched_service = models.ForeignKey(MatchedService, on_delete=models.CASCADE, related_name="notices")
    round = models.PositiveSmallIntegerField(default=1)
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_notices",
        help_text="The named service owner who must acknowledge and implement it.",
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True, help_text="When implementation is due.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["matched_service__service__name", "-round"]
        constraints = [
            models.UniqueConstraint(
                fields=["matched_service"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_notice_per_matched_service",
            )
        ]
        indexes = [models.Index(fields=["owner", "acknowledged_at"], name="notice_owner_ack")]

    def __str__(self):
        return f"Notice {self.round} to {self.matched_service.service}"

    @property
    def service(self) -> Service:
        return self.matched_service.service

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class ImplementationLead(models.Model):
    """The named person confirmed as leading the learning's implementation at one matched service."""

    matched_service = models.OneToOneField(MatchedService, on_delete=models.CASCADE, related_name="lead")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.person} leads at {self.matched_service.service}"

    @classmethod
    def leading(cls, matched_service=None):
        """The leads who lead now (`leads_now`, in SQL), of `matched_service` when given (an OuterRef
        for a subquery "has a lead")."""
        leads = cls.objects.filter(person__is_active=True)
        return leads if matched_service is None else leads.filter(matched_service=matched_service)

    @property
    def leads_now(self) -> bool:
        """Whether the lead can still lead: a person whose sign-in was switched off (they left) leads
        nothing, and the service counts as having no lead until another is confirmed."""
        return self.person.is_active

    def words(self) -> str:
        """The lead as a page names them: "Yusuf Price", or "Yusuf Price (left: sign-in switched off)"."""
        return str(self.person) if self.leads_now else f"{self.person} (left: sign-in switched off)"


class ImplementationLine(models.Model):
    """One action at a service: a task, its owner and due time (seed 003: owners, timescales, review).

    Lines made for a trigger belong to its matched service; a service's other open actions have no
    matched service but still count as open action lines when A1 looks at the service.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="action_lines")
    matched_service = models.ForeignKey(
        MatchedService, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    task = models.CharField(max_length=300)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["service", "completed_at", "due_at"], name="action_line_open_due")]
        constraints = [
            # An open line is added once, however many times the form is sent.
            models.UniqueConstraint(
                fields=["matched_service", "task", "owner", "due_at"],
                condition=models.Q(completed_at__isnull=True),
                name="open_line_added_once",
            ),
        ]

    def __str__(self):
        return f"{self.task} ({self.service})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
