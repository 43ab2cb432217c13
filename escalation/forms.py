"""Forms of the escalation pages. They only parse what people type; services.py decides what is valid."""

from django import forms
from django.core.exceptions import ValidationError

from providers.fields import RecordChoiceField
from providers.forms import reason_field
from providers.who_acts import join_and

from .choices import MeasureKind
from .computations import (
    SYSTEM_FIGURES,
    Figures,
    figure_number,
    hold_to_records,
    reason_key,
    registry,
    shown_figure,
    typed_over,
)
from .measures import MAX_COUNT, asked_as, baseline_key, by_name, clean_values, error_words, items_needed
from .models import window_length
from .recording import RECORD_ANYWAY, SAY_WHAT_YOU_CHECKED, SAY_WHY_AGAIN
from .rules import RuleError, figure_text, fmt, thresholds, validate_rule, with_thresholds
from .services import NOTE_NEEDED_WHILE_NOT_RECORDED
from .step_facts import items_asked
from .tuning import parameter_label, threshold_labels, threshold_unit

# Why a figure differs is asked only of whoever changes it: folded under its figure (NHS.UK details),
# open when it holds an error or words already typed.
REASON_TEMPLATE = "escalation/includes/reason_field.html"


def group_to_text(value) -> str:
    """A group measure as the textarea shows it: one "item = number" per line."""
    if isinstance(value, dict):
        return "\n".join(f"{item} = {fmt(number)}" for item, number in value.items())
    return value or ""


def text_to_group(text: str, example: str = "name = number") -> dict:
    """Parse "item = number" rows (numbers checked later by the step's measures). Every row that
    cannot be read is named at once, as a row of the box ("Row 1 of the box"), never "Line 1", which
    a chain may use for its own items; `example` is how a row is written ("Line 2 = 14"). A name given
    twice is refused, since keeping either value silently could hide the one that breaches the rule."""
    items, first_row, problems = {}, {}, []
    for number, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        if "=" not in row:
            problems.append(f"Row {number} of the box: write it as '{example}'.")
            continue
        item, _, value = row.rpartition("=")
        item = item.strip()
        if item in first_row:
            problems.append(
                f"Row {number} of the box: {item} is listed twice (first on row {first_row[item]})."
            )
            continue
        first_row[item] = number
        items[item] = value.strip()
    if problems:
        raise ValidationError(problems)
    return items


def _group_required(measure: dict) -> str:
    """What a blank per-item field says: the measure's own words when it must list its items."""
    if measure.get("items_required"):
        return items_needed(measure)
    return f"Enter {error_words(measure)[1]}."


