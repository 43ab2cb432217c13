"""One table of escalations for every page that lists them, each page choosing its columns; and, on
every list of escalations, which check each is about when its step is checked each shift or day."""

from django import template

from ..occurrences import which_check, which_checks

register = template.Library()

# Every column a table of escalations can show, by name, with its header.
COLUMNS = {
    "tick": "Acknowledge",  # a box to acknowledge it with others (the inbox's "Yours to do")
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
        "rows": with_which_check(rows),
        "caption": caption,
        "columns": [(name, COLUMNS[name]) for name in names],
        "to_column": "to" in names,
        "by_others": by_others,
    }


@register.simple_tag
def with_which_check(escalations) -> list:
    """The escalations as a list, each with `which_check`: which check it is about when its step is
    checked each shift or day ("2nd check of 22, night shift of Mon 23 Nov"), else "". Two escalations
    about the same step on different shifts would otherwise read alike. A fixed number of queries
    however many are listed (`which_checks`)."""
    rows = list(escalations)
    words = which_checks([e.step_run for e in rows if e.step_run_id])
    for escalation in rows:
        escalation.which_check = words.get(escalation.step_run_id, "")
    return rows


@register.filter(name="which_check")
def which_check_of(step_run) -> str:
    """`which_check` of one step run, for the page of one escalation about it."""
    return which_check(step_run) if step_run is not None else ""
