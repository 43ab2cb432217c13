"""Render every Django form with NHS.UK frontend markup, so no view repeats field HTML.

The renderer also gives every form its bound-field class, `FieldNamedInErrors`: a required field still
carrying Django's "This field is required." is told, instead, what to do with that field ("Enter the
title.", "Choose the service where it happened."). An error summary listing several problems then
names each one, as the NHS.UK pattern asks. A form that sets its own message keeps it.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]

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
    first = words.split(" ", 1)[0]
    # Lower the first letter of an ordinary word, never of an abbreviation such as "CQC".
    if first[:1].isupper() and not first[1:2].isupper():
        words = words[0].lower() + words[1:]
    if first.lower() not in READS_ON:
        words = f"the {words}"
    return f"{verb} {words}."


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


class NHSUKFormRenderer(TemplatesSetting):
    """`{{ form }}` prints an error summary-ready list of NHS.UK form groups."""

    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
    bound_field_class = FieldNamedInErrors