class StepRecordForm(forms.Form):
    """The step's measures (one field each, plus a baseline where the measure has one) and the check.

    `figures` (computations.Figures) says what the system computed: each figure it should have
    computed but could not gets "Could not compute: <reason>" in its field's hint, so nothing is left
    blank silently; a figure the records fix (a deployment's baseline) is no field at all but a row of
    `fixed_rows`, shown read-only beside the form, and recorded as the records hold it. Any other
    figure it computed is shown beside its field ("The system's figure: 44.4 %") with a field for why
    a typed figure differs (`reasons`, refused without one when it does: computations.typed_over),
    folded under the figure until needed (REASON_TEMPLATE). A figure the chain holds to the records
    (`figures.held`, C5's line counts) says it cannot be typed over, and offers no reason: none helps.

    `again`, the step's current record when it has one, makes it the record-again form: it opens with
    that record's figures and words (the person changes what was wrong) and asks why first
    (`correction_reason`).

    `before`, the step runs this step is judged against that nobody has recorded yet
    (step_facts.unrecorded_checked_against), and any figure not final yet (`figures.not_final`) add
    the box that says to record it now anyway; a figure not final says why in its hint.
    """

    def __init__(self, step_run, *args, services=None, figures=None, again=None, before=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial = dict(self.initial)  # pre-filled as shown below, the caller's figures untouched
        self.step_run = step_run
        self.figures = figures or Figures()
        self.fixed_rows = []
        self.fixed_groups = []  # group measures the records fix, shown as a read-only table
        self.not_asked = set()  # group measures with no item to ask (step_facts.items_asked): none recorded
        self.reasons = {}  # {measure key: why it differs from the system's figure}, filled by clean()
        self.group_examples = {}  # {group measure: how one row of its box is written}
        for measure in step_run.measures:
            name = measure["name"]
            if measure.get("group"):
                self._group(measure)
                continue
            self.fields[name] = self._number_field(measure, measure["label"], error_words(measure)[1])
            # Floor staff are asked in plain words; the guidance's own wording stays beneath.
            field, (asked, hint) = self.fields[name], asked_as(measure)
            field.label, field.help_text = asked, f"{hint} {field.help_text}".strip()
            self._system_figure(measure, name)
            if measure.get("baseline"):
                self._baseline(measure)
        if step_run.target_scope == "affected_service" and services is not None:
            self.fields["affected_service"] = RecordChoiceField(
                queryset=services,
                required=False,
                label="Affected service",
                # The chain tells the services behind on its own figures (C2's per service); the
                # person names one only when nobody else would be told (found: the old hint said it
                # was always needed on a breach).
                help_text=f"The {step_run.get_escalate_to_display()} of each service behind on the "
                "system's figures is told of a breach. Choose a service only if the figure you record "
                "breaches and no service is behind on the system's figures: you will be asked then",
            )
            self.fields["affected_service"].needed_later = True  # needed on a breach: not "optional"
        for name, reason in self.figures.failures.items():
            if name in self.fields:
                self.fields[name].help_text = f"Could not compute: {reason}. {self.fields[name].help_text}"
        # A person's affirmation: without it a step whose figures the system filled in (A4) would be
        # recorded by one press of "Save", with nobody having checked anything.
        self.fields["check_done"] = reason_field(
            step_run.check_method, label="Check done", what="the check done", missing=SAY_WHAT_YOU_CHECKED
        )
        self.fields["notes"] = reason_field(label="Notes", what="the notes", required=False)
        self.fields["evidence_links"] = reason_field(
            # The record itself is the evidence; links point to anything kept outside this system.
            "One link or reference per line, for anything kept outside this system.",
            label="Evidence links",
            what="the evidence links",
            required=False,
        )
        for name, reason in self.figures.not_final.items():
            if name in self.fields:
                # Beside one figure, why; beside several waiting for one thing, the page says it once.
                why = f": {reason}" if len(self.figures.not_final) == 1 else " (why is said above)"
                self.fields[name].help_text = f"Not final yet{why}. {self.fields[name].help_text}"
        if before or self.figures.not_final:
            waiting = [f"Not recorded yet: {join_and([s.label for s in before])}."] if before else []
            waiting += [f"Not final yet: {reason}." for reason in self.figures.waiting_for]
            self.fields[RECORD_ANYWAY] = forms.BooleanField(
                required=False, label="Record it now anyway", help_text=" ".join(waiting)
            )
        if again is not None:
            self._again(again)

    def _again(self, current) -> None:
        """Open with the current record's figures, reasons and words, in place of the system's, and ask
        first why the step is recorded again. Needed, but refused by recording, not here: a form sent
        twice with nothing changed is a double press, refused as such without asking why."""
        if not self.is_bound:
            typed_over_reasons = current.values.get(SYSTEM_FIGURES) or {}
            for key, value in current.values.items():
                if key in self.fields and value is not None:
                    self.initial[key] = group_to_text(value) if isinstance(value, dict) else fmt(value)
            for key, typed in typed_over_reasons.items():
                if reason_key(key) in self.fields:
                    self.initial[reason_key(key)] = typed.get("reason", "")
            for name in ("check_done", "notes", "evidence_links"):
                self.initial[name] = getattr(current, name)
            if "affected_service" in self.fields:
                self.initial["affected_service"] = current.affected_service_id
        why = reason_field(
            "Say what was wrong with the current record. Whoever was told of it may be told this.",
            label="Why are you recording this again?",
            what="the reason",
            missing=SAY_WHY_AGAIN,
            required=False,
        )
        why.needed_later = True  # asked for by recording (see above): not marked optional
        self.fields = {"correction_reason": why, **self.fields}

    def _group(self, measure: dict) -> None:
        """A group measure: where the records fix its items' figures (A4's expected reductions, from
        the exposure log), a read-only table (`fixed_groups`), since recording refuses any other figure
        (`hold_to_records`); else a box of one item a line ("Medium-risk services = 14")."""
        name, item_label = measure["name"], measure.get("item_label", "item")
        if name in self.figures.fixed:
            self.fixed_groups.append(
                {
                    "label": measure["label"],
                    "item_label": item_label,
                    "source": self.figures.fixed[name],
                    "rows": self._fixed_group_rows(measure),
                }
            )
            return
        asked = items_asked(self.step_run, name)
        if asked == []:
            self.not_asked.add(name)  # nothing to ask: the chain's facts on the page say why
            return
        prefilled = self.initial.get(name)
        if isinstance(prefilled, dict):
            self.initial[name] = group_to_text(prefilled)
        # The example is the first item the system filled in, where it did: a name the person knows.
        first = next(iter(prefilled.items()), None) if isinstance(prefilled, dict) else None
        example = (
            f"{first[0]} = {figure_text(first[1], measure)}"
            if first
            else f"{(asked or [item_label.capitalize()])[0]} = 14"
        )
        unit = f" ({measure['unit']})" if measure.get("unit") else ""
        if asked:
            hint = f"Write one row for each of: {', '.join(asked)} — like: {example}{unit}"
        else:
            hint = f"Type one {item_label} per line, like: {example}{unit}"
        self.fields[name] = forms.CharField(
            label=measure["label"],
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=hint,
            error_messages={"required": _group_required(measure)},
        )
        self.group_examples[name] = f"{(asked or ['name'])[0]} = 14" if asked else "name = number"

    def _fixed_group_rows(self, measure: dict) -> list[tuple[str, str]]:
        """(item, figure) for each item of a group the records fix, an item without a figure yet saying
        why ("No figure yet: no expected reduction is recorded yet for Beech Lodge; …")."""
        name, unit = measure["name"], measure.get("unit", "")
        figures = self.figures.values.get(name) or {}
        missing = self.figures.missing.get(name, {})
        return [(item, f"{figure_text(n, measure)} {unit}".rstrip()) for item, n in figures.items()] + [
            (item, f"No figure yet: {why}") for item, why in missing.items()
        ]

    def _baseline(self, measure: dict) -> None:
        """The measure's baseline: read-only where the records fix it, else a field to enter it."""
        key, label = baseline_key(measure["name"]), f"Baseline for {measure['label'].lower()}"
        if key in self.figures.fixed:
            value = self.figures.values[key]
            self.fixed_rows.append(
                {
                    "label": label,
                    "value": f"{figure_text(value, measure)} {measure.get('unit', '')}",
                    "source": self.figures.fixed[key],
                }
            )
            return
        self.fields[key] = self._number_field(measure, label)
        self._system_figure(measure, key)

    def _system_figure(self, measure: dict, key: str) -> None:
        """Beside a field the system computed (and the records do not fix): its figure, and where the
        person may type another, a field for why. Shown, not hidden in the prefill, so a figure typed
        over it is seen to be."""
        if key not in self.figures.values or key in self.figures.fixed:
            return
        system = shown_figure(measure, self.figures.values[key])
        if not isinstance(self.figures.values[key], int):
            # Pre-filled as the hint shows it ("66.7", not "66.66666"); kept, it is the system's figure.
            self.initial[key] = figure_number(measure, self.figures.values[key])
        figure = self.fields[key]
        if key in self.figures.held:
            figure.widget.attrs["readonly"] = True  # shown as the records hold it: nothing to type
            figure.help_text = (
                f"The system's figure: {system}, counted from the records: it cannot be typed over. "
                f"{figure.help_text}"
            )
            return
        figure.help_text = f"The system's figure: {system}. {figure.help_text}"
        reason = reason_field(
            "Only if you enter another figure: the record shows the system's beside yours, with this reason.",
            label=f"Why does your figure differ from the system's {system}?",
            what="the reason",
            required=False,
        )
        reason.template_name = REASON_TEMPLATE
        reason.needed_later = True  # needed whenever the figure differs: not marked optional
        reason.figure_label = figure.label  # tells the folded reasons apart to a screen reader
        self.fields[reason_key(key)] = reason

    @staticmethod
    def _number_field(measure: dict, label: str, missing: str = "") -> forms.CharField:
        """A figure's field, kept as text: the step's measures check kind and range, with one message
        per measure. A count opens a phone's number keypad; any other figure, the one with a point."""
        unit = measure.get("unit", "")
        whole = measure.get("kind") == MeasureKind.COUNT
        return forms.CharField(
            label=label,
            help_text=f"Unit: {unit}" if unit != "%" else "A percentage, 0 to 100",
            widget=forms.TextInput(
                attrs={"inputmode": "numeric" if whole else "decimal", "class": "nhsuk-input--width-5"}
            ),
            error_messages={"required": f"Enter {missing or label.lower()}."},
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
        self.reasons = {
            key: self.cleaned_data.get(reason_key(key), "")
            for key in self.figures.values
            if reason_key(key) in self.fields
        }
        if problems or self.errors:
            # Refused anyway: ask why each figure differs now too, so every problem shows at once. A
            # form otherwise valid is left to recording to ask, after the chain's own checks, so a
            # figure the chain refuses outright (C5's line counts) is not also asked why.
            problems |= typed_over(self.step_run.measures, self.values, self.figures, self.reasons)[1]
        for key, messages in problems.items():
            if key not in self.fields:
                self.add_error(None, messages)  # a figure shown read-only (a fixed group's table)
            elif key not in self.errors:
                self.add_error(key, messages)
        return cleaned

    def _measure_values(self) -> dict:
        """The values keyed by measure name, as services.record_step takes them."""
        values = {}
        for measure in self.step_run.measures:
            name = measure["name"]
            raw = self.cleaned_data.get(name)
            if name not in self.fields and name in self.figures.fixed:
                values[name] = self.figures.values.get(
                    name
                )  # shown read-only: recorded as the records hold it
            elif name in self.not_asked:
                values[name] = {}
            elif measure.get("group"):
                try:
                    example = self.group_examples.get(name, "name = number")
                    values[name] = text_to_group(raw, example) if raw is not None else None
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
    """The note closing an escalation: needed while the step it is about is still not recorded
    (`note_needed`, services.step_still_missing), and then asked for as such, not marked optional."""

    note = reason_field(label="Resolution note", what="the resolution note", required=False)

    def __init__(self, *args, note_needed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_needed:
            note = self.fields["note"]
            note.required = True
            note.error_messages["required"] = NOTE_NEEDED_WHILE_NOT_RECORDED
            note.help_text = f"Say why you are resolving it while the step is not recorded. {note.help_text}"


def parameter_field_name(measure: str, parameter: str) -> str:
    """The form field of one measure parameter; the same key the setting's errors use."""
    return f"{measure}__{parameter}"


class StepSettingForm(forms.Form):
    """A provider's threshold values, response window and measure parameters (windows, sample sizes,
    look-backs) for one step, with the reason. `rule`, `measures` and `window` are the values in force.

    Every field is checked here, each with its own message, so every mistake shows on the first submit;
    the setting checks them again when it is saved."""

    def __init__(self, rule: dict, measures: list[dict], window, *args, parameters=(), check="", **kwargs):
        super().__init__(*args, **kwargs)
        self.rule, self.measures, self.check = rule, measures, check
        self.thresholds = thresholds(rule, measures)
        self.parameters = list(parameters)
        # Several thresholds escalate together (all reached) or apart (any one): each hint says which.
        others = len(self.thresholds) - 1
        self.joined = ""
        if others and ("all" in rule or "any" in rule):
            name = f"the other threshold{'s' if others > 1 else ''} here"
            verb = "are" if others > 1 else "is"
            self.joined = f", and {name} {verb} reached too" if "all" in rule else f", whatever {name}"
        for item, label in zip(self.thresholds, threshold_labels(rule, measures), strict=True):
            self._add_threshold(item, label)
        self.fields["response_working_hours"] = forms.DecimalField(
            label="Response window (working hours)",
            help_text=f"0 means immediately: to be acknowledged within {window_length(0)}, day or night.",
            initial=figure_text(window),  # 2, not the column's 2.00
            min_value=0,
            max_digits=5,
            decimal_places=2,
        )
        for item in self.parameters:
            self._add_parameter(item)
        self.fields["reason"] = reason_field("Why your provider differs from the default.")

    def _add_threshold(self, item: dict, label: str) -> None:
        """The threshold's field, a whole number for a count."""
        whole = threshold_unit(item, self.measures)[0]
        common = {
            "label": label,
            "initial": item["value"],
            "help_text": f"Escalate when {item['text']}{self.joined}.",
        }
        if whole:
            # A count beyond MAX_COUNT is a slip of the keyboard, as in a recorded value.
            field = forms.IntegerField(
                **common,
                max_value=MAX_COUNT,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
            )
        else:
            field = forms.DecimalField(**common, max_digits=10, decimal_places=3)
        self.fields[f"threshold_{item['index']}"] = field

    def _add_parameter(self, item: dict) -> None:
        """A computed measure's parameter (an item of tuning.shared_parameters, or of
        computations.tunable_parameters): a whole number, blank for the default."""
        label, unit = item["label"], item["unit"]
        named = f"{label[:1].lower()}{label[1:]}"  # mid-sentence: "look-back for incident rates"
        self.fields[parameter_field_name(item["measure"], item["name"])] = forms.IntegerField(
            label=parameter_label(item),
            help_text=" ".join(
                part
                for part in (self._used_for(item), item["effect"], "Leave blank for the default.")
                if part
            ),
            initial=item["value"],
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
            error_messages={"invalid": f"Enter the {named} as a whole number of {unit}."},
        )

    def _used_for(self, item: dict) -> str:
        """Where a parameter's value is used: its measure, or every measure sharing it and the check
        that names it ("Used for: …; …; and the check: “A 12-notice sample: …”")."""
        labels = item.get("measure_labels", [item["measure_label"]])
        if not item.get("in_check"):
            return f"For the measure: {labels[0]}."
        return f"Used for: {'; '.join(labels)}; and the check: “{self.check.rstrip('.')}”."

    def clean(self):
        """Each threshold against the rule's own ranges (the others kept as they are) and each parameter
        against its computation's, every problem on its own field."""
        cleaned = super().clean()
        in_force = [item["value"] for item in self.thresholds]
        for item in self.thresholds:
            name = f"threshold_{item['index']}"
            if cleaned.get(name) is None:
                continue
            values = [*in_force]
            values[item["index"]] = self._number(cleaned[name])
            try:
                validate_rule(with_thresholds(self.rule, values), self.measures)
            except RuleError as exc:
                self.add_error(name, str(exc))
        known = by_name(self.measures)
        for item in self.parameters:
            name = parameter_field_name(item["measure"], item["name"])
            if cleaned.get(name) is None:
                continue
            computation = registry.get(known[item["measure"]].get("computation") or "")
            try:
                computation.parameter(item["name"]).check(cleaned[name])
            except ValueError as exc:
                self.add_error(name, str(exc))
        return cleaned

    @staticmethod
    def _number(value) -> int | float:
        """A threshold as the rule keeps it: 3, not 3.000; 92.5 as a float (JSON has no decimals)."""
        return int(value) if value == int(value) else float(value)

    def parameter_values(self) -> dict:
        """The parameters given, as the setting keeps them: {measure name: {parameter: value}}, a shared
        one given to every measure using it (a blank one keeps the default)."""
        values: dict = {}
        for item in self.parameters:
            value = self.cleaned_data.get(parameter_field_name(item["measure"], item["name"]))
            if value is None:
                continue
            for measure in item.get("measures", [item["measure"]]):
                values.setdefault(measure, {})[item["name"]] = value
        return values

    def field_for(self, key: str) -> str | None:
        """The field a setting's error key ("<measure>__<parameter>") is about: a shared parameter's
        one field for each measure using it; None (the top of the form) for a key of no field."""
        for item in self.parameters:
            for measure in item.get("measures", [item["measure"]]):
                if key == parameter_field_name(measure, item["name"]):
                    return parameter_field_name(item["measure"], item["name"])
        return key if key in self.fields else None

    def threshold_values(self) -> list:
        return [self._number(self.cleaned_data[f"threshold_{item['index']}"]) for item in self.thresholds]


class BackToDefaultForm(forms.Form):
    """Setting a tuned step back to the default values: only the reason is asked."""

    reason = reason_field("Why your provider goes back to the default values.")
