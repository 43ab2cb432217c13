"""How a step and its state read on every page: plain words first, the seed's code as a small label."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def step_name(step, then=""):
    """A step (template or run) in plain words with its code after them for the governance team:
    "Find comparable services A1", the code in a small secondary label. ``then`` adds what happened
    to it: "Find comparable services: threshold reached A1"."""
    name = step.name or step.title
    if getattr(step, "region_id", None):
        name = f"{name} – {step.region}"
    if then:
        name = f"{name}: {str(then).lower()}"
    return format_html('{} <span class="app-code">{}</span>', name, step.code)


@register.filter
def step_state(step_run, state=None):
    """The words for a step run's state (as a page computed it, or as it stands now)."""
    return step_run.state_words(state or step_run.display_state())
