"""The executive summary's words for what it counts: the receipt window its receipt figures judge by,
and the triggers its filters keep. Plain functions of the summary's filters and counts
(`summary.SummaryFilters`, `summary.Counted`), apart so the summary's arithmetic reads on its own."""

from ..choices import IncidentTheme


def hours_words(hours: int) -> str:
    """A window in words: "1 hour", "4 hours"."""
    return f"{hours} hour{'' if hours == 1 else 's'}"


def receipt_window_words(counted) -> tuple[int | None, str]:
    """The receipt window the summary's receipt figures judge by, for the page to say: (hours, "4
    hours") when every issued trigger counted has the same one (with none issued, the provider's now),
    else (None, words naming each window and how many triggers have it): the page never claims one
    window for triggers whose cases started with different ones."""
    issued = counted.per_trigger[counted.per_trigger["issued"]]
    triggers_by = issued["receipt_hours"].value_counts().sort_index()
    if len(triggers_by) <= 1:
        hours = int(triggers_by.index[0]) if len(triggers_by) else counted.receipt.now_hours
        return hours, hours_words(hours)
    first, *rest = [f"{hours_words(int(hours))} for {count}" for hours, count in triggers_by.items()]
    each = ", ".join([f"{first} trigger{'' if triggers_by.iloc[0] == 1 else 's'}", *rest])
    return None, f"their trigger's own receipt window, the one its case started with ({each})"


# How each period reads after "Every trigger" (found: a filtered page still said "Every trigger").
PERIOD_WORDS = {
    "30": "confirmed in the last 30 days",
    "90": "confirmed in the last 90 days",
    "365": "confirmed in the last 12 months",
    "all": "",
}


def scope_words(filters) -> str:
    """The triggers the summary counts, in the words its page says them, every filter named: "Every
    trigger confirmed in the last 12 months", "Triggers on the theme “Fall”, confirmed in the last 30
    days, with a matched service in North" (`_triggers`): the one set its count, its table and its
    figures read."""
    said = [f"on the theme “{IncidentTheme(filters.theme).label}”"] if filters.theme else []
    said += [words] if (words := PERIOD_WORDS.get(filters.period, "")) else []
    if filters.region:
        said.append(f"with a matched service in {filters.region.name}")
    if not filters.theme and not filters.region:
        return " ".join(["Every trigger", *said])
    return "Triggers " + ", ".join(said)
