"""Forms of chain C: plain fields; the business rules stay in services.py."""

from django import forms

from learning_transfer.forms import datetime_field
from providers.fields import RecordMultipleChoiceField
from providers.forms import reason_field, words_that_wrap, words_that_wrap_in

from .choices import Audience, LineKind, LineState
from .services import NO_SERVICES, PLAN_LATE

__all__ = ["DecisionForm", "LineForm", "LineServicesForm", "ReasonForm", "UpdateForm"]


class CoveredServicesField(RecordMultipleChoiceField):
    """The services an update covers, each with who commissions it: they decide who receives a pack
    (the queryset prefetches `commissioners`)."""

    def label_from_instance(self, obj):
        bodies = [body.name for body in obj.commissioners.all()]
        return f"{obj.name} — {'commissioned by ' + ' and '.join(bodies) if bodies else 'no commissioner'}"


class UpdateForm(forms.Form):
    """Plan an update: what, for whom, when, which learning and which services."""

    title = forms.CharField(max_length=200, validators=[words_that_wrap])
    audience = forms.ChoiceField(choices=Audience.choices, widget=forms.RadioSelect)
    issue_at = datetime_field("When the update is due to be issued")
    triggers = RecordMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learning reported on",
        help_text="Claims of adoption are checked against these triggers' matched services.",
    )
    services = CoveredServicesField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Services the update covers",
        help_text="Commissioners of these services will see the released evidence pack.",
    )

    def __init__(self, *args, triggers, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["triggers"].queryset = triggers
        self.fields["services"].queryset = services
        if self.is_bound and PLAN_LATE in self.data:
            self.ask_to_plan_late()

    def ask_to_plan_late(self) -> None:
        """Add the "plan it anyway" checkbox: shown once planning was refused because checks of the
        update would start overdue (`escalation.late_start.StartsOverdue`), and kept while the person
        answers it."""
        self.fields[PLAN_LATE] = forms.BooleanField(
            required=False,
            label="Plan it anyway: I understand these checks start overdue",
            help_text="Each of them is escalated to the people named above at the engine's next check.",
        )


def named_services_field() -> RecordMultipleChoiceField:
    """Every line names the services it speaks for: their managers are told when its figures fall behind."""
    return RecordMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Named services",
        help_text=(
            "Every service the claim speaks for (for a provider-wide claim, each of them). Only verified "
            "implementation at a named matched service counts as adoption evidence, and the registered "
            "managers of named services behind on the action are told."
        ),
        error_messages={"required": NO_SERVICES},
    )


class LineForm(forms.Form):
    """Add a claim, naming the services it speaks for."""

    claim = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Claim, as it will be reported",
        validators=[words_that_wrap_in("a claim")],
    )
    kind = forms.ChoiceField(choices=LineKind.choices, widget=forms.RadioSelect, label="Kind of claim")
    services = named_services_field()

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services


class LineServicesForm(forms.Form):
    """Name the services of a line added before every line had to name them."""

    services = named_services_field()

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services


class ReasonForm(forms.Form):
    """Place or lift a hold: the reason goes on the record. `missing` is what an empty one is told."""

    reason = reason_field()

    def __init__(self, *args, missing: str = "Give the reason.", confirm: str = "", **kwargs):
        """`confirm`: the label of a box that must be ticked first (lifting a hold the sign-off kept)."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = missing
        if confirm:
            self.fields[CONFIRM_AGAINST_SIGN_OFF] = forms.BooleanField(
                label=confirm,
                error_messages={
                    "required": "Tick the box to lift the hold against the sign-off, or go back."
                },
            )


CONFIRM_AGAINST_SIGN_OFF = "confirm_against_sign_off"


DECISIONS = [
    (LineState.FROZEN, "Freeze the line"),
    (LineState.DEFERRED, "Defer the line awaiting proof"),
    (LineState.CHALLENGE_CLEARED, "Clear the line at challenge"),
    (LineState.DRAFT, "Reopen the line and check its evidence again"),
]


class DecisionForm(forms.Form):
    """Freeze, defer, clear or reopen a line, with the reason. Clearing at challenge is offered only to
    those who may clear (`can_clear`); anyone else is told who can (`who_clears`)."""

    state = forms.ChoiceField(
        choices=DECISIONS,
        widget=forms.RadioSelect,
        label="Decision",
        error_messages={
            "required": "Choose a decision for the line.",
            "invalid_choice": "Choose one of the decisions offered to you.",
        },
    )
    reason = reason_field(missing="Give the reason for the decision.", rows=2)

    def __init__(self, *args, can_clear: bool = True, who_clears: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not can_clear:
            self.fields["state"].choices = [c for c in DECISIONS if c[0] != LineState.CHALLENGE_CLEARED]
            self.fields["state"].help_text = who_clears
