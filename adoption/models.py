"""Models of the adoption app: learning deployed at a matched service, and what each team showed."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from learning_transfer.models import MatchedService
from providers.models import REASON_MAX_LENGTH, Service, Team, User

STEP_CODES = ["B1", "B2", "B3", "B4", "B5"]
# B2's pre-learning figures, in the order the step lists its measures.
# How the refusal of over-long clinical notes names them ("Shorten the other notes ... to 500 characters").
CLINICAL_NOTE_WHAT = "the other notes on the clinical records"
CLINICAL_BASELINE_FIELDS = ["baseline_omissions_per_100", "baseline_wound_care_pct", "baseline_risk_note_pct"]


class DeploymentStatus(models.TextChoices):
    """Whether the learning's checks are still running at the service: what happened, then what next."""

    ACTIVE = "active", "Live — record the adoption checks as they fall due"
    CLOSED = "closed", "Closed — no more checks"


def _between_0_and_100(field: str, name: str, *, may_be_missing: bool = False) -> models.CheckConstraint:
    """The database's own refusal of a baseline outside 0 to 100, so no path around the forms stores one.
    `may_be_missing`: empty is allowed too (a figure older deployments were made without)."""
    within = models.Q(**{f"{field}__gte": 0, f"{field}__lte": 100})
    if may_be_missing:
        within = models.Q(**{f"{field}__isnull": True}) | within
    return models.CheckConstraint(condition=within, name=name)


class Deployment(models.Model):
    """The learning of one matched service put into live practice there: the anchor of chain B.

    It keeps the pre-learning baselines chain B compares against: the last 3 shifts' care-record
    completion (B1), the clinical baseline's three figures (B2) and the last drill's demonstration
    rate (B3). The B2 figures are empty only on a deployment made when the clinical baseline was one
    box of text; that text is kept in `baseline_clinical_note`, now for any other notes.
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
    # Nullable only for deployments made before the figures were asked for; deploying requires them
    # (blank=False, so `full_clean` refuses a deployment without them).
    baseline_omissions_per_100 = models.DecimalField(
        "medication omissions per 100 administrations over 24 hours",
        max_digits=4,
        decimal_places=1,
        null=True,
        help_text="B2 baseline: omissions per 100 administrations before the learning.",
    )
    baseline_wound_care_pct = models.DecimalField(
        "wound-care entries within 2 hours of treatment (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        help_text="B2 baseline: wound-care entries in time before the learning.",
    )
    baseline_risk_note_pct = models.DecimalField(
        "risk-note updates in the same shift (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        help_text="B2 baseline: same-shift risk-note updates before the learning.",
    )
    baseline_clinical_note = models.TextField(
        "other notes on the clinical baseline",
        blank=True,
        # As long as any reason a person gives: the deploy form and `deploy_learning` refuse more.
        max_length=REASON_MAX_LENGTH,
        help_text="B2: what the figures do not say; older deployments keep their baseline text here.",
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
            _between_0_and_100("baseline_completion_pct", "deployment_completion_baseline_pct"),
            _between_0_and_100("baseline_drill_pct", "deployment_drill_baseline_pct"),
            # Omissions per 100 administrations: at most one per administration.
            _between_0_and_100(
                "baseline_omissions_per_100", "deployment_omissions_baseline_range", may_be_missing=True
            ),
            _between_0_and_100(
                "baseline_wound_care_pct", "deployment_wound_care_baseline_pct", may_be_missing=True
            ),
            _between_0_and_100(
                "baseline_risk_note_pct", "deployment_risk_note_baseline_pct", may_be_missing=True
            ),
        ]
        indexes = [models.Index(fields=["service", "status"], name="deployment_service_status")]

    def __str__(self):
        return f"{self.matched_service.trigger.reference} at {self.service}"

    def get_absolute_url(self):
        return reverse("adoption:deployment_detail", args=[self.pk])

    @property
    def clinical_baseline(self) -> list[tuple[str, object, str]]:
        """B2's pre-learning figures as (label, value, unit) for the page, e.g. ("wound-care entries
        within 2 hours of treatment", 86.0, "%"); a value is None where the deployment predates them."""
        figures = []
        for name in CLINICAL_BASELINE_FIELDS:
            label = str(self._meta.get_field(name).verbose_name)
            unit = "%" if label.endswith("(%)") else " per 100"
            figures.append((label.removesuffix(" (%)"), getattr(self, name), unit))
        return figures


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
