"""How rates are written for people: with the precision that decides a comparison.

One function, `format_rate`, is used by every page, PDF and explanation that shows a rate, so a rate
and the median it is compared with never look equal when one is above the other.
"""

import math
from collections.abc import Iterable
from decimal import Decimal

SIGNIFICANT_FIGURES = 3
MOST_FIGURES = 8  # beyond this two stored rates are the same number


def _figures(value: float, figures: int) -> str:
    """value to `figures` significant figures, in plain notation (0.0384, 12.5, 0.000)."""
    if value == 0:
        return f"{0:.{figures - 1}f}"
    places = max(figures - 1 - math.floor(math.log10(abs(value))), 0)
    return f"{round(value, places):.{places}f}"


def format_rate(value, compared_with: Iterable | float | Decimal | None = None) -> str | None:
    """A rate to three significant figures, or more where it would otherwise look equal to a different
    value it is compared with (a median, the other services' rates). None when there is no rate."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = float(value)
    if compared_with is None:
        others = []
    elif isinstance(compared_with, Iterable):
        others = [float(o) for o in compared_with if o is not None]
    else:
        others = [float(compared_with)]
    others = [o for o in others if not math.isnan(o) and o != value]
    figures = SIGNIFICANT_FIGURES
    while figures < MOST_FIGURES and any(_figures(o, figures) == _figures(value, figures) for o in others):
        figures += 1
    return _figures(value, figures)
