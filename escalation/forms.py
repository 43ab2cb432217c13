"""Forms of the escalation pages. They only parse what people type; services.py decides what is valid."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from providers.fields import RecordChoiceField
from providers.forms import reason_field

from .computations import Figures, hold_to_records
from .measures import baseline_key, clean_values, items_needed
from .models import window_length
from .rules import fmt


def group_to_text(value) -> str:
    """A group measure as the textarea shows it: one "item = number" per line."""
    if isinstance(value, dict):
        return "\n".join(f"{item} = {fmt(number)}" for item, number in value.items())
    return value or ""


def text_to_group(text: str) -> dict:
    """Parse "item = number" lines (numbers checked later by the step's measures). Every line that
    cannot be read is named at once; a name given twice is refused, since keeping either value
    silently could hide the one that breaches the rule."""
    items, first_line, problems = {}, {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            problems.append(f"Line {number}: write each line as 'name = number'.")
            continue
        item, _, value = line.rpartition("=")
        item = item.strip()
        if item in first_line:
            problems.append(f"Line {number}: {item} is listed twice (first on line {first_line[item]}).")
            continue
        first_line[item] = number
        items[item] = value.strip()
    if problems:
        raise ValidationError(problems)
    return items


def _group_required(measure: dict) -> str:
    """What a blank per-item field says: the measure's own words when it must list its items."""
    if measure.get("items_required"):
        return items_needed(measure)
    return f"Enter {measure['label'].lower()}."


class StepRecordForm(forms.Form):
    """The step's measures (one field each, plus a baseline where the measure has one) and the check.

    `figures` (computations.Figures) says what the system computed: each figure it should have
    computed but could not gets "Could not compute: <reason>" in its field's hint, so nothing is left
    blank silently; a figure the records fix (a deployment's baseline) is no field at all but a row of
    `fixed_rows`, shown read-only beside the form, and recorded as the records hold it.
    """

    def __init__(self, step_run, *args, services=None, figures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_run = step_run
        self.figures = figures or Figures()
        self.fixed_rows = []
        for measure in step_run.measures:
            name, label = measure["name"], measure["label"]
            unit = measure.get("unit", "")
            if measure.get("group"):
                self.fields[name] = forms.CharField(
                    label=label,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=f"One {measure.get('item_label', 'item')} a line: 'name = number' ({unit})",
                    error_messages={"required": _group_required(measure)},
                )
                if name in self.figures.fixed:
                    self.fields[name].help_text = " ".join(
                        [f"{item}: {reason}." for item, reason in self.figures.missing.get(name, {}).items()]
                        + [
                            f"Filled in {self.figures.fixed[name]}, which this check records: if a figure "
                            f"is wrong, correct it there. {self.fields[name].help_text}"
                        ]
                    )
                if isinstance(self.initial.get(name), dict):
                    self.initial[name] = group_to_text(self.initial[name])
                continue
            self.fields[name] = self._number_field(label, unit)
            if measure.get("baseline"):
                self._baseline(measure)
        if step_run.target_scope == "affected_service" and services is not None:
            self.fields["affected_service"] = RecordChoiceField(
                queryset=services,
                required=False,
                label="Affected service",
                help_text=f"If it escalates, this service's {step_run.get_escalate_to_display()} is told",
            )
        for name, reason in self.figures.failures.items():
            if name in self.fields:
                self.fields[name].help_text = f"Could not compute: {reason}. {self.fields[name].help_text}"
        self.fields["check_done"] = reason_field(
            step_run.check_method, label="Check done", what="the check done", required=False
        )
        self.fields["notes"] = reason_field(label="Notes", what="the notes", required=False)
        self.fields["evidence_links"] = reason_field(
            # The record itself is the evidence; links point to anything kept outside this system.
            "One link or reference per line, for anything kept outside this system.",
            label="Evidence links",
            what="the evidence links",
            required=False,
        )

    def _baseline(self, measure: dict) -> None:
        """The measure's baseline: read-only where the records fix it, else a field to enter it."""
        key, label = baseline_key(measure["name"]), f"Baseline for {measure['label'].lower()}"
        if key in self.figures.fixed:
            value = self.figures.values[key]
            self.fixed_rows.append(
                {
                    "label": label,
                    "value": f"{fmt(value)} {measure.get('unit', '')}",
                    "source": self.figures.fixed[key],
                }
            )
            return
        self.fields[key] = self._number_field(label, measure.get("unit", ""))

    @staticmethod
    def _number_field(label: str, unit: str) -> forms.CharField:
        # Kept as text: the step's measures check kind and range, with one message per measure.
        return forms.CharField(
            label=label,
            help_text=f"Unit: {unit}" if unit != "%" else "A percentage, 0 to 100",
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
            error_messages={"required": f"Enter {label.lower()}."},
        )

    def clean(self):
        """Check every measure at once with the step's own rules and against the figures the records
        fix, so each field shows its problem (recording checks them again, against the records then)."""
        cleaned = super().clean()
        self.values, problems = hold_to_records(self.step_run.measures, self._measure_values(), self.figures)
        try:
            clean_values(self.step_run.measures, self.values, self.step_run.code)
        except ValidationError as exc:
            problems = exc.message_dict | problems  # the records' word wins, as in recording
        for key, messages in problems.items():
            if key in self.fields and key not in self.errors:
                self.add_error(key, messages)
        return cleaned

    def _measure_values(self) -> dict:
        """The values keyed by measure name, as services.record_step takes them."""
        values = {}
        for measure in self.step_run.measures:
            name = measure["name"]
            raw = self.cleaned_data.get(name)
            if measure.get("group"):
                try:
                    values[name] = text_to_group(raw) if raw is not None else None
                except ValidationError as exc:
                    self.add_error(name, exc)
            else:
                values[name] = raw
            if measure.get("baseline") and baseline_key(name) in self.fields:
                values[baseline_key(name)] = self.cleaned_data.get(baseline_key(name))
        return values


class ActionForm(forms.Form):
    action_taken = reason_field(
        label="Action taken", what="the action taken", missing="Describe the action taken.", rows=4
    )


class ResolveForm(forms.Form):
    note = reason_field(
        "Needed if the overdue step this is about is still not recorded: say why.",
        label="Resolution note",
        what="the resolution note",
        required=False,
    )


def parameter_field_name(measure: str, parameter: str) -> str:
    """The form field of one measure parameter; the same key the setting's errors use."""
    return f"{measure}__{parameter}"


class StepSettingForm(forms.Form):
    """A provider's threshold values, response window and measure parameters (windows, sample sizes,
    look-backs) for one step, with the reason. The ranges are checked by the setting, with one message
    per field (a window of 0 hours is refused)."""

    def __init__(self, thresholds: list[dict], window, *args, parameters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.threshold_count = len(thresholds)
        self.parameters = list(parameters)
        for item in thresholds:
            self.fields[f"threshold_{item['index']}"] = forms.DecimalField(
                label=f"Escalate when: {item['text']}", initial=item["value"], max_digits=10, decimal_places=3
            )
        self.fields["response_working_hours"] = forms.DecimalField(
            label="Response window (working hours)",
            help_text=f"0 means immediately: to be acknowledged within {window_length(0)}, day or night.",
            initial=window,
            max_digits=5,
            decimal_places=2,
        )
        for item in self.parameters:
            name = parameter_field_name(item["measure"], item["name"])
            self.fields[name] = forms.IntegerField(
                label=f"{item['label']} ({item['unit']})",
                help_text=" ".join(
                    part
                    for part in (
                        f"For the measure: {item['measure_label']}.",
                        item["effect"],
                        "Leave blank for the default.",
                    )
                    if part
                ),
                initial=item["value"],
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
                error_messages={
                    "invalid": f"Enter the {item['label'].lower()} as a whole number of {item['unit']}.",
                },
            )
        self.fields["reason"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Why your provider differs from the default. It is kept in the history.",
            error_messages={"required": "Give the reason for the change."},
        )

    def parameter_values(self) -> dict:
        """The parameters given, as the setting keeps them: {measure name: {parameter: value}} (a blank
        one keeps the default)."""
        values: dict = {}
        for item in self.parameters:
            value = self.cleaned_data.get(parameter_field_name(item["measure"], item["name"]))
            if value is not None:
                values.setdefault(item["measure"], {})[item["name"]] = value
        return values

    def threshold_values(self) -> list:
        values = []
        for index in range(self.threshold_count):
            value: Decimal = self.cleaned_data[f"threshold_{index}"]
            values.append(int(value) if value == int(value) else float(value))
        return values
