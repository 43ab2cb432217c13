"""Render every Django form with NHS.UK frontend markup, so no view repeats field HTML."""

from django.forms.renderers import TemplatesSetting


class NHSUKFormRenderer(TemplatesSetting):
    """`{{ form }}` prints an error summary-ready list of NHS.UK form groups."""

    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
