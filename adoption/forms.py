"""Forms of the adoption app; `{{ form }}` renders them with NHS.UK markup."""

from django import forms
from django.utils import timezone

from providers.fields import ChoiceField, DateTimeField, RecordChoiceField

from .models import CORRECTION_REASON_MAX, LOCATION_MAX
from .services import CHECK_VIEWS


class CheckFilterForm(forms.Form):
    """Which chain B checks the service page lists: the open ones by default."""

    show = ChoiceField(
        label="Show checks",
        choices=[(key, label) for key, (label, _) in CHECK_VIEWS.items()],
        required=False,
    )

    def states(self) -> list[str]:
        chosen = (self.cleaned_data.get("show") if self.is_valid() else "") or "open"
        return CHECK_VIEWS[chosen][1]


class DeployForm(forms.Form):
    """When the learning went live at the service, and the three pre-learning baselines."""

    deployed_at = DateTimeField(
        label="When the learning went live",
        help_text="UK time, for example 2026-11-23 09:00.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
    )
    baseline_completion_pct = forms.DecimalField(
        label="Care-record completion over the last 3 shifts (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text="B1 compares each shift's completion with this.",
    )
    baseline_clinical_note = forms.CharField(
        label="Pre-learning clinical baseline",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Omissions per 100 administrations, wound-care entries in time, risk-note updates.",
    )
    baseline_drill_pct = forms.DecimalField(
        label="Last drill's average correct demonstration (%)", min_value=0, max_value=100, decimal_places=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployed_at"].initial = timezone.localtime().strftime("%Y-%m-%d %H:%M")


class GroupFieldsMixin:
    """The team, shift and location an observation is about, offered from the service's own lists."""

    def add_group_fields(self, service) -> None:
        self.fields["team"] = RecordChoiceField(
            label="Team",
            queryset=service.teams.order_by("name"),
            required=False,
            empty_label="No particular team",
        )
        self.fields["shift_name"] = ChoiceField(
            label="Shift",
            required=False,
            choices=[("", "No particular shift")] + [(p.name, p.name) for p in service.shift_patterns.all()],
        )
        self.fields["location"] = forms.CharField(
            label="Location",
            required=False,
            max_length=LOCATION_MAX,
            help_text="A place within the service, such as First floor or Garden wing.",
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("team") and not cleaned.get("shift_name") and not cleaned.get("location"):
            raise forms.ValidationError("Choose the team or the shift, or give the location.")
        return cleaned


class ObservationForm(GroupFieldsMixin, forms.Form):
    """One measure's value for a team, shift and/or location, so the deployment page can compare groups."""

    measure = ChoiceField(label="Measure")
    value = forms.DecimalField(label="Value", decimal_places=2)
    observed_at = DateTimeField(
        label="When observed",
        help_text="UK time, for example 2026-11-23 14:00.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
    )
    field_order = ["measure", "team", "shift_name", "location", "value", "observed_at"]

    def __init__(self, *args, deployment, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [
            (f"{step.code}:{m['name']}", f"{step.code} – {m['label']}")
            for step in steps
            for m in step.measures
        ]
        self.add_group_fields(deployment.service)
        self.order_fields(self.field_order)
        self.fields["observed_at"].initial = timezone.localtime().strftime("%Y-%m-%d %H:%M")


class CorrectionForm(GroupFieldsMixin, forms.Form):
    """The figures and group of one observation as they should have been entered, and why."""

    reason = forms.CharField(
        label="Why the observation is corrected",
        max_length=CORRECTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Up to {CORRECTION_REASON_MAX} characters. The history keeps it with your name.",
    )

    def __init__(self, *args, observation, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the measures recorded can be corrected: one field each, filled with the value as entered.
        self.measures = list(observation.values)
        for name in self.measures:
            self.fields[f"value_{name}"] = forms.DecimalField(
                label=labels.get(name, name), decimal_places=2, initial=observation.values[name]
            )
        self.add_group_fields(observation.deployment.service)
        self.order_fields([f"value_{name}" for name in self.measures] + ["team", "shift_name", "location"])
        self.initial.setdefault("team", observation.team_id)
        self.initial.setdefault("shift_name", observation.shift_name)
        self.initial.setdefault("location", observation.location)

    def corrected_values(self) -> dict:
        return {name: self.cleaned_data[f"value_{name}"] for name in self.measures}
