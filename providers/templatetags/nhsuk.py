"""Template helpers for NHS.UK frontend markup: widget classes, tags for states, working-time display."""

from functools import lru_cache

from django import forms, template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from providers.calendar import LONDON
from providers.who_acts import nobody_holds

register = template.Library()

_WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.ClearableFileInput: "nhsuk-file-upload",
    forms.FileInput: "nhsuk-file-upload",
}


@register.filter
def nhsuk_widget(bound_field):
    """Render a field's widget with the NHS.UK class, error state and aria-describedby for hint/error."""
    widget = bound_field.field.widget
    css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(widget, w)), "nhsuk-input")
    if bound_field.errors:
        css += f" {css}--error"
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}-error")
    attrs = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def choice_kind(bound_field):
    """NHS.UK's component name for a set of options: radios for one choice, checkboxes for several."""
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it must be asked about first.
    return "checkboxes" if isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple) else "radios"


@register.filter
def is_multiple_choice(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


_STATE_COLOURS = {
    "due": "blue",
    "open": "blue",
    "recorded": "green",
    "met": "green",
    "resolved": "green",
    "released": "green",
    "acknowledged": "aqua-green",
    "overdue": "red",
    "breached": "red",
    "held": "red",
    "raised": "orange",
    "draft": "grey",
    "closed": "grey",
}


@register.simple_tag
def state_tag(state, label=None):
    """An NHS.UK tag coloured by state, with the words always visible (never colour alone).

    Built here rather than from a template: lists show one per row, and an included template costs
    a render of its own each time.
    """
    colour = _STATE_COLOURS.get(str(state).lower(), "grey")  # a fixed word, nothing to escape
    label = conditional_escape(label or str(state).replace("_", " ").capitalize())
    return mark_safe(f'<strong class="nhsuk-tag nhsuk-tag--{colour}">{label}</strong>\n')


@register.filter
def nobody_records(step_run) -> str:
    """What a step run nobody can record says: the role nobody holds where it is recorded (its region,
    else its case's service, else its provider), "Nobody at Elm House holds the Clinical Lead role yet:
    ask your provider administrator"."""
    place = step_run.region or step_run.chain_run.service or step_run.chain_run.provider
    return nobody_holds(place, step_run.get_role_display())


@register.filter
def actors(groups, step_run=None):
    """Who can do what the viewer cannot, from providers.who_acts: "Clinical Lead at Elm House: Priya
    Shah; ...". Built here rather than from an included template: a work list shows it on most rows.
    When nobody can, the row names the role nobody holds and the place (`nobody_records` of the step
    run it is about); a row about other work says so itself (`nobody_holds`) rather than asking here."""
    if groups:
        said = format_html_join("; ", "{} {}: {}", ((g.role_label, g.place, g.names) for g in groups))
    elif step_run is not None:
        said = nobody_records(step_run)
    else:  # a bare "nobody" would not say whom to appoint: the caller must say which role is missing
        raise ValueError("actors: nobody can act, and no step run says which role nobody holds")
    return format_html('<span class="app-actors">{}</span>', said)


@register.filter
def london(value):
    """Show an aware datetime in Europe/London, e.g. 'Mon 23 Nov 2026, 10:18'."""
    if not value:
        return ""
    if timezone.is_naive(value):
        raise ValueError("london() cannot be applied to a naive datetime")
    return _in_london(value)


@register.filter
def on_at(value):
    """An instant after a verb, as people say it: "recorded on Mon 23 Nov 2026 at 10:18" (never
    "recorded at Mon 23 Nov 2026, 10:18")."""
    if not value:
        return ""
    day, _, time = london(value).rpartition(", ")
    return f"on {day} at {time}"


@lru_cache(maxsize=4096)
def _in_london(value) -> str:
    """The words of one instant in London. Converted to London itself rather than to the active time
    zone (`timezone.localtime` looks that zone up on every call), and kept: a trigger's page shows
    about a hundred times, and the notices of one distribution share their issue and due times.
    Aware datetimes of the same instant are equal whatever their zone, as are their words here."""
    return value.astimezone(LONDON).strftime("%a %-d %b %Y, %H:%M")


# The two halves of each record page's address around its id, by script prefix and URL name.
_ADDRESS_HALVES: dict[tuple[str, str], tuple[str, str]] = {}
_STAND_IN_ID = 918273645  # reversed in place of a real id once, then replaced by each row's id


@register.simple_tag
def record_url(name: str, pk) -> str:
    """The address of one record's page, as `{% url name pk %}` gives it, for the links of a table's
    every row: `name` is a URL taking the record's id alone. Django's `reverse` searches the URL
    patterns on every call (about 40 µs; a trigger's page has a hundred such links), so each name is
    reversed once with a stand-in id and the row's id is put in its place."""
    key = (get_script_prefix(), name)
    halves = _ADDRESS_HALVES.get(key)
    if halves is None:
        before, _, after = reverse(name, args=[_STAND_IN_ID]).partition(str(_STAND_IN_ID))
        halves = _ADDRESS_HALVES[key] = (before, after)
    return f"{halves[0]}{int(pk)}{halves[1]}"


@register.simple_tag(takes_context=True)
def error_title(context) -> str:
    """The words "Error: " before the page's title while any form on it shows errors (the NHS.UK error summary
    pattern: a screen reader announces the title first). Read from the page's forms, whatever each
    is called in its context, so no page has to remember to say it."""
    for value in context.flatten().values():
        if isinstance(value, forms.BaseForm) and value.is_bound and value.errors:
            return "Error: "
    return ""
