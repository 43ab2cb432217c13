"""How rates are written for people: one precision everywhere, more only where a comparison needs it.

One function, `format_rate`, is used by every page, PDF, download and explanation that shows a rate.
Three decimal places (0.027, 0.008, 0.000, 1.250), so every rate reads alike and lines up in a table;
more places only where a rate would otherwise look equal to a different value it is compared with (a
rate just above the provider median must not read as equal to it).
"""

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

PLACES = 3
MOST_PLACES = 8  # rates are kept to six places; beyond eight two values are the same number


def _places(value: float, places: int) -> str:
    """value to `places` decimal places, a half rounded up."""
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{exact:.{places}f}"


def format_rate(value, compared_with: Iterable | float | Decimal | None = None) -> str | None:
    """The rate to three decimal places, or more where it would look equal to a different value it
    is compared with (a median, the other services' rates). None when there is no rate (no care hours
    recorded)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = float(value)
    if compared_with is None:
        others = []
    elif isinstance(compared_with, Iterable) and not isinstance(compared_with, str):
        others = [float(o) for o in compared_with if o is not None]
    else:
        others = [float(compared_with)]
    others = [o for o in others if not math.isnan(o) and o != value]
    places = PLACES
    while places < MOST_PLACES and any(_places(o, places) == _places(value, places) for o in others):
        places += 1
    return _places(value, places)
