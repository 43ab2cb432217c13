"""Forms of chain A. They collect and clean input; the rules live in services (whose ValidationErrors
land back on the right field through `add_service_errors`)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from providers.choices import RiskTag
from providers.fields import (
    ChoiceField,
    DateField,
    DateTimeField,
    RecordChoiceField,
    TypedChoiceField,
)
from providers.forms import add_service_errors, reason_field, words_that_wrap
from providers.models import Service, User

from . import imports
from .choices import (
    ImportKind,
    ReviewOutcome,
    RootCauseFactor,
)
from .models import Incident, LearningTrigger
from .models.incidents import PEOPLE_AFFECTED_REFUSAL
from .services.corrections import CORRECTED_FIELDS, MISSING_REASON, changed_fields
from .services.exposure import (
    EXPECTED_REDUCTION_TO_ONE_PLACE,
    check_briefing,
    check_comparable_risk,
    check_line_due,
)
from .services.incidents import INCIDENT_FIELDS
from .services.late_start import LOG_LATE
from .services.people import local_people
from .services.triggers import (
    CONFIRMED_IN_THE_FUTURE,
    LEARNING_FIELDS,
    LOG_AGAIN,
    check_target_date,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def datetime_field(label: str, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    """A UK date and time (2000 to 2100) entered with the browser's date-time picker."""
    return DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "invalid": f"Enter {label.lower()} as a date and time, for example 2026-11-23 10:15."
        },
    )


class ServiceErrorsMixin:
    """Puts a service's refusal (a ValidationError) beside the field it is about, so the error summary
    links to it; a refusal about no one field goes above the form."""

    def field_for(self, key: str) -> str | None:
        """The field a refusal keyed `key` by the service is about, or None for above the form."""
        return key if key in self.fields else None

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, field_for=self.field_for)

    def ask(self, field: str | None, check, *args) -> None:
        """Ask a service's check of `args` now, putting its refusal on `field` (None: on the field the
        refusal names), so it shows with the form's other errors rather than after they are put right."""
        try:
            check(*args)
        except ValidationError as exc:
            if field is None:
                self.add_service_errors(exc)
            else:
                self.add_error(field, exc.messages)


