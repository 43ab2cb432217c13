"""A server-side SVG bar chart of one measure by team and shift, after learning_transfer/charts.py.

Plain markup with presentation attributes (the Content Security Policy blocks style attributes), a
title and description for screen readers, and the same numbers in the table beside it.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from learning_transfer.charts import AFTER_COLOUR, GRID_COLOUR, TEXT_COLOUR, _nice_ceiling

WEAK_COLOUR = "#d5281b"  # NHS red: a group breaching the threshold
WIDTH, LEFT, RIGHT, ROW, TOP = 640, 170, 60, 28, 12


def variation_chart(section: dict) -> SafeString:
    """Horizontal bars, one per team and shift, weak groups in red and labelled, the average dashed."""
    rows = section["rows"]
    if not rows:
        return mark_safe("")  # noqa: S308 - nothing to draw
    top = _nice_ceiling(max(max(r["value"] for r in rows), rows[0]["service_average"]))
    plot_w = WIDTH - LEFT - RIGHT
    height = TOP * 2 + ROW * len(rows) + 20
    chart_id = f"chart-{escape(section['code'])}-{escape(section['measure'])}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(section["label"])} by team and shift</title>',
        f'<desc id="{chart_id}-d">{escape(_description(section))}</desc>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        width = plot_w * row["value"] / top
        colour = WEAK_COLOUR if row["breached"] else AFTER_COLOUR
        label = f"{row['dimension'].capitalize()}: {row['group']}"
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(label)}</text>",
            f'<rect x="{LEFT}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" fill="{colour}"/>',
            f'<text x="{LEFT + width + 4:.1f}" y="{y + 17}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{row['value']:g}{' weak' if row['breached'] else ''}</text>",
        ]
    average_x = LEFT + plot_w * rows[0]["service_average"] / top
    bottom = TOP + ROW * len(rows)
    parts += [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="{GRID_COLOUR}"/>',
        f'<line x1="{average_x:.1f}" y1="{TOP}" x2="{average_x:.1f}" y2="{bottom}" stroke="{TEXT_COLOUR}" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{average_x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT_COLOUR}">Service average</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped text


def _description(section: dict) -> str:
    rows = section["rows"]
    weak = ", ".join(f"{r['dimension']} {r['group']}" for r in rows if r["breached"]) or "none"
    return (
        f"Service average {rows[0]['service_average']:g}. Groups breaching the threshold "
        f"({section['threshold']}): {weak}. The table beside the chart lists every group."
    )
