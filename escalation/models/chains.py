"""The five-step chains as data: templates loaded from fixtures/chains.json, tuned per provider."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from providers.calendar import describe_deadline_rule, validate_deadline_rule
from providers.choices import Role
from providers.models import Provider

from ..choices import ChainCode, TargetScope
from ..computations import registry
from ..measures import check_step_text, text_in_words, validate_measure_definitions, with_parameters
from ..rules import RuleError, describe_rule, validate_rule

# A window of 0 is the guidance's "immediately": the target is told at once and must acknowledge within
# this real (not working) time, day or night.
IMMEDIATE_ACKNOWLEDGE = timedelta(hours=1)


def _hours(number: Decimal, unit: str) -> str:
    return f"{number.normalize():f} {unit}{'' if number == 1 else 's'}"


def window_length(hours) -> str:
    """How long the target of an escalation has to acknowledge it, for a sentence that says "within":
    "2 working hours", or "1 hour" for an immediate escalation (IMMEDIATE_ACKNOWLEDGE)."""
    if hours is None:
        return ""
    hours = Decimal(hours)
    if hours == 0:
        return _hours(Decimal(IMMEDIATE_ACKNOWLEDGE / timedelta(hours=1)), "hour")
    return _hours(hours, "working hour")


def describe_window(hours) -> str:
    """A response window in words, the same on every page and e-mail: "within 2 working hours", and
    for the guidance's "immediately" both what it asks and the deadline it gets: "immediately —
    within 1 hour"."""
    if hours is None:
        return ""
    within = f"within {window_length(hours)}"
    return f"immediately — {within}" if Decimal(hours) == 0 else within


def validate_step_json(*, deadline_rule=None, measures=None, threshold_rule=None, check_method=None) -> None:
    """Check a step's JSON fields together (and the parameters its check method shows); raise
    ValidationError keyed by field with a clear message."""
    errors = {}
    if deadline_rule is not None:
        try:
            validate_deadline_rule(deadline_rule)
        except ValueError as exc:
            errors["deadline_rule"] = str(exc)
    measures_ok = False
    if measures is not None:
        try:
            validate_measure_definitions(measures)
            measures_ok = True
        except ValueError as exc:
            errors["measures"] = str(exc)
    if threshold_rule is not None and measures_ok:
        try:
            validate_rule(threshold_rule, measures)
        except RuleError as exc:
            errors["threshold_rule"] = str(exc)
    if check_method is not None and measures_ok:
        try:
            check_step_text(check_method, measures, "The check method")
        except ValueError as exc:
            errors["check_method"] = str(exc)
    if errors:
        raise ValidationError(errors)