class LocalPersonField(RecordChoiceField):
    """Choose who leads or owns the learning's work at one service: the people `local_people` names
    ("Name — Role, Service"), read with one query. The service's action checks the choice again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=User.objects.none(), empty_label="Choose a person", **kwargs)

    def offer(self, service: Service) -> None:
        """Offer the people who may own local work at `service`, and accept only them."""
        people = local_people(service)
        self.queryset = User.objects.filter(pk__in=[choice.person.pk for choice in people])
        self.choices = [("", self.empty_label), *((choice.person.pk, choice.label) for choice in people)]
        self.error_messages = {
            **self.error_messages,
            "required": "Choose a person.",
            "invalid_choice": f"Choose someone who works at or over {service.name}.",
        }


class TriggerForm(forms.ModelForm):
    """Log a serious failure: what happened, where, when it was confirmed, and its risk profile."""

    risk_tags = forms.MultipleChoiceField(
        choices=RiskTag.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Matching finds the provider's services that carry at least one of these tags.",
        error_messages={"required": "Choose at least one risk tag."},
    )
    root_cause_factors = forms.MultipleChoiceField(
        choices=RootCauseFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The contributory factors beyond the incident itself.",
    )
    confirmed_at = datetime_field("When the serious failure was confirmed")

    class Meta:
        model = LearningTrigger
        fields = [
            "source_service",
            "title",
            "theme",
            "risk_tags",
            "match_same_service_type",
            "what_happened",
            "confirmed_at",
            "root_cause_factors",
            "root_cause_summary",
            "local_fix",
            "learning_statement",
            "source_incident",
        ]
        labels = {
            "source_service": "Service where it happened",
            "match_same_service_type": "Only match services of the same type as the source service",
            "what_happened": "What happened",
            "learning_statement": "Learning statement",
        }
        field_classes = {
            "source_service": RecordChoiceField,
            "source_incident": RecordChoiceField,
        }
        widgets = {
            "source_incident": forms.HiddenInput,
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "root_cause_summary": forms.Textarea(attrs={"rows": 3}),
            "local_fix": forms.Textarea(attrs={"rows": 3}),
            "learning_statement": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, services=None, incidents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_service"].queryset = services if services is not None else Service.objects.none()
        self.fields["source_incident"].queryset = (
            incidents if incidents is not None else Incident.objects.none()
        )
        self.fields["source_service"].empty_label = "Choose a service"
        self.fields["title"].validators.append(words_that_wrap)
        if self.is_bound and LOG_LATE in self.data:
            self.ask_to_log_late()
        if self.is_bound and LOG_AGAIN in self.data:
            self.ask_to_log_again()

    def ask_to_log_again(self) -> None:
        """Add the "another failure from this incident" checkbox: shown once logging was refused because
        the incident is logged already, and kept while the person answers it."""
        self.fields[LOG_AGAIN] = forms.BooleanField(
            required=False,
            label="Log another serious failure from this incident",
            help_text="Only when this is a different failure: it starts a case of its own.",
        )

    def ask_to_log_late(self) -> None:
        """Add the "log it anyway" checkbox: shown once logging was refused because steps of the case
        would start overdue (`late_start.StartsOverdue`), and kept while the person answers it."""
        self.fields[LOG_LATE] = forms.BooleanField(
            required=False,
            label="Log it anyway: I understand these steps start overdue",
            help_text="Each of them is escalated to the people named above at the engine's next check.",
        )

    def clean_confirmed_at(self):
        # Checked here too, so a date in the future is named with the form's other errors, not after.
        confirmed_at = self.cleaned_data["confirmed_at"]
        if confirmed_at > timezone.now():
            raise ValidationError(CONFIRMED_IN_THE_FUTURE)
        return confirmed_at

    def _get_validation_exclusions(self):
        # A repeat of a logged failure is not a form error: `log_trigger` sends the person to the
        # trigger the first submit made. Leaving the title out of the model's checks skips the
        # trigger_logged_once constraint here; the form field still checks the title's length.
        return super()._get_validation_exclusions() | {"title"}


class LearningForm(ServiceErrorsMixin, forms.ModelForm):
    """Root causes and the learning, kept apart from the local fix (seeds 001–003). The target date
    is checked against the failure here, so its refusal shows with the form's other errors."""

    root_cause_factors = TriggerForm.base_fields["root_cause_factors"]

    class Meta:
        model = LearningTrigger
        fields = LEARNING_FIELDS
        field_classes = {"target_date": DateField}
        labels = {"learning_statement": "Learning statement — needed before notices can be issued"}
        help_texts = {
            "learning_statement": "What the provider learned that applies beyond the source service. It may "
            "be written later, but notices cannot be issued until it is."
        }
        widgets = {
            "root_cause_summary": forms.Textarea(attrs={"rows": 3}),
            "local_fix": forms.Textarea(attrs={"rows": 3}),
            "learning_statement": forms.Textarea(attrs={"rows": 3}),
            "governance_change": forms.Textarea(attrs={"rows": 3}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not required to save, but not optional either: the label says when it is needed instead.
        self.fields["learning_statement"].needed_later = True

    def clean(self):
        cleaned = super().clean()
        # Asked of a trigger's learning (a blank form has no failure to compare with).
        if cleaned.get("target_date") and self.instance.confirmed_at:
            self.ask("target_date", check_target_date, cleaned["target_date"], self.instance.confirmed_at)
        return cleaned


class CloseWithoutLearningForm(forms.Form):
    """The quality director's reason for closing a trigger that needs no mandatory learning."""

    reason = reason_field(
        "This is kept on the trigger and shown to everyone who opens it.",
        label="Why no mandatory learning is needed",
        rows=4,
        required=False,  # the service says what is missing, in its own words
    )


class MatchAdjustForm(forms.Form):
    """Add a service the rule missed, or leave one out: either way, with a reason."""

    service = RecordChoiceField(queryset=Service.objects.none(), empty_label="Choose a service")
    # No choice made for the person: adding and leaving out are both consequential, so neither is
    # preselected and saving without choosing says so.
    include = TypedChoiceField(
        label="Change",
        choices=[("1", "Add to the matched services"), ("0", "Leave out of the learning")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to add the service or leave it out of the learning."},
    )
    reason = reason_field(missing="Give the reason for adding or leaving out this service.", rows=2)

    def __init__(self, *args, trigger: LearningTrigger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(provider=trigger.provider).exclude(
            pk=trigger.source_service_id
        )


class NoticeOwnerForm(forms.Form):
    """The notice's named service owner and implementation due date."""

    owner = LocalPersonField(label="Named service owner")
    due_at = datetime_field("Implementation due")
    reason = reason_field(
        "Needed when you change an owner or due date already named.",
        label="Reason for the change",
        required=False,  # naming one where none was needs none: the service asks it of a change
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].offer(service)
        self.fields["reason"].needed_later = True  # asked for by the service on a change: not "optional"


class LeadForm(forms.Form):
    """The person leading the learning's implementation at the service, and, when a lead is already
    confirmed (`current`), the reason for replacing them (the service refuses a replacement without)."""

    person = LocalPersonField(label="Implementation lead")

    def __init__(self, *args, service: Service, current: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].offer(service)
        if current is not None:
            self.fields["reason"] = reason_field(
                f"Needed only when you choose someone other than {current}.",
                label=f"Reason for replacing {current}",
                required=False,  # keeping the same lead needs none: the service asks it of a replacement
            )
            self.fields["reason"].needed_later = True  # so not "(optional)": a replacement is refused without


class ExposureForm(ServiceErrorsMixin, forms.Form):
    """The briefing and remaining risk at one matched service (the seed's exposure log). Each field
    says, in a care manager's words, what to enter. Its `clean` asks the service's date checks, so a
    date refused shows with a percentage refused, not after it is put right."""

    briefing_completed_at = datetime_field("Mandatory briefing completed", required=False)
    comparable_risk_open_since = datetime_field(
        "Comparable risk found still open",
        required=False,
        help_text="When you found the same risk still open here, for example a floor left without a carer "
        "at night. Leave empty if you have not found it here.",
    )
    comparable_risk_resolved_at = datetime_field(
        "Comparable risk put right",
        required=False,
        help_text="When that risk was put right here. Leave empty while it is still open.",
    )
    expected_reduction_pct = forms.DecimalField(
        label="Expected reduction in comparable risk (%)",
        help_text="How much you expect this learning to cut that risk here, as a percentage: your "
        "estimate, from 0 to 100, like 25 or 12.5.",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,  # the model keeps one place: a second is refused, never rounded away
        error_messages={
            "min_value": "Give a percentage from 0 to 100.",
            "max_value": "Give a percentage from 0 to 100.",
            "max_decimal_places": EXPECTED_REDUCTION_TO_ONE_PLACE,
        },
    )

    def __init__(self, *args, match, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        where = match.service if match is not None else "the service"  # a form checked on its own
        self.fields["briefing_completed_at"].help_text = (
            f"When every member of staff at {where} had been briefed on this learning. "
            "Leave empty until they all have."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("briefing_completed_at"):
            self.ask("briefing_completed_at", check_briefing, self.match, cleaned["briefing_completed_at"])
        # Asked only of times the form read: one it could not read already has its own error.
        if not {"comparable_risk_open_since", "comparable_risk_resolved_at"} & set(self.errors):
            self.ask(
                None,  # on the time each refusal is about
                check_comparable_risk,
                cleaned.get("comparable_risk_open_since"),
                cleaned.get("comparable_risk_resolved_at"),
            )
        return cleaned


class LineForm(ServiceErrorsMixin, forms.Form):
    """One implementation line: the task, who owns it at the service, and when it is due (within the
    bounds `exposure.check_line_due` sets, asked in `clean` so it shows with the form's other errors)."""

    task = forms.CharField(max_length=300)
    owner = LocalPersonField()
    due_at = datetime_field("When the task is due")

    def __init__(self, *args, match, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        self.fields["owner"].offer(match.service)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_at"):
            self.ask("due_at", check_line_due, self.match, cleaned["due_at"])
        return cleaned


class LineCorrectionForm(LineForm):
    """Correct a line still to do (`services.correct_line`): the line's task, owner and due date as
    they stand, to change, and why (kept in the line's history)."""

    reason = reason_field(
        "For example, the task was worded wrongly, or someone else now does it.",
        label="Why you are changing this line",
        missing="Give the reason for changing this line.",  # as the service says it
    )


class LineReopenForm(forms.Form):
    """Why a line marked done is to do again, and when it is due now when not as before
    (`services.reopen_line`)."""

    reason = reason_field(
        "For example, it was marked done by mistake, or the work turned out not to be finished.",
        label="Why you are reopening this line",
        missing="Give the reason for reopening this line.",  # as the service says it
    )
    due_at = datetime_field(
        "New due date",
        required=False,
        help_text="Leave empty to keep the date it was due. A date still to come.",
    )


class ImportForm(forms.Form):
    kind = ChoiceField(label="What the file holds", choices=ImportKind.choices)
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits are settings, so the hint reads them rather than repeating their numbers.
        self.fields["file"].help_text = (
            "A .csv or .xlsx file with the columns described below, "
            f"up to {filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)} "
            f"and {settings.IMPORT_MAX_ROWS:,} rows."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            raise ValidationError(imports.WRONG_FILE_TYPE)
        return upload


def people_affected_field() -> forms.IntegerField:
    """The number of people affected, within the import's limits, with one message for any number
    outside them (the model's own form field would say "≥ 0" of -1). The admin uses it too."""
    return forms.IntegerField(
        label="People affected",
        min_value=imports.MIN_PEOPLE_AFFECTED,
        max_value=imports.MAX_PEOPLE_AFFECTED,
        initial=1,
        error_messages={
            name: PEOPLE_AFFECTED_REFUSAL for name in ("required", "invalid", "min_value", "max_value")
        },
    )


class IncidentForm(forms.ModelForm):
    """One incident entered by hand, within the same limits as an imported one."""

    occurred_at = datetime_field("When it happened")
    people_affected = people_affected_field()

    class Meta:
        model = Incident
        fields = ["service", "source_reference", *INCIDENT_FIELDS]
        field_classes = {"service": RecordChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _get_validation_exclusions(self):
        """The reference's uniqueness is left to `services.record_incident`, which tells a double tap
        (the same incident again: it was saved) from a clash (another incident with the reference).
        Django checks a model's constraints with the form unless a field of theirs is excluded."""
        return {*super()._get_validation_exclusions(), "source_reference"}

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services if services is not None else Service.objects.none()
        # The browser is not told the description's limit: it would cut a pasted text short without a
        # word. A longer one is refused with the limit and its length, and kept on the form.
        self.fields["description"].widget.attrs.pop("maxlength", None)


class IncidentCorrectionForm(ServiceErrorsMixin, IncidentForm):
    """Correct an incident's values (all but its reference), with the reason for the correction. The
    page fills it with the incident's current values; sending them back unchanged is refused."""

    reason = reason_field(
        "For example, what the source system or the person who reported it says.",
        label="Reason for the correction",
        missing=MISSING_REASON,
    )

    class Meta(IncidentForm.Meta):
        fields = CORRECTED_FIELDS

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident

    def changes(self) -> dict:
        """The corrected values, field by field (the reason aside)."""
        return {name: self.cleaned_data[name] for name in CORRECTED_FIELDS if name in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        changes = self.changes()
        if len(changes) == len(CORRECTED_FIELDS):  # only once every value is valid: did any change?
            self.ask(None, changed_fields, self.incident, changes)
        return cleaned


class IncidentReviewForm(forms.Form):
    """The quality director's decision that a flagged incident needs no provider learning trigger."""

    outcome = forms.ChoiceField(
        label="Outcome of the review",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the review."},
    )
    reason = reason_field(
        "For example, the local fix put right at the service and why the risk is not shared.",
        label="Why no provider learning trigger is needed",
        missing="Give the reason no provider learning trigger is needed.",
        rows=4,
    )
