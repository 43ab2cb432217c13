"""Models of the adoption app: learning deployed at a matched service, and what each team showed."""

from django.db import models
from simple_history.models import HistoricalRecords

from learning_transfer.models import MatchedService
from providers.models import REASON_MAX_LENGTH, Service, Team, User

STEP_CODES = ["B1", "B2", "B3", "B4", "B5"]


class DeploymentStatus(models.TextChoices):
    """Whether the learning's checks are still running at the service: what happened, then what next."""

    ACTIVE = "active", "Live — record the adoption checks as they fall due"
    CLOSED = "closed", "Closed — no more checks"


class Deployment(models.Model):
    """The learning of one matched service put into live practice there: the anchor of chain B.

    It keeps the three pre-learning baselines chain B compares against: the last 3 shifts' care-record
    completion (B1), the clinical baseline (B2) and the last drill's demonstration rate (B3).
    """

    matched_service = models.OneToOneField(
        MatchedService, on_delete=models.PROTECT, related_name="deployment"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="deployments")
    deployed_at = models.DateTimeField(help_text="When the learning went live at the service.")
    deployed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    baseline_completion_pct = models.DecimalField(
        "care-record completion over the last 3 shifts (%)",
        max_digits=4,
        decimal_places=1,
        help_text="B1 baseline: completion for the process before the learning.",
    )
    baseline_clinical_note = models.TextField(
        "pre-learning clinical baseline",
        help_text="B2 baseline: omissions, wound-care and risk-note figures.",
    )
    baseline_drill_pct = models.DecimalField(
        "last drill's demonstration (%)",
        max_digits=4,
        decimal_places=1,
        help_text="B3 baseline: average correct demonstration at the last pre-learning drill.",
    )
    status = models.CharField(
        max_length=10, choices=DeploymentStatus.choices, default=DeploymentStatus.ACTIVE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deployed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_completion_pct__gte=0, baseline_completion_pct__lte=100),
                name="deployment_completion_baseline_pct",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_drill_pct__gte=0, baseline_drill_pct__lte=100),
                name="deployment_drill_baseline_pct",
            ),
        ]
        indexes = [models.Index(fields=["service", "status"], name="deployment_service_status")]

    def __str__(self):
        return f"{self.matched_service.trigger.reference} at {self.service}"


# A correction's reason is as long as any other reason for a change, and the history keeps it whole.
CORRECTION_REASON_MAX = REASON_MAX_LENGTH
LOCATION_MAX = 60


class AdoptionObservation(models.Model):
    """One group's figures for a chain B step, so variation is never averaged away (seed 004).

    The group is a team, a shift, a location within the service, or any mix of them. `values` holds
    measure name to number for the step's measures that were observed. A correction edits the row in
    place; its history keeps the earlier figures, who corrected them and why.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="observations")
    step_code = models.CharField(max_length=2, choices=[(c, c) for c in STEP_CODES])
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    shift_name = models.CharField(max_length=40, blank=True)
    location = models.CharField(
        max_length=LOCATION_MAX,
        blank=True,
        help_text="A place within the service, such as 'First floor' or 'Garden wing'.",
    )
    values = models.JSONField()
    observed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["observed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(step_code__in=STEP_CODES), name="observation_step_is_chain_b"
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | ~models.Q(shift_name="") | ~models.Q(location=""),
                name="observation_names_team_shift_or_location",
            ),
        ]
        indexes = [models.Index(fields=["deployment", "step_code"], name="observation_lookup")]

    def __str__(self):
        return " ".join(filter(None, [self.step_code, self.group_label]))

    @property
    def group_label(self) -> str:
        """The team, shift and location the figures are about, e.g. "Oak, late shift, First floor"."""
        parts = [
            self.team.name if self.team_id else "",
            f"{self.shift_name} shift" if self.shift_name else "",
            self.location,
        ]
        return ", ".join(p for p in parts if p)
