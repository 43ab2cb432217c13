"""Render every Django form with NHS.UK frontend markup, so no view repeats field HTML.

The renderer also gives every form its bound-field class, `FieldNamedInErrors`: a required field still
carrying Django's "This field is required." is told, instead, what to do with that field ("Enter the
title.", "Choose the service where it happened."). An error summary listing several problems then
names each one, as the NHS.UK pattern asks. Number fields are told the same way what Django's own
messages leave unnamed ("Enter the drill score as a number", "Give the expected reduction to at most 1
decimal place."), and a text too long which field to shorten ("Shorten the task to 300 characters or
fewer (it has 3000)."). A form that sets its own message keeps it.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import BLANK_CHOICE_DASH
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.utils.choices import BlankChoiceIterator

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
# The limits' messages come from the validators (a field's own error_messages override them by code).
DJANGO_MIN = MinValueValidator.message
DJANGO_MAX = MaxValueValidator.message


def _django_number_messages(field: forms.Field) -> dict:
    """Django's own "invalid" message of a number field's class ("Enter a number.")."""
    for cls in type(field).__mro__:
        if cls.__module__.startswith("django.") and "invalid" in getattr(cls, "default_error_messages", {}):
            return {"invalid": cls.default_error_messages["invalid"]}
    return {}


# A label starting with one of these reads on after "Enter"/"Choose" ("Enter what happened."); any
# other is a noun and takes "the" ("Enter the title.").
READS_ON = {
    "a", "an", "the", "any", "all", "at", "each", "every", "how", "its", "one", "their", "what",
    "when", "where", "whether", "which", "who", "whose", "why", "your",
}  # fmt: skip


def asks_to_choose(field: forms.Field) -> bool:
    """A field answered by picking (a list, radios, checkboxes or a file) rather than typing."""
    widget = field.widget
    return isinstance(field, (forms.ChoiceField, forms.FileField, forms.BooleanField)) or isinstance(
        widget, (forms.widgets.ChoiceWidget, forms.CheckboxInput, forms.FileInput)
    )


def required_message(field: forms.Field, label: str) -> str:
    """What an empty required field is told, built from its label: "Enter the title." for a field
    that is typed in, "Choose the theme." for one that is picked."""
    words = str(label).strip().rstrip(":?.")
    verb = "Choose" if asks_to_choose(field) else "Enter"
    if ":" in words:  # a label that is a sentence of its own ("Escalate when: below 90%") is quoted
        return f"{verb} {'an answer' if verb == 'Choose' else 'a value'} for “{words}”."
    return f"{verb} {_named(words)}."


def _named(words: str) -> str:
    """A label as it reads after "Enter": "the title", "what happened", "CQC rating"."""
    first = words.split(" ", 1)[0]
    # Lower the first letter of an ordinary word, never of an abbreviation such as "CQC".
    if first[:1].isupper() and not first[1:2].isupper():
        words = words[0].lower() + words[1:]
    if first.lower() not in READS_ON:
        words = f"the {words}"
    return words


NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def number_messages(field: forms.Field, label: str) -> dict[str, str]:
    """What a number field is told instead of Django's "Enter a number." and "Ensure this value is
    less than or equal to 100.", naming it: "Enter the drill score as a number, for example 82.5.",
    "Drill score must be 100% or less." (a label ending "(%)" gives its limits as percentages)."""
    words = str(label).strip().rstrip(":?.")
    unit = "%%" if words.endswith("(%)") else ""  # doubled: the message is formatted with its limit
    words = words.removesuffix("(%)").strip()
    whole = isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField)
    example = "12" if whole else "82.5"
    return {
        "invalid": f"Enter {_named(words)} as a {'whole ' if whole else ''}number, for example {example}.",
        "min_value": f"{words} must be %(limit_value)s{unit} or more.",
        "max_value": f"{words} must be %(limit_value)s{unit} or less.",
    }


def _as_subject(words: str) -> str:
    """A label as it reads after "Give": "the drill score", or, for a label that is a sentence of its
    own ("Escalate when: below 90%"), "the value for “Escalate when: below 90%”"."""
    return f"the value for “{words}”" if ":" in words else _named(words)


def digits_messages(field: forms.DecimalField, label: str) -> dict[str, str]:
    """What a decimal field is told instead of Django's messages on its digits, naming it and saying
    what to give: "Give the expected reduction to at most 1 decimal place.", "Drill score must be less
    than 1000.". The limits are the field's own, so the words need none of the validator's values."""
    words = str(label).strip().rstrip(":?.")
    percent = words.endswith("(%)")
    words = words.removesuffix("(%)").strip()
    # A message is formatted with the validator's values: a % sign of the label or unit is doubled.
    named = _as_subject(words).replace("%", "%%")
    subject = f"{named[0].upper()}{named[1:]}" if ":" in words else words.replace("%", "%%")
    places = field.decimal_places
    precision = f"to at most {places} decimal place{'s' if places != 1 else ''}"
    messages = {}
    if places is not None:
        messages["max_decimal_places"] = f"Give {named} {'as a whole number' if places == 0 else precision}."
    if field.max_digits is not None:
        limit = f"{10 ** (field.max_digits - (places or 0))}{'%%' if percent else ''}"
        messages["max_whole_digits"] = f"{subject} must be less than {limit}."
        if places is None:
            messages["max_digits"] = f"Give {named} with at most {field.max_digits} digits."
        elif places == 0:
            messages["max_digits"] = f"Give {named} as a whole number less than {limit}."
        else:
            messages["max_digits"] = f"Give {named} as a number less than {limit}, {precision}."
    return messages


