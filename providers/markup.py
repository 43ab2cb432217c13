"""Table rows written in Python, for the longest tables: a row is its cells' markup, laid out as the
tables' templates wrote it, with each value escaped once.

The template language pays a few microseconds for every variable, filter and `if` of every row, and a
tag for every row; a table of 50 rows with a handful of cells each cost a few milliseconds a page,
more than the queries behind it. Each table written this way keeps the markup its template wrote in a
reference template beside its test, and the test renders both (`format_html` on each piece of a row
cost about a millisecond a page at 35 rows, so a row is filled by plain string formatting).
"""

from html import escape

from django.utils.safestring import SafeString

NUMERIC, NO_WRAP = " app-numeric", " app-nowrap"


def cell_markup(heading: str, css: str = "", *, pieces: bool = False) -> str:
    """The markup of one cell of a responsive table, for `str.format`: its column's heading (shown on
    narrow screens) and a `{}` for its value; `css` adds a class (numbers align right). A value of
    several `pieces` (a name and a link, a time and a tag) is held in one element, or a phone's stacked
    row would set the pieces side by side in narrow columns."""
    value = "<div>{}</div>" if pieces else "{}"
    return (
        f'<td class="nhsuk-table__cell{css}"><span class="nhsuk-table-responsive__heading">{heading} </span>'
        f"{value}</td>"
    )


def row_markup(*cells: str) -> str:
    """The markup of a table row of these cells, laid out as the tables' templates wrote one."""
    return '<tr class="nhsuk-table__row">' + "".join(f"\n      {c}" for c in cells) + "\n    </tr>"


def as_html(value) -> str:
    """`value` as it goes into a row: markup (anything with `__html__`) as it is, anything else as
    escaped text; what `format_html` does to each of its values."""
    markup = getattr(value, "__html__", None)
    return markup() if markup is not None else escape(str(value))


def filled(markup: str, *values) -> SafeString:
    """A row's `markup` with `values` in its places, each as `as_html` gives it."""
    return SafeString(markup.format(*map(as_html, values)))


def link(url: str, text) -> str:
    """A link to `url` reading `text`, both escaped."""
    return f'<a href="{escape(url)}">{escape(str(text))}</a>'


def table_rows(rows) -> SafeString:
    """Rows one a line, indented as the tables' templates laid them out (`{% for %}` with a row inside)."""
    return SafeString("".join(f"\n    {row}\n  " for row in rows))
