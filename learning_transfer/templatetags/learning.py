"""Display helpers for chain A figures: rates, percentages, week labels and 'no data' wording."""

import math

from django import template

from providers.choices import Role
from providers.numbers import format_rate
from providers.who_acts import nobody_holds

register = template.Library()

NO_CARE_HOURS = "No care hours recorded"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@register.filter
def rate(value, compared_with=None):
    """An incident rate per 100 care hours to three decimal places, or more where it would look
    equal to a different value it is compared with (`{{ m.rate_7d|rate:pic.median }}`); or the reason
    there is none. Every rate on chain A's pages goes through here (`providers.numbers.format_rate`)."""
    if _missing(value):
        return NO_CARE_HOURS
    return format_rate(value, compared_with)


@register.filter(name="week")
def week_label(number: int) -> str:
    """A week relative to learning issue as the summary's chart and its table both name it: -4, +1.

    A plain hyphen-minus rather than the typographic minus: it is what a reader types to find the
    week on the page, and what a spreadsheet reads as a number when the table is copied."""
    return f"{number:+d}"


@register.filter
def pct(value):
    """A percentage to one decimal place, or an em dash when it cannot be computed."""
    if _missing(value):
        return "—"
    return f"{float(value):.1f}%"


@register.filter
def hours(value):
    """Care hours to one decimal place, a whole figure too ("4,347.0" beside "4,021.2"), so figures of
    the one measure shown side by side look equally precise; none recorded reads "0.0". Every care
    hours figure on chain A's pages goes through here; the figures kept are not rounded."""
    if _missing(value):
        return "0.0"
    return f"{float(value):,.1f}"


@register.filter
def nobody_acknowledges(notice) -> str:
    """What a notice nobody can acknowledge says (its owner has left and the service has no registered
    manager, who acknowledges any of its notices): "Nobody at Elm House holds the Registered Manager
    role yet: ask your provider administrator"."""
    return nobody_holds(notice.matched_service.service, Role.REGISTERED_MANAGER.label)


@register.filter
def learning_at(trigger, service) -> str:
    """ "LT-0004 Fall at Elm House at Rowan Court": the learning and the service it is about there,
    the service not said twice when the title ends with it already (found: "LT-0004 Medication error at
    Willow Bank at Willow Bank", the default title naming the service the failure happened at)."""
    said = f"{trigger.reference} {trigger.title}"
    name = getattr(service, "name", str(service))
    return said if trigger.title.endswith(f" at {name}") else f"{said} at {name}"