class ChainTemplate(models.Model):
    """One of the three five-step control chains (A learning transfer, B adoption, C reporting control).

    For chain C the anchor is a future issue date; its recurring steps run through the preparation
    window of `preparation_working_days` working days before it.
    """

    code = models.CharField(max_length=1, choices=ChainCode.choices, unique=True)
    name = models.CharField(max_length=120)
    anchor = models.CharField(max_length=255, help_text="The event a case of this chain starts from.")
    owner_app = models.CharField(max_length=40, help_text="The app whose records start cases of this chain.")
    preparation_working_days = models.PositiveSmallIntegerField(
        default=0, help_text="For chains anchored on a future issue: the preparation window in working days."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"Chain {self.code} – {self.name}"


class StepTemplate(models.Model):
    """One step of a chain: who records what, by when, how it is checked, and whom to tell on a breach.

    The JSON fields are validated whenever the row is saved, whatever saves it (admin, fixture, shell).
    """

    chain = models.ForeignKey(ChainTemplate, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=4, unique=True)
    name = models.CharField(
        max_length=120,
        blank=True,
        help_text="What the step does, in plain words (the code is shown beside it).",
    )
    title = models.CharField(max_length=120, help_text="The seed's name for the step's record.")
    breach_status = models.CharField(
        max_length=160,
        blank=True,
        help_text="The status shown when the threshold rule fires: what happened and what to do next.",
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    deadline_rule = models.JSONField(help_text="A deadline rule of providers/calendar.py.")
    due_text = models.CharField(max_length=200, help_text="The seed's wording of the deadline.")
    measures = models.JSONField(help_text="The measures recorded (see escalation/measures.py).")
    check_method = models.TextField()
    evidence_store = models.CharField(max_length=255)
    threshold_rule = models.JSONField(help_text="When to escalate (see escalation/rules.py).")
    escalate_to = models.CharField(max_length=40, choices=Role.choices)
    target_scope = models.CharField(max_length=20, choices=TargetScope.choices, default=TargetScope.RUN)
    response_working_hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Working hours to respond to an escalation; 0 means immediately.",
    )
    action = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["chain__code", "order"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "order"], name="step_order_unique_per_chain"),
            models.CheckConstraint(condition=models.Q(order__gte=1), name="step_order_from_one"),
            models.CheckConstraint(
                condition=models.Q(response_working_hours__gte=0), name="step_window_not_negative"
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        validate_step_json(
            deadline_rule=self.deadline_rule,
            measures=self.measures,
            threshold_rule=self.threshold_rule,
            check_method=self.check_method,
        )
        if self.response_working_hours is not None and self.response_working_hours < 0:
            raise ValidationError({"response_working_hours": "A response window cannot be negative."})

    @property
    def label(self) -> str:
        """The step in plain words with its code, for text without markup."""
        return f"{self.name or self.title} ({self.code})"

    @property
    def deadline_text(self) -> str:
        return describe_deadline_rule(self.deadline_rule)

    @property
    def window_words(self) -> str:
        """The response window as every page and e-mail says it ("immediately — within 1 hour")."""
        return describe_window(self.response_working_hours)

    @property
    def threshold_text(self) -> str:
        return describe_rule(self.threshold_rule, self.measures)

    @property
    def check_method_text(self) -> str:
        """The check method with the default parameters of the step's measures in words."""
        return text_in_words(self.check_method, self.measures)


class ProviderStepSetting(models.Model):
    """A provider's own threshold rule, response window and/or measure parameters (the windows, sample
    sizes and look-backs of the measures the system computes) for one step, with the reason for it.

    Empty fields inherit the template's values. New cases of that provider snapshot the tuned values;
    open cases keep theirs.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="step_settings")
    step = models.ForeignKey(StepTemplate, on_delete=models.CASCADE, related_name="provider_settings")
    threshold_rule = models.JSONField(null=True, blank=True)
    response_working_hours = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    measure_parameters = models.JSONField(
        null=True,
        blank=True,
        help_text='Tuned parameters of computed measures: {"measure name": {"window_hours": 6}}.',
    )
    reason = models.TextField(help_text="Why this provider differs from the seed's value.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "step"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "step"], name="step_setting_once_per_provider"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="step_setting_needs_reason"),
            models.CheckConstraint(
                condition=models.Q(response_working_hours__isnull=True)
                | models.Q(response_working_hours__gte=0),
                name="step_setting_window_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.step.code} for {self.provider}"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if not (self.reason or "").strip():
            errors["reason"] = "Give the reason this provider differs from the default."
        if self.response_working_hours is not None and self.response_working_hours < 0:
            errors["response_working_hours"] = "A response window cannot be negative."
        if errors:
            raise ValidationError(errors)
        if self.threshold_rule is not None:
            validate_step_json(measures=self.step.measures, threshold_rule=self.threshold_rule)
        if self.measure_parameters is not None:
            self._check_parameters()

    def _check_parameters(self) -> None:
        """Each tuned parameter belongs to a computed measure of the step and lies in its computation's
        range (a window of 0 hours is refused); errors are keyed "<measure>__<parameter>"."""
        if not isinstance(self.measure_parameters, dict):
            raise ValidationError({"measure_parameters": "Parameters must be given per measure."})
        measures = {m["name"]: m for m in self.step.measures}
        errors = {}
        for name, values in self.measure_parameters.items():
            measure = measures.get(name)
            computation = registry.get(measure.get("computation") or "") if measure else None
            if computation is None or not isinstance(values, dict):
                errors["measure_parameters"] = f"{self.step.code} has no computed measure called '{name}'."
                continue
            for parameter_name, value in values.items():
                parameter = computation.parameter(parameter_name)
                if parameter is None or parameter_name not in (measure.get("parameters") or {}):
                    errors["measure_parameters"] = f"'{name}' has no parameter called '{parameter_name}'."
                    continue
                try:
                    parameter.check(value)
                except ValueError as exc:
                    errors[f"{name}__{parameter_name}"] = str(exc)
        if errors:
            raise ValidationError(errors)
        try:
            check_step_text(self.step.check_method, self.effective_measures, "The check method")
        except ValueError as exc:
            # Shown beside a tuned field of the parameter the text shows.
            text = self.step.check_method
            fields = [
                f"{m}__{p}"
                for m, values in self.measure_parameters.items()
                for p in values
                if f"{{{p}}}" in text
            ]
            raise ValidationError({fields[-1] if fields else "measure_parameters": str(exc)}) from None

    @property
    def effective_rule(self) -> dict:
        return self.threshold_rule if self.threshold_rule is not None else self.step.threshold_rule

    @property
    def effective_measures(self) -> list[dict]:
        """The step's measures with this provider's parameters, labels in words."""
        return with_parameters(self.step.measures, self.measure_parameters)

    @property
    def effective_check_method(self) -> str:
        """The step's check method with this provider's parameters in words."""
        return text_in_words(self.step.check_method, self.effective_measures)

    @property
    def effective_window(self) -> Decimal:
        if self.response_working_hours is not None:
            return self.response_working_hours
        return self.step.response_working_hours
