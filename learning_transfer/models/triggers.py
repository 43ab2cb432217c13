"""Learning triggers (serious failures) and the services matched to them: the learning-transfer register."""

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from providers.choices import RiskTag, label_of
from providers.models import Provider, Service, User

from ..choices import CLOSED_STATUSES, IncidentTheme, RootCauseFactor, TriggerStatus
from .incidents import Incident

TEXT_MAX_LENGTH = 4000  # a page of plain text: what happened, the causes, the fix, the learning


class LearningTrigger(models.Model):
    """A serious failure confirmed at one service: the anchor of chain A.

    It separates the local fix (what was put right at the source service) from the learning (what
    the provider learned that applies wherever the same risk exists), as seeds 001 and 002 ask.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="learning_triggers")
    title = models.CharField(max_length=200, help_text="A short name, for example 'Missed insulin dose'.")
    source_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="source_triggers")
    source_incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="learning_triggers"
    )
    theme = models.CharField(max_length=30, choices=IncidentTheme.choices)
    risk_tags = models.JSONField(
        default=list, help_text="The risk-profile tags this failure belongs to; matching compares them."
    )
    match_same_service_type = models.BooleanField(
        default=True, help_text="Untick to match services of every type that share a risk tag."
    )
    # Long texts are limited (on the forms: Django does not hold a TextField to it) so one pasted
    # document cannot flood the trigger's page and every evidence pack.
    what_happened = models.TextField(max_length=TEXT_MAX_LENGTH)
    confirmed_at = models.DateTimeField(help_text="When the serious failure was confirmed.")
    root_cause_factors = models.JSONField(default=list, blank=True)
    root_cause_summary = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="The cause beyond the incident: systemic weaknesses, culture and leadership.",
    )
    local_fix = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="What was put right at the source service."
    )
    learning_statement = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="What the provider learned that applies beyond the source service.",
    )
    governance_change = models.TextField(
        max_length=TEXT_MAX_LENGTH, blank=True, help_text="The governance change the learning led to."
    )
    measurable_target = models.CharField(
        max_length=300,
        blank=True,
        help_text="For example: 95% of sampled deterioration concerns escalated in time.",
    )
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=TriggerStatus.choices, default=TriggerStatus.LOGGED)
    closed_reason = models.TextField(
        blank=True,
        help_text="Why the trigger was closed without mandatory learning, as the quality director said.",
    )
    # The A1 baseline, snapshotted when matching runs so later data never rewrites what was decided on,
    # with the look-back (these days) and the working days the figures were counted over.
    rates_first_day = models.DateField(null=True, blank=True)
    rates_last_day = models.DateField(null=True, blank=True)
    open_actions_working_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Open actions were counted when due within this many working days of confirmation.",
    )
    # Six decimal places keep three significant figures of rates as small as 0.001 per 100 care hours.
    provider_median_rate = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    notices_issued_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Set by `log_trigger` to the moment it is given, so a case recorded after the fact reads in order.
    logged_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "confirmed_at"], name="trigger_provider_time"),
            models.Index(fields=["provider", "status"], name="trigger_provider_status"),
        ]
        constraints = [
            # The same failure, at the same service, confirmed at the same minute, is logged once
            # however many times the form is sent.
            models.UniqueConstraint(
                fields=["source_service", "confirmed_at", "title"], name="trigger_logged_once"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("learning_transfer:trigger_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"LT-{self.pk:04d}" if self.pk else "LT-new"

    @property
    def is_closed(self) -> bool:
        """Closed either way (learning verified everywhere, or no mandatory learning needed)."""
        return self.status in CLOSED_STATUSES

    @property
    def rate_days(self) -> int | None:
        """How many days the matched services' rates were counted over (A1's look-back when matched)."""
        if self.rates_first_day is None or self.rates_last_day is None:
            return None
        return (self.rates_last_day - self.rates_first_day).days + 1

    @property
    def risk_tag_labels(self) -> list[str]:
        return [label_of(RiskTag, tag) for tag in self.risk_tags]

    @property
    def root_cause_labels(self) -> list[str]:
        return [label_of(RootCauseFactor, factor) for factor in self.root_cause_factors]


# MatchedService's figures kept from its notices; only `notices.refresh_notice_figures` writes them.
NOTICE_FIGURES = [
    "first_notice_at",
    "first_acknowledged_at",
    "has_current_notice",
    "current_notice_acknowledged",
]


# MatchedService's trend figures: its service's incidents, and care hours in hundredths of an hour
# (integers, so sums are exact and cheap), in each week around its trigger's learning issue. Only
# `trend.refresh_trend_figures` writes them.
TREND_WEEKS = (-4, -3, -2, -1, 1, 2, 3, 4)


def trend_field(week: int, figure: str) -> str:
    """The column keeping one figure ("incidents" or "hour_hundredths") of one trend week."""
    return f"week_{'minus' if week < 0 else 'plus'}{abs(week)}_{figure}"


TREND_FIGURES = [
    trend_field(week, figure) for week in TREND_WEEKS for figure in ("incidents", "hour_hundredths")
]


class MatchedService(models.Model):
    """A service found comparable to a trigger's source service, with its A1 baseline and exposure.

    Services found by the rule start included; the quality director can leave one out or add one
    the rule missed, always with a reason. Leaving out keeps the row, so "services left out" stays visible.
    """

    trigger = models.ForeignKey(LearningTrigger, on_delete=models.CASCADE, related_name="matches")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="learning_matches")
    matched_by_rule = models.BooleanField(default=True)
    included = models.BooleanField(default=True)
    reason = models.TextField(blank=True, help_text="Why the service was added or left out by hand.")
    shared_tags = models.JSONField(default=list, blank=True)
    # A1 baseline over the trigger's look-back (`rates_first_day` to `rates_last_day`; the names keep
    # the seed's 7 days and 5 working days, the values follow the provider's tuning).
    incidents_7d = models.PositiveIntegerField(default=0)
    care_hours_7d = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    rate_7d = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, help_text="Empty when no care hours recorded."
    )
    above_median = models.BooleanField(default=False)
    open_actions_due_5d = models.PositiveIntegerField(default=0)
    # Exposure (A3, A4).
    briefing_completed_at = models.DateTimeField(null=True, blank=True)
    comparable_risk_open_since = models.DateTimeField(
        null=True, blank=True, help_text="When a comparable risk was found open at this service."
    )
    comparable_risk_resolved_at = models.DateTimeField(null=True, blank=True)
    expected_reduction_pct = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Expected % reduction in comparable risk once the learning is implemented.",
    )
    implementation_confirmed_at = models.DateTimeField(null=True, blank=True)
    implementation_confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A verification holds only while what it rested on holds (`services.verification`): when a later
    # change undoes it, it is withdrawn, and these say when and why until it is verified again (the
    # history keeps every verification and withdrawal, with who).
    verification_withdrawn_at = models.DateTimeField(null=True, blank=True)
    verification_withdrawn_because = models.TextField(blank=True)
    # Receipt, kept from the service's notices of every round by `notices.refresh_notice_figures` (on
    # every write of a notice), so the executive summary counts it per trigger without reading notices.
    first_notice_at = models.DateTimeField(null=True, editable=False)
    first_acknowledged_at = models.DateTimeField(null=True, editable=False)
    has_current_notice = models.BooleanField(default=False, editable=False)
    current_notice_acknowledged = models.BooleanField(default=False, editable=False)
    # The trend around learning issue (the executive summary sums them over the filtered matches), kept
    # from the daily roll-up by `trend.refresh_trend_figures`: week -1 is the 7 London days before the
    # issue day, week 1 the issue day and the 6 after. A week without care hours keeps 0 incidents (it
    # does not count); a trigger not issued keeps 0 everywhere.
    week_minus4_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_minus4_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_minus3_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_minus3_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_minus2_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_minus2_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_minus1_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_minus1_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_plus1_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_plus1_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_plus2_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_plus2_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_plus3_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_plus3_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    week_plus4_incidents = models.PositiveIntegerField(default=0, editable=False)
    week_plus4_hour_hundredths = models.PositiveIntegerField(default=0, editable=False)
    # Figures worked out from other rows are not a person's edit: no history of their own.
    history = HistoricalRecords(excluded_fields=NOTICE_FIGURES + TREND_FIGURES)

    # Left out of the learning after a notice had gone to it. A notice goes only to an included service
    # (issue and redistribution both ask), so a service left out with a first notice was left out after
    # it, whatever happened in between. It was sent the learning: its receipt still counts.
    LEFT_OUT_AFTER_ITS_NOTICE = models.Q(included=False, first_notice_at__isnull=False)

    class Meta:
        ordering = ["service__name"]
        constraints = [
            models.UniqueConstraint(fields=["trigger", "service"], name="matched_service_once_per_trigger")
        ]

    def __str__(self):
        return f"{self.service} for {self.trigger.reference}"

    def save(self, *args, **kwargs):
        """Save the match, never its notice or trend figures: an instance read before a notice or the
        roll-up changed would otherwise write the old figures back (they are written only by
        `refresh_notice_figures` and `refresh_trend_figures`)."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kept = NOTICE_FIGURES + TREND_FIGURES
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in kept
            ]
        super().save(*args, **kwargs)

    def receipt_deadline(self, hours: int):
        """When the service's receipt clock runs out: `hours` (A2's receipt window) after its own first
        notice, kept by `notices.refresh_notice_figures` (None before any). Its own, so a service added
        to the trigger later gets its full window; never restarted by redistribution, so learning
        received only on redistribution is late."""
        if self.first_notice_at is None:
            return None
        return self.first_notice_at + timedelta(hours=hours)

    def received_within(self, hours: int) -> bool:
        """Whether the service received its learning in time: a notice of any round acknowledged by
        its receipt deadline, which is its first acknowledgement at most `hours` after its first
        notice. The same comparison as `receipt_counts.received_in_time`, which makes it in SQL for counts."""
        deadline = self.receipt_deadline(hours)
        if deadline is None or self.first_acknowledged_at is None:
            return False
        return self.first_acknowledged_at <= deadline

    @property
    def left_out_after_its_notice(self) -> bool:
        """`LEFT_OUT_AFTER_ITS_NOTICE`, of this match."""
        return not self.included and self.first_notice_at is not None

    @property
    def shared_tag_labels(self) -> list[str]:
        return [label_of(RiskTag, tag) for tag in self.shared_tags]

    @property
    def has_unresolved_comparable_risk(self) -> bool:
        return self.comparable_risk_open_since is not None and self.comparable_risk_resolved_at is None

    def comparable_risk_open_longer_than(self, hours: int, now) -> bool:
        """A3: a comparable risk found here is still unresolved more than `hours` after it was found."""
        return self.has_unresolved_comparable_risk and now - self.comparable_risk_open_since > timedelta(
            hours=hours
        )
