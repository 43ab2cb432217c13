"""Form fields every app's forms and filters share, so input no record could hold is a field error.

Dates are accepted between 2000 and 2100: the working-time calendar and the rate analysis count days
and working hours from them, and a year such as 9999 or 1 would overflow there. A chosen record is
named by its id: an id that is not a whole number the database can store (such as twenty nines) is
refused as an invalid choice before any query, as an id that matches no record is afterwards.
"""

import html
from datetime import UTC, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.safestring import mark_safe

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
LARGEST_ID = 2**63 - 1  # a 64-bit primary key, on PostgreSQL and SQLite alike


def validate_year(value) -> None:
    """Refuse a date (or date and time) outside the years the system deals in."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.", code="year_out_of_range"
        )


def _picker_limits(widget, first: str, last: str) -> dict:
    """The browser's date picker offers only the years accepted (text inputs get nothing)."""
    if widget.input_type in ("date", "datetime-local"):
        return {"min": first, "max": last}
    return {}


class DateField(forms.DateField):
    """A date between 2000 and 2100."""

    default_validators = [validate_year]

    def widget_attrs(self, widget):
        limits = _picker_limits(widget, f"{EARLIEST_YEAR}-01-01", f"{LATEST_YEAR}-12-31")
        return super().widget_attrs(widget) | limits


class DateTimeField(forms.DateTimeField):
    """A date and time between 2000 and 2100, in UK time across the clock changes: a time the clocks
    skip in spring is refused in words, and a time they pass twice in autumn is taken as the first."""

    default_validators = [validate_year]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            return on_a_clock_change(error.params["datetime"], error.params["current_timezone"])

    def widget_attrs(self, widget):
        limits = _picker_limits(widget, f"{EARLIEST_YEAR}-01-01T00:00", f"{LATEST_YEAR}-12-31T23:59")
        return super().widget_attrs(widget) | limits


def _exists(wall, zone) -> bool:
    """Whether a naive wall time is shown on the clocks of `zone` (it survives a round trip by UTC)."""
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def on_a_clock_change(wall, zone):
    """A wall time Django could not place in `zone` because the clocks change around it.

    Skipped (the spring change): refused, saying when the clocks go forward and the first time after.
    Passed twice (the autumn change): the first of the two, still in summer time, as the clocks showed
    it first; a form offers no way to say which, and the earlier reading is the one a person on shift
    writes down before the clocks go back."""
    if _exists(wall, zone):
        return timezone.make_aware(wall, zone)  # fold 0: the first of the two
    minute = timedelta(minutes=1)
    jump, resumes = wall, wall
    while not _exists(jump - minute, zone):
        jump -= minute
    while not _exists(resumes, zone):
        resumes += minute
    at = f"{jump:%-I%p}".lower() if jump.minute == 0 else f"{jump:%H:%M}"
    raise ValidationError(
        f"There is no {wall:%H:%M} on {wall:%a %-d %b %Y}: the clocks go forward an hour at {at}. "
        f"Enter a time from {resumes:%H:%M}.",
        code="clocks_go_forward",
    )


def is_possible_id(value) -> bool:
    """Whether the value could be the id of a stored record (a whole number from 1 to LARGEST_ID)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return 1 <= number <= LARGEST_ID


class RecordSelect(forms.Select):
    """A select whose options are written in Python, in the markup of Django's select templates: a
    provider's 500 services render in about a millisecond rather than one template include each.

    The choices are walked once, as Django's `optgroups` walks them (the first matching option is
    selected, or every one for a multiple select), but no dictionary is built per option and each
    value and label is escaped once as a plain string (Django's `format_html` per option costs more
    than the option itself). tests/providers/test_record_select.py holds it to Django's own markup."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        wanted, selected_one = set(self.format_value(value)), False

        def option(value, label) -> str:
            nonlocal selected_one
            selected = (self.allow_multiple_selected or not selected_one) and str(value) in wanted
            selected_one |= selected
            chosen = " selected" if selected else ""
            # Django's option template ends with a line break of its own, kept for identical markup.
            return f'\n  <option value="{_escaped(value)}"{chosen}>{_escaped(label)}</option>\n'

        parts = [f'<select name="{_escaped(name)}"{_attributes(attrs)}>']
        for group_value, group_label in self.choices:
            group_value = "" if group_value is None else group_value
            if not isinstance(group_label, list | tuple):
                parts.append(option(group_value, group_label))
                continue
            options = "".join(option(value, label) for value, label in group_label)
            if group_value:  # Django's template wraps a group only when it has a name
                options = f'\n  <optgroup label="{_escaped(group_value)}">{options}\n  </optgroup>'
            parts.append(options)
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every name, value and label is escaped


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's widget template `attrs.html` writes them, in their order: True as
    the bare name, False left out, anything else as its text."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _escaped(value) -> str:
    """`value` as HTML text, as Django's `conditional_escape` gives it (markup already safe is kept),
    without its per-call overhead."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class ChoiceField(forms.ChoiceField):
    """One of a fixed list of options (themes, periods, a service's shifts), in a `RecordSelect`:
    Django's own select draws every option through its templates, about a third of a millisecond for
    a list of themes on every page that filters by one."""

    widget = RecordSelect


class TypedChoiceField(forms.TypedChoiceField):
    """`ChoiceField` whose value is coerced (`coerce`), as Django's TypedChoiceField."""

    widget = RecordSelect


class RecordChoiceIterator(ModelChoiceIterator):
    """A select's records read with one plain query. Django's own iterator reads them through a
    server-side cursor in chunks: a round trip each to declare, fetch and close it, and, since a
    template is drawn after the request's transaction, a cursor declared WITH HOLD, which the
    database copies out at once. A select's few hundred records are better fetched in one go (a field
    over a large table, such as an incident, is a hidden input, which never reads its choices)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.label_field:  # ids and labels only: no model instance per option
            yield from self.queryset.values_list("pk", self.field.label_field)
            return
        for record in self.queryset.all():  # a fresh read each time, as Django's iterator does
            yield self.choice(record)


class RecordChoiceField(forms.ModelChoiceField):
    """Choose one record of the queryset by its id.

    `label_field` names a column holding each record's label as the select shows it (the record's own
    text, such as a service's name): the options are then read as ids and labels alone, without a
    model instance each (500 services: about 1.5 ms less)."""

    widget = RecordSelect
    iterator = RecordChoiceIterator

    def __init__(self, *args, label_field: str | None = None, **kwargs):
        self.label_field = label_field
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value not in self.empty_values and not is_possible_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RecordMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Choose any number of records of the queryset by their ids."""

    def _check_values(self, value):
        for item in value:
            if not is_possible_id(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


class RecordFilter(django_filters.ModelChoiceFilter):
    """A list page's filter on one record, chosen by id (see RecordChoiceField)."""

    field_class = RecordChoiceField


class DateFilter(django_filters.DateFilter):
    """A list page's filter on a date between 2000 and 2100."""

    field_class = DateField


class FilterForm(forms.Form):
    """A list page's filter form. Every box only narrows the list, so none is marked "(optional)"
    (the field template reads `narrows_a_list`): a filter full of "(optional)" read as a form to fill.
    A choice not listed (an old address, a record since gone) is refused naming its box, not with
    Django's "Select a valid choice" (found on the summary's, the register's and the incidents' filters)."""

    narrows_a_list = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            said = str(field.error_messages.get("invalid_choice", ""))
            if said.startswith("Select a valid choice"):  # Django's own words: a box's own stay
                label = field.label or pretty_name(name)
                field.error_messages["invalid_choice"] = f"Choose one of the choices listed under “{label}”."
