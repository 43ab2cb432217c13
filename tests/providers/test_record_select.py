"""A select of records writes its options in Python, for speed; what the browser receives is exactly
the markup Django's own select template writes, whatever the choices, the chosen value and the
attributes."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from providers.fields import RecordChoiceField, RecordSelect
from providers.models import Service
from tests.factories import ServiceFactory

PLAIN = [("", "Any service"), (1, "Elm House"), (2, 'Oak & "Ash" <Lodge>'), (3, "Birch's")]
GROUPED = [
    ("", "Choose"),
    ("North", [(1, "Elm House"), (2, "Oak Lodge")]),
    ("South & East", [(3, "Birch Court")]),
    ("", [(4, "Unnamed group")]),
    (None, "Nothing"),
]
REPEATED = [(1, "First one"), (1, "The same value again"), (2, "Another")]


class DjangoSelect(forms.Select):
    """Django's select as it ships, rendered by its templates."""


class DjangoSelectMultiple(forms.SelectMultiple):
    """Django's multiple select as it ships."""


class RecordSelectMultiple(RecordSelect):
    allow_multiple_selected = True

    def value_omitted_from_data(self, data, files, name):
        return False


@pytest.mark.parametrize("choices", [PLAIN, GROUPED, REPEATED, []])
@pytest.mark.parametrize("value", [None, "", 1, "2", 3, 99, "not a number", [1, 2]])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_service", "class": "nhsuk-select", "required": True},
        {"required": True, "class": "a b", "disabled": False, "aria-describedby": 'x"y', "data-n": 0},
        {"title": mark_safe("<b>kept</b>")},
    ],
)
def test_a_select_writes_exactly_what_djangos_template_writes(choices, value, attrs):
    ours = RecordSelect(choices=choices).render("service", value, attrs)
    djangos = DjangoSelect(choices=choices).render("service", value, attrs)
    assert ours == djangos


@pytest.mark.parametrize("value", [None, [], ["1"], [1, 3], ["2", "4", "99"]])
def test_a_multiple_select_marks_every_chosen_option(value):
    ours = RecordSelectMultiple(choices=GROUPED).render("services", value, {"id": "id_services"})
    djangos = DjangoSelectMultiple(choices=GROUPED).render("services", value, {"id": "id_services"})
    assert ours == djangos


@pytest.mark.django_db
def test_a_record_field_renders_its_records_as_djangos_select_would():
    chosen = ServiceFactory(name="Oak & Ash")
    ServiceFactory(name="<Elm>", provider=chosen.provider)
    queryset = Service.objects.order_by("name")

    ours = RecordChoiceField(queryset=queryset, empty_label="Any service")
    djangos = forms.ModelChoiceField(queryset=queryset, empty_label="Any service", widget=DjangoSelect)
    attrs = {"id": "id_service", "class": "nhsuk-select"}

    assert ours.widget.render("service", chosen.pk, attrs) == djangos.widget.render(
        "service", chosen.pk, attrs
    )


@pytest.mark.django_db
def test_a_record_field_reading_only_labels_writes_the_same_options():
    """A service's name is its label: read alone, the options are those of the whole records."""
    chosen = ServiceFactory(name="Oak & Ash")
    ServiceFactory(name="<Elm>", provider=chosen.provider)
    ServiceFactory(name="Birch", provider=chosen.provider)
    queryset = Service.objects.order_by("name")
    attrs = {"id": "id_service", "class": "nhsuk-select"}

    records = RecordChoiceField(queryset=queryset, empty_label="Any service")
    labels = RecordChoiceField(queryset=queryset, empty_label="Any service", label_field="name")

    for value in (None, chosen.pk, str(chosen.pk)):
        assert labels.widget.render("service", value, attrs) == records.widget.render("service", value, attrs)
    assert labels.clean(str(chosen.pk)) == chosen


@pytest.mark.parametrize("value", [None, "", "90", "not offered"])
def test_a_fixed_choice_writes_what_djangos_choice_field_writes(value):
    """Fixed lists (a filter's themes and periods, a service's shifts) are drawn the same way."""
    from providers.fields import ChoiceField, TypedChoiceField

    choices = [("", "Any period"), ("30", "Last 30 days"), ("90", "Last 90 days & more")]
    attrs = {"id": "id_period", "class": "nhsuk-select"}
    djangos = forms.ChoiceField(choices=choices, widget=DjangoSelect).widget.render("period", value, attrs)
    assert ChoiceField(choices=choices).widget.render("period", value, attrs) == djangos
    typed = TypedChoiceField(choices=choices, coerce=int).widget.render("period", value, attrs)
    assert typed == djangos
