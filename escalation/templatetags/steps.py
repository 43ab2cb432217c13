"""How a step and its state read on every page: plain words first, the seed's code as a small label."""

from django import template
from django.utils.html import format_html

register = template.Library()


def step_words(step, then="") -> str:
    """A step (template or run) in plain words, its region's name after a step run once per region, and
    ``then`` what happened to it: "Check each region put the learning in place – North: step overdue"."""
    name = step.name or step.title
    if getattr(step, "region_id", None):
        name = f"{name} – {step.region}"
    if then:
        name = f"{name}: {str(then).lower()}"
    return name


@register.filter
def step_name(step, then=""):
    """`step_words` with the step's code after them for the governance team: "Find comparable
    services: threshold reached A1", the code in a small secondary label."""
    return format_html('{} <span class="app-code">{}</span>', step_words(step, then), step.code)


@register.filter
def step_state(step_run, state=None):
    """The words for a step run's state (as a page computed it, or as it stands now)."""
    return step_run.state_words(state or step_run.display_state())
