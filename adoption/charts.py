"""A server-side SVG bar chart of one measure by team, shift and location, after
learning_transfer/charts.py.

Plain markup with presentation attributes (the Content Security Policy blocks style attributes), a
title and description for screen readers, and the same numbers in the table beside it.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from learning_transfer.charts import AFTER_COLOUR, GRID_COLOUR, LABEL_SIZE, TEXT_COLOUR, _nice_ceiling

WEAK_COLOUR = "#d5281b"  # NHS red: a group breaching the threshold
WIDTH, LEFT, RIGHT, ROW, TOP = 800, 180, 230, 28, 12


def variation_chart(section: dict) -> SafeString:
    """Horizontal bars of each group's mean, one per team, shift and location; weak groups in red and
    labelled, a black tick at each group's latest value ("weak now" when it breaches), the average dashed.
    """
    rows = section["rows"]
    if not rows:
        return mark_safe("")  # noqa: S308 - nothing to draw
    top = _nice_ceiling(max(max(max(r["value"], r["latest"]) for r in rows), rows[0]["service_average"]))
    plot_w = WIDTH - LEFT - RIGHT
    height = TOP * 2 + ROW * len(rows) + 20
    chart_id = f"chart-{escape(section['code'])}-{escape(section['measure'])}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(section["label"])} by team, shift and location</title>',
        f'<desc id="{chart_id}-d">{escape(_description(section))}</desc>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        width = plot_w * row["value"] / top
        colour = WEAK_COLOUR if row["breached"] else AFTER_COLOUR
        label = f"{row['dimension'].capitalize()}: {row['group']}"
        latest_x = LEFT + plot_w * row["latest"] / top
        words = f"{_n(row['value'])}{' weak' if row['breached'] else ''}; latest {_n(row['latest'])}"
        words += " weak now" if row["weak_now"] else (" aligned" if row["aligned_since"] else "")
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 17}" text-anchor="end" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_COLOUR}">'
            f"{escape(label)}</text>",
            f'<rect x="{LEFT}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" fill="{colour}"/>',
            # The latest value as a tick across the bar: a mean can look fine while the group is weak now.
            f'<line x1="{latest_x:.1f}" y1="{y + 1}" x2="{latest_x:.1f}" y2="{y + ROW - 1}" '
            f'stroke="{TEXT_COLOUR}" stroke-width="3"/>',
            f'<text x="{LEFT + max(width, latest_x - LEFT) + 6:.1f}" y="{y + 17}" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_COLOUR}">{escape(words)}</text>',
        ]
    average_x = LEFT + plot_w * rows[0]["service_average"] / top
    bottom = TOP + ROW * len(rows)
    parts += [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="{GRID_COLOUR}"/>',
        f'<line x1="{average_x:.1f}" y1="{TOP}" x2="{average_x:.1f}" y2="{bottom}" stroke="{TEXT_COLOUR}" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{average_x:.1f}" y="{bottom + 16}" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" '
        f'fill="{TEXT_COLOUR}">Service average</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped text


def _description(section: dict) -> str:
    rows = section["rows"]
    weak = ", ".join(f"{r['dimension']} {r['group']}" for r in rows if r["breached"]) or "none"
    weak_now = ", ".join(f"{r['dimension']} {r['group']}" for r in rows if r["weak_now"]) or "none"
    return (
        f"Bars show each group's mean, ticks its latest value. Service average "
        f"{_n(rows[0]['service_average'])}. Groups whose mean breaches the threshold "
        f"({section['threshold']}): {weak}. Groups weak now: {weak_now}. "
        "The table beside the chart lists every group."
    )


def _n(value: float) -> str:
    """A figure to one decimal place without a trailing .0: 92.7, 80."""
    return f"{round(value, 1):g}"