def too_long(what: str) -> str:
    """What a text longer than its limit is told, naming it ("the reason", "the task"): on every form
    and by the services that refuse a reason themselves, in the same words (Django's validator
    parameters fill in the numbers)."""
    return f"Shorten {what} to %(limit_value)d characters or fewer (it has %(show_value)d)."


def length_messages(label) -> dict[str, str]:
    """What a text outside its length limits is told instead of Django's "Ensure this value has at
    most 300 characters (it has 3000).", naming it: "Shorten the task to 300 characters or fewer (it
    has 3000).", "Lengthen the code to 4 characters or more (it has 2)." (the validators' values)."""
    named = _as_subject(str(label).strip().rstrip(":?.")).replace("%", "%%")
    return {
        "max_length": too_long(named),
        "min_length": f"Lengthen {named} to %(limit_value)d characters or more (it has %(show_value)d).",
    }


# Django's empty choice of a list ("---------") asks for nothing: `choose_label` says what to choose.
DJANGO_EMPTY_CHOICE = BLANK_CHOICE_DASH[0][1]


def choose_label(label) -> str:
    """A list's empty choice in words, from its label: "Choose a theme", "Choose a service"."""
    words = _named(str(label).strip().rstrip(":?.")).removeprefix("the ")
    if words.split(" ", 1)[0].lower() in READS_ON:
        return f"Choose {words}"
    return f"Choose {'an' if words[:1] in 'aeiou' else 'a'} {words}"


class FieldNamedInErrors(BoundField):
    """Django's bound field, giving a field left with Django's bare "This field is required." a
    message naming it. Bound fields are made before the form is cleaned and after the form's own
    `__init__` has set its messages, so a message the form chose is never overwritten."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        if str(field.error_messages.get("required")) == str(DJANGO_REQUIRED):
            # The form's own copy of the field: another form of the same class is not touched.
            label = self.label or pretty_name(name)  # a field shown without a label is still named
            field.error_messages["required"] = required_message(field, label)
        if isinstance(field, NUMBER_FIELDS):
            # Django's own number messages name no field; a message the form chose is kept.
            defaults = {**_django_number_messages(field), "min_value": DJANGO_MIN, "max_value": DJANGO_MAX}
            named = number_messages(field, self.label or pretty_name(name))
            for key, default in defaults.items():
                if str(field.error_messages.get(key, default)) == str(default):
                    field.error_messages[key] = named[key]
        if isinstance(field, forms.DecimalField):
            # Django's messages on the digits come from the validator, so any in the field's own
            # messages were chosen by the form, and are kept.
            digits = digits_messages(field, self.label or pretty_name(name))
            for key, message in digits.items():
                field.error_messages.setdefault(key, message)
        if isinstance(field, forms.CharField):
            # Django's length messages come from the validators, so any in the field's own messages
            # were chosen by the form (a reason's own words), and are kept.
            for key, message in length_messages(self.label or pretty_name(name)).items():
                field.error_messages.setdefault(key, message)
        if isinstance(field.widget, forms.Textarea):
            # A box of sentences is not given the browser's maxlength: it would cut a pasted text short
            # without a word. A longer text is refused with its limit and length, and kept on the form.
            field.widget.attrs.pop("maxlength", None)
        self._name_the_empty_choice(field, self.label or pretty_name(name))

    @staticmethod
    def _name_the_empty_choice(field: forms.Field, label) -> None:
        """Replace Django's "---------" with `choose_label`; an empty choice the form named is kept."""
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_CHOICE:
                field.empty_label = choose_label(label)
            return
        choices = field.choices if isinstance(field, forms.ChoiceField) else None
        named = [("", choose_label(label))]
        if isinstance(choices, BlankChoiceIterator) and list(choices.blank_choice) == BLANK_CHOICE_DASH:
            # A model field's choices, the blank one added lazily: still lazily, with its name.
            field.choices = BlankChoiceIterator(choices.choices, named)
        elif isinstance(choices, list) and choices and tuple(choices[0]) == BLANK_CHOICE_DASH[0]:
            field.choices = [*named, *choices[1:]]


class NHSUKFormRenderer(TemplatesSetting):
    """`{{ form }}` prints an error summary-ready list of NHS.UK form groups."""

    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
    bound_field_class = FieldNamedInErrors
