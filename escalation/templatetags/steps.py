"""How a step and its state read on every page: plain words first, the seed's code as a small label."""

import re

from django import template
from django.utils.html import format_html

from providers.templatetags.nhsuk import actors
from providers.who_acts import nobody_holds

from ..choices import StepRunState
from ..permissions import escalation_place

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
    """`step_words` with the step's code after the step's name for the governance team, then what
    happened: "Find comparable services A1: threshold reached", the code in a small secondary label
    (after "threshold reached" it would read as part of it)."""
    code = format_html('{} <span class="app-code">{}</span>', step_words(step), step.code)
    if then:
        return format_html("{}: {}", code, str(then).lower())
    return code


# The seed's own store, kept in the data after "Kept here: …" (migration 0014) for the record's sake.
_WAS_ELSEWHERE = re.compile(r"\s*\(was: .*\)$")


@register.filter
def evidence_words(step) -> str:
    """Where a step's evidence is, as a care manager reads it: "Kept here: this step's records and the
    deployment's page." The store the seed named before this system ("(was: …)") is not shown: it
    names where nothing is kept any more. A store a provider wrote themselves is shown as written."""
    words = _WAS_ELSEWHERE.sub("", step.evidence_store).strip()
    return words if not words or words.endswith(".") else f"{words}."


# A step still to record, as said to someone who does not record it: whom it waits for, not "record it".
WAITING = {StepRunState.DUE: "Due", StepRunState.OVERDUE: "Overdue"}


@register.filter
def step_state(step_run, state=None):
    """The words for a step run's state (as a page computed it, or as it stands now). On a list split
    by whose it is (`split_yours` marks `yours` and names the `actors`), a step still to record that
    is someone else's says whom it waits for: "Overdue — waiting for Grace Nair (Clinical Lead)"."""
    state = state or step_run.display_state()
    if getattr(step_run, "yours", True) is False and state in WAITING:
        return f"{WAITING[state]} — waiting for {waiting_for(step_run)}"
    return step_run.state_words(state)


def waiting_for(step_run) -> str:
    """Who records a step the viewer does not: "Grace Nair (Clinical Lead)", or, when nobody can yet,
    "someone to hold the Clinical Lead role"."""
    groups = getattr(step_run, "actors", None) or []
    if not groups:
        return f"someone to hold the {step_run.get_role_display()} role"
    return " or ".join(f"{group.names} ({group.role_label})" for group in groups)


@register.simple_tag
def acted_on(escalation):
    """Who acts on an escalation listed for someone else: the person who took it on once someone has
    ("Acted on by Priya Shah"), until then those who can ("To be acted on by Quality Director for
    Oakwood Care Group: Priya Shah"), or that nobody can (`nobody_acts_on`), so pending work never
    reads as done."""
    if escalation.acknowledged_by_id:
        return format_html("Acted on by {}", escalation.acknowledged_by)
    if not escalation.actors:
        return nobody_acts_on(escalation)
    return format_html("To be acted on by {}", actors(escalation.actors))


@register.filter
def nobody_acts_on(escalation) -> str:
    """What an escalation nobody can act on says: its target role is held by nobody where it lives
    (nor is the Nominated Individual's), "Nobody at Elm House holds the Quality Director role yet: ask
    your provider administrator"."""
    return nobody_holds(escalation_place(escalation), escalation.get_target_role_display())
