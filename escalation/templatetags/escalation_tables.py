"""One table of escalations for every page that lists them, each page choosing its columns."""

from django import template

register = template.Library()

# Every column a table of escalations can show, by name, with its header.
COLUMNS = {
    "escalation": "Escalation",
    "case": "Case",
    "to": "To",
    "raised": "Raised",
    "acknowledge_by": "Acknowledge by",
    "state": "State",
}


@register.inclusion_tag("escalation/includes/escalation_table.html")
def escalation_table(rows, caption: str, columns: str, by_others: bool = False) -> dict:
    """The escalations `rows` as a table labelled `caption`, with the `columns` named (space-separated
    names of COLUMNS, in order): the inbox shows each one's case and acknowledge-by time, a case's page
    whom each went to. Without a "to" column, whom it went to is said under the escalation's name;
    `by_others` adds who acts on it (rows split by providers.who_acts.split_yours)."""
    names = columns.split()
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise template.TemplateSyntaxError(f"escalation_table has no column {', '.join(unknown)}")
    return {
        "rows": rows,
        "caption": caption,
        "columns": [(name, COLUMNS[name]) for name in names],
        "to_column": "to" in names,
        "by_others": by_others,
    }
