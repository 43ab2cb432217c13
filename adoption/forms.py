"""Forms of the adoption app; `{{ form }}` renders them with NHS.UK markup.

The rules live in `services`: each form asks the same checks in its `clean`, so every problem is shown
at once beside its field, and a refusal the service still makes on saving lands on its field too
(`ServiceErrorsMixin`).
"""

from django import forms
from django.utils import timezone

from learning_transfer.forms import ServiceErrorsMixin, datetime_field
from providers.fields import ChoiceField, FilterForm, RecordChoiceField
from providers.forms import reason_field

from . import services
from .models import CLINICAL_NOTE_WHAT, CORRECTION_REASON_MAX, LOCATION_MAX
from .unheld_roles import DEPLOY_ANYWAY


def uk_datetime_field(label: str, what: str, example: str):
    """A UK date and time as chain A's forms take it (the browser's date-time picker, or typed as
    23/11/2026 14:00 or 2026-11-23 14:00), with messages that say what to enter: "Enter `what`."."""
    field = datetime_field(label, help_text=f"UK time, for example {example}.")
    field.error_messages |= {
        "required": f"Enter {what}.",
        "invalid": f"Enter {what} as a date and time, for example {example}.",
    }
    return field


def baseline_field(label: str, help_text: str = "") -> forms.DecimalField:
    """A required pre-learning figure from 0 to 100 to one decimal place (a percentage, or omissions per
    100 administrations); the renderer's messages name it from `label`."""
    return forms.DecimalField(label=label, min_value=0, max_value=100, decimal_places=1, help_text=help_text)


def now_to_the_minute():
    """Now in UK time without seconds: what the date-time picker shows as its starting value."""
    return timezone.localtime().replace(second=0, microsecond=0)


class CheckFilterForm(FilterForm):
    """Which chain B checks the service page lists: the open ones by default."""

    show = ChoiceField(
        label="Show checks",
        choices=[(key, label) for key, (label, _) in services.CHECK_VIEWS.items()],
        required=False,
    )

    def states(self) -> list[str]:
        chosen = (self.cleaned_data.get("show") if self.is_valid() else "") or "open"
        return services.CHECK_VIEWS[chosen][1]


class DeployForm(ServiceErrorsMixin, forms.Form):
    """When the learning went live at the service, and the pre-learning baselines of B1, B2 and B3."""

    deployed_at = uk_datetime_field(
        "When the learning went live", "when the learning went live", "23/11/2026 09:00"
    )
    baseline_completion_pct = baseline_field(
        "Care-record completion over the last 3 shifts (%)",
        help_text="The shift checks compare each shift's completion with this figure (B1).",
    )
    # B2's clinical baseline as the three figures its daily sample measures, so they can be compared.
    baseline_omissions_per_100 = baseline_field(
        "Medication omissions per 100 administrations over 24 hours",
        help_text="Clinical records before the learning: the daily check of 12 clinical records is "
        "compared with this figure and the next two (B2).",
    )
    baseline_wound_care_pct = baseline_field("Wound-care entries within 2 hours of treatment (%)")
    baseline_risk_note_pct = baseline_field("Risk-note updates in the same shift (%)")
    # Optional: the renderer adds "(optional)" to the label. Capped as every reason is (the service too).
    baseline_clinical_note = reason_field(
        "Anything the three figures do not say, such as how the sample was taken.",
        label="Other notes on the clinical records before the learning",
        what=CLINICAL_NOTE_WHAT,
        required=False,
    )
    baseline_drill_pct = baseline_field(
        "Last drill's average correct demonstration (%)",
        help_text="The drill after the learning is compared with this figure (B3).",
    )

    def __init__(self, *args, match, ask_to_deploy_anyway=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        self.fields["deployed_at"].initial = now_to_the_minute()
        if ask_to_deploy_anyway or (self.is_bound and DEPLOY_ANYWAY in self.data):
            self.ask_to_deploy_anyway()

    def ask_to_deploy_anyway(self) -> None:
        """Add the "deploy anyway" checkbox: shown while nobody at the service holds a role that
        records some of the checks (`unheld_roles.NobodyToRecord`), as `TriggerForm.ask_to_log_late`."""
        self.fields[DEPLOY_ANYWAY] = forms.BooleanField(
            required=False,
            label="Deploy anyway: I understand nobody can record these checks yet",
            help_text="They go overdue and are escalated until someone is given the role.",
        )

    def clean(self):
        cleaned = super().clean()
        # Learning not yet received is refused above the form: no time or figure would change that.
        self.ask(None, services.check_received, self.match)
        if cleaned.get("deployed_at"):
            self.ask("deployed_at", services.check_go_live, self.match, cleaned["deployed_at"])
        return cleaned


GROUP_FIELDS = ("team", "shift_name", "location")


class GroupFieldsMixin(ServiceErrorsMixin):
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
            # Each shift with its hours, so the time observed can be matched to it before sending.
            choices=[("", "No particular shift")]
            + [
                (p.name, f"{p.name} ({p.start:%H:%M} to {p.end:%H:%M})") for p in service.shift_patterns.all()
            ],
        )
        self.fields["location"] = forms.CharField(
            label="Location",
            required=False,
            max_length=LOCATION_MAX,
            help_text="A place within the service, such as First floor or Garden wing.",
            error_messages={
                "max_length": (
                    f"Shorten the location to {LOCATION_MAX} characters or fewer (it has %(show_value)d)."
                )
            },
        )

    def clean(self):
        cleaned = super().clean()
        # Added rather than raised, so the form's other checks still run and show with it. A group
        # field already refused (a location too long) was given: its own error says what to put right.
        given = any(cleaned.get(name) or name in self.errors for name in GROUP_FIELDS)
        if not given:
            # On the first of the three, so the error summary's link takes the person to them.
            self.add_error("team", "Choose the team or the shift, or give the location.")
        return cleaned


