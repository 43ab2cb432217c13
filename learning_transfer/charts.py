"""Server-side SVG charts: plain markup the pages embed (and a PDF could), no JavaScript.

Colours are SVG presentation attributes rather than style attributes, which the Content Security
Policy (style-src 'self') would block. Every chart has a title and description for screen readers,
and the page shows the same numbers in a table below it.
"""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from providers.numbers import format_rate

from .templatetags.learning import week_label

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 76, 16, 24, 56  # room for tick labels such as 0.025 beside the axis title
BEFORE_COLOUR = "#768692"  # NHS mid grey
AFTER_COLOUR = "#005eb8"  # NHS blue
TEXT_COLOUR = "#212b32"
GRID_COLOUR = "#d8dde0"
# Labels are drawn at 14 px so that a chart scaled down to 12/14 of its width still reads at 12 px;
# below that the page hides the chart in favour of its table (static/css/app.css, .app-chart-frame).
LABEL_SIZE = 14
# The rate axis has at most this many steps: enough to read a bar against, few enough to stay legible.
MOST_STEPS = 5


def _nice_ceiling(value: float) -> float:
    """A round number at or above value (1, 2, 2.5, 5 × a power of ten): a step of the axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _axis_ticks(highest: float) -> list[float]:
    """The rate axis's ticks: 0 up to the first round step at or above the highest rate, in steps of
    1, 2, 2.5 or 5 × a power of ten (0, 0.01 … 0.05 rather than 0, 0.0125 … 0.05). An axis with no
    rate above 0 goes up to 1."""
    highest = highest if highest > 0 else 1.0
    step = _nice_ceiling(highest / MOST_STEPS)
    # The tolerance keeps 0.05 / 0.01 (5.000000000000001 in floating point) at 5 steps, not 6.
    steps = max(math.ceil(highest / step - 1e-9), 1)
    return [step * i for i in range(steps + 1)]


def _tick_text(value: float, step: float) -> str:
    """A tick as a person writes it: as many decimals as the step needs, no trailing zeros or
    floating-point noise (0.03, not 0.030 or 0.030000000000000002)."""
    places = max(0, -math.floor(math.log10(step))) + 1  # one more for steps such as 0.25
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def before_after_chart(rows: list[dict], title: str = "Incident rate in matched services") -> SafeString:
    """Bars of the weekly incident rate per 100 care hours, weeks before learning issue in grey and
    after in blue, with a line where the learning was issued. rows: week, period, rate (None = no
    data), and part_week (a week not over yet: drawn as an outline and labelled "part")."""
    rates = [r["rate"] for r in rows if r["rate"] is not None and not math.isnan(r["rate"])]
    ticks = _axis_ticks(max(rates, default=0))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{escape(_description(rows))}</desc>',
    ]
    for value in ticks:
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_COLOUR}">'
            f"{_tick_text(value, ticks[1])}</text>"
        )
    for index, row in enumerate(rows):
        x = LEFT + index * slot
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
            f'font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_COLOUR}">{week_label(row["week"])}</text>'
        )
        rate = row["rate"]
        if rate is None or math.isnan(rate):
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{TOP + plot_h - 6}" text-anchor="middle" '
                f'font-size="{LABEL_SIZE}" '
                f'fill="{TEXT_COLOUR}">no data</text>'
            )
            continue
        height = plot_h * rate / top
        colour = BEFORE_COLOUR if row["period"] == "before" else AFTER_COLOUR
        # A part week is an outline: its figures so far, not a whole week's.
        paint = (
            f'fill="none" stroke="{colour}" stroke-width="2"' if row.get("part_week") else f'fill="{colour}"'
        )
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" {paint}/>'
        )
        labels = (["part"] if row.get("part_week") else []) + ([_held_by(row)] if _not_all(row) else [])
        for line, label in enumerate(reversed(labels)):  # "part" on top, "1 of 2" just above the bar
            y = max(TOP + plot_h - height - 4, TOP + 12 + 16 * (len(labels) - 1)) - 16 * line
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
                f'font-size="{LABEL_SIZE}" fill="{TEXT_COLOUR}">{label}</text>'
            )
    before_count = sum(1 for r in rows if r["period"] == "before")
    divider = LEFT + before_count * slot
    parts += [
        f'<line x1="{divider:.1f}" y1="{TOP - 8}" x2="{divider:.1f}" y2="{TOP + plot_h}" '
        f'stroke="{TEXT_COLOUR}" stroke-dasharray="4 3"/>',
        f'<text x="{divider:.1f}" y="{TOP - 10}" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" '
        f'fill="{TEXT_COLOUR}">'
        "Learning issued</text>",
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" '
        f'fill="{TEXT_COLOUR}">Week relative to learning issue</text>',
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="{LABEL_SIZE}" '
        f'fill="{TEXT_COLOUR}" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">Incidents per 100 care hours</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped text


def _not_all(row: dict) -> bool:
    """Whether the week holds fewer than all the triggers (a week after learning some have not
    reached yet); rows without these counts hold them all."""
    return row.get("triggers", 0) < row.get("all_triggers", 0)


def _held_by(row: dict) -> str:
    """The bar's label for a week not every trigger has reached: "1 of 2" (triggers)."""
    return f"{row['triggers']} of {row['all_triggers']}"


def _average(rows: list[dict], period: str) -> str:
    """The average weekly rate of the period's weeks, written as the table writes a rate. Only weeks
    every trigger has reached: before learning they all are; after it, a week some have not reached
    would set other services' weeks against the before (found: 3 triggers against 1)."""
    values = [
        r["rate"]
        for r in rows
        if r["period"] == period
        and not r.get("part_week")
        and not _not_all(r)
        and r["rate"] is not None
        and not math.isnan(r["rate"])
    ]
    if values:
        return format_rate(sum(values) / len(values))
    if any(_not_all(r) for r in rows if r["period"] == period):
        return "no week yet reached by every trigger"
    return "no complete week yet"


def averages_words(rows: list[dict]) -> str:
    """The before-and-after averages in one sentence, said on the page under the chart as in its
    description (found: only in the chart's description, which a sighted reader never sees)."""
    return (
        "Average weekly incidents per 100 care hours before learning: "
        f"{_average(rows, 'before')}; after learning: {_average(rows, 'after')}."
    )


def _description(rows: list[dict]) -> str:
    """The chart in words, each average written as the table writes a rate (`format_rate`). Part weeks
    are named and left out of the averages: a week not over yet would pull them down."""

    part = [week_label(r["week"]) for r in rows if r.get("part_week")]
    part_words = (
        f" Week{'s' if len(part) > 1 else ''} {', '.join(part)} {'are' if len(part) > 1 else 'is a'} "
        f"part week{'s' if len(part) > 1 else ''}, not yet over, and left out of the averages."
        if part
        else ""
    )
    held_words = "".join(
        f" Week {week_label(r['week'])} holds {r['triggers']} of the {r['all_triggers']} triggers: "
        "the rest have not reached it yet, so it is left out of the averages."
        for r in rows
        if _not_all(r)
    )
    return f"{averages_words(rows)}{part_words}{held_words} The table below the chart lists every week."
