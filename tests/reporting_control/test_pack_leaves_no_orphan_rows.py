"""No row of a pack's checks table goes over a page alone: found by a tester whose commissioner pack had a
third page holding only the table's repeated header and its last row."""

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from reporting_control import services
from reporting_control.packs import render_pack_html

pytestmark = pytest.mark.django_db

HEADING = "<h2>Checks before issue, step by step</h2>"


def _checks_rows_per_page(html: str) -> list[int]:
    """How many body rows of the checks table each page holding part of it shows."""
    counts = []
    for page in HTML(string=html).render().pages:
        rows = 0
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if isinstance(box, boxes.TableBox) and "checks" in (element.get("class") or ""):
                groups = [group for group in box.children if isinstance(group, boxes.TableRowGroupBox)]
                rows += sum(len(group.children) for group in groups if not group.is_header)
        if rows:
            counts.append(rows)
    return counts


def test_the_checks_table_never_leaves_one_row_on_a_page(evidenced_update, provider_director):
    services.release_update(evidenced_update, by=provider_director)
    html = render_pack_html(evidenced_update)
    assert HEADING in html
    split_seen = False
    # Push the table down the page a step at a time, so it breaks after each of its rows in turn.
    for space in range(0, 260, 8):
        pushed = html.replace(HEADING, f'<div style="height: {space}mm"></div>{HEADING}')
        counts = _checks_rows_per_page(pushed)
        total = sum(counts)
        if len(counts) > 1:
            split_seen = True
            assert min(counts) >= 2 or total < 2, f"{space} mm down, rows per page: {counts}"
    assert split_seen