class ObservationForm(GroupFieldsMixin, forms.Form):
    """One measure's value for a team, shift and/or location, so the deployment page can compare groups."""

    measure = ChoiceField(label="Measure", error_messages={"required": "Choose the measure."})
    value = forms.DecimalField(
        label="Value", decimal_places=2, error_messages={"required": "Enter the value."}
    )
    observed_at = uk_datetime_field("When observed", "when you observed it", "23/11/2026 14:00")
    field_order = ["measure", "team", "shift_name", "location", "value", "observed_at"]

    def __init__(self, *args, deployment, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.deployment = deployment
        # What is measured comes first, so a narrow screen shows the words; the step code follows
        # for the governance team.
        self.fields["measure"].choices = [
            (f"{step.code}:{m['name']}", f"{m['label']} ({step.code})")
            for step in steps
            for m in step.measures
        ]
        self.add_group_fields(deployment.service)
        self.order_fields(self.field_order)
        self.fields["observed_at"].initial = now_to_the_minute()

    def field_for(self, key: str) -> str | None:
        # The service keys a refusal by the step, a field of this form, or the measure's own name:
        # the step is chosen with the measure, and a measure's figure is entered as the Value.
        if key == "step_code":
            return "measure"
        return key if key in self.fields else "value"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("measure") and cleaned.get("value") is not None:
            code, name = cleaned["measure"].split(":", 1)
            self.ask("value", services.checked_figures, code, {name: cleaned["value"]})
        if cleaned.get("observed_at"):
            self.ask("observed_at", services.check_observed_at, self.deployment, cleaned["observed_at"])
        # Asked only of a time not already refused (a refusal takes the time out of `cleaned`).
        if cleaned.get("observed_at") and cleaned.get("shift_name"):
            self.ask(
                "observed_at",
                services.check_in_shift,
                self.deployment.service,
                cleaned["shift_name"],
                cleaned["observed_at"],
            )
        return cleaned


class CorrectionForm(GroupFieldsMixin, forms.Form):
    """The figures and group of one observation as they should have been entered, and why."""

    reason = forms.CharField(
        label="Why the observation is corrected",
        max_length=CORRECTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Up to {CORRECTION_REASON_MAX} characters. The history keeps it with your name.",
        error_messages={"required": "Give the reason for the correction."},
    )

    def __init__(self, *args, observation, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.observation = observation
        self.step_code = observation.step_code
        # Only the measures recorded can be corrected: one field each, filled with the value as entered.
        self.measures = list(observation.values)
        for name in self.measures:
            label = labels.get(name, name)
            self.fields[f"value_{name}"] = forms.DecimalField(
                label=label,
                decimal_places=2,
                initial=observation.values[name],
                error_messages={"required": f"Enter {label.lower()}."},
            )
        self.add_group_fields(observation.deployment.service)
        self.order_fields([f"value_{name}" for name in self.measures] + ["team", "shift_name", "location"])
        self.initial.setdefault("team", observation.team_id)
        self.initial.setdefault("shift_name", observation.shift_name)
        self.initial.setdefault("location", observation.location)

    def field_for(self, key: str) -> str | None:
        # The service keys a figure's refusal by its measure's name: its field here is value_<name>.
        return next((name for name in (key, f"value_{key}") if name in self.fields), None)

    def clean(self):
        cleaned = super().clean()
        for name in self.measures:
            value = cleaned.get(f"value_{name}")
            if value is not None:
                self.ask(f"value_{name}", services.checked_figures, self.step_code, {name: value})
        if cleaned.get("shift_name"):
            observation = self.observation
            service = observation.deployment.service
            self.ask(
                "shift_name", services.check_in_shift, service, cleaned["shift_name"], observation.observed_at
            )
        return cleaned

    def corrected_values(self) -> dict:
        return {name: self.cleaned_data[f"value_{name}"] for name in self.measures}


class CloseForm(ServiceErrorsMixin, forms.Form):
    """Why live monitoring can end; the service refuses closing without the evidence it needs."""

    reason = reason_field(
        "Say what shows practice has aligned.",
        label="Why monitoring can end",
        missing=services.CLOSE_REASON_MISSING,
    )
