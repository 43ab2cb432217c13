"""Forms of the adoption app; `{{ form }}` renders them with NHS.UK markup."""

from django import forms
from django.utils import timezone


class DeployForm(forms.Form):
    """When the learning went live at the service, and the three pre-learning baselines."""

    deployed_at = forms.DateTimeField(
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


class ObservationForm(forms.Form):
    """One measure's value for a team and/or shift, so the deployment page can compare groups."""

    measure = forms.ChoiceField(label="Measure")
    team = forms.ModelChoiceField(
        label="Team", queryset=None, required=False, empty_label="No particular team"
    )
    shift_name = forms.ChoiceField(label="Shift", required=False)
    value = forms.DecimalField(label="Value", decimal_places=2)
    observed_at = forms.DateTimeField(
        label="When observed",
        help_text="UK time, for example 2026-11-23 14:00.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
    )

    def __init__(self, *args, deployment, steps, **kwargs):
        super().__init__(*args, **kwargs)
        service = deployment.service
        self.fields["measure"].choices = [
            (f"{step.code}:{m['name']}", f"{step.code} – {m['label']}")
            for step in steps
            for m in step.measures
        ]
        self.fields["team"].queryset = service.teams.order_by("name")
        self.fields["shift_name"].choices = [("", "No particular shift")] + [
            (p.name, p.name) for p in service.shift_patterns.all()
        ]
        self.fields["observed_at"].initial = timezone.localtime().strftime("%Y-%m-%d %H:%M")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("team") and not cleaned.get("shift_name"):
            raise forms.ValidationError("Choose the team, the shift or both.")
        return cleaned
