"""The figures of the deployment page, formatted as `floatformat` formats them, each value once.

The page shows every group's mean and latest figure beside the service average, a hundred and more
numbers a view, and most of them are the same from one view to the next (a new observation changes
its own groups' figures only). `floatformat` works each one out through Decimal and the locale's
number format; here a value already formatted is looked up instead.
"""

from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils import translation

from escalation.choices import group_words

register = template.Library()


@register.filter
def figure(value, places="-1"):
    """`value|floatformat:places`, remembered for the value (and its type), places and language."""
    try:
        return _formatted(type(value), value, str(places), translation.get_language())
    except TypeError:  # a value that cannot be remembered (unhashable) is formatted afresh
        return floatformat(value, places)


@lru_cache(maxsize=4096)
def _formatted(kind: type, value, places: str, language: str | None):
    return floatformat(value, places)


@register.filter
def group_name(row) -> str:
    """A team, shift or location of the page's tables as a sentence says it: "the Night team", "the
    late shift", "location Garden wing" (found: "Team Day team", "shift late")."""
    return group_words(f"{row['dimension']} {row['group']}")
