"""When each step of a new case is due: the provider's calendar applied to the snapshotted rules.

Chains A and B count forward from their anchor (a confirmed failure, a deployment). Chain C's anchor
is the future issue of an update: its one-off steps count back from it, and its recurring step (C2,
"by 12:12 on each preparation day") falls on each working day of the preparation window — the
`preparation_working_days` working days before the issue day.

A chain's one-off steps never fall due out of order: a rule may count from an earlier step's deadline
(`after_step`: A2 to A5 each count from the step before) or be capped by a later one's
(`not_after_step`: C3 by C4, C4 by C5), as fixtures/chains.json declares; see `chain_deadlines`.
"""

from datetime import UTC

from django.core.exceptions import ValidationError

from providers.calendar import (
    LONDON,
    chain_deadlines,
    is_recurring,
    local_datetime,
    recurring_deadlines_for,
)

RECURRING_HORIZON_WORKING_DAYS = 5


def default_until(anchor, calendar):
    """The close of the 5th working day after the anchor's day: how far recurring steps are scheduled."""
    day = anchor.astimezone(LONDON).date()
    for _ in range(RECURRING_HORIZON_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return local_datetime(day, calendar.hours.end)


def preparation_window(anchor, working_days: int, calendar):
    """From the opening of the Nth working day before the issue day to the close of the last one."""
    issue_day = anchor.astimezone(LONDON).date()
    first = last = calendar.previous_working_day(issue_day)
    for _ in range(working_days - 1):
        first = calendar.previous_working_day(first)
    return local_datetime(first, calendar.hours.start), local_datetime(last, calendar.hours.end)


def _recurring_window(chain, anchor, until, calendar):
    if chain.preparation_working_days:
        start, end = preparation_window(anchor, chain.preparation_working_days, calendar)
        if until is not None:
            end = min(end, until, key=lambda d: d.astimezone(UTC))
        return start, end
    return anchor, until or default_until(anchor, calendar)


def one_off_deadlines(steps: list[dict], anchor, calendar) -> dict:
    """{step code: deadline} for the chain's one-off steps, in step order by their linked rules.

    ValidationError when the rules depend on a step that is not in the chain, or on each other in a circle.
    """
    try:
        return chain_deadlines({step["code"]: step["deadline_rule"] for step in steps}, anchor, calendar)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def schedule(chain, steps: list[dict], anchor, until, calendar, service):
    """[(step, occurrence, due_at), ...] for every step of a new case, and the end of the recurring
    steps' schedule (None when the chain has none).

    Raises ValidationError when a step cannot be scheduled: a shift step without the service's shifts,
    or a recurring step with no occurrence in its window.
    """
    if until is not None and (
        until.utcoffset() is None or until <= anchor and not chain.preparation_working_days
    ):
        raise ValidationError(
            "The end of the schedule must be a timezone-aware date and time after the anchor."
        )
    start, end = _recurring_window(chain, anchor, until, calendar)
    shifts = service.shifts if service is not None else []
    one_off = one_off_deadlines(steps, anchor, calendar)
    plan, recurring = [], False
    for step in steps:
        rule = step["deadline_rule"]
        if not is_recurring(rule):
            plan.append((step, 1, one_off[step["code"]]))
            continue
        recurring = True
        if rule["kind"].startswith("each_shift") and not shifts:
            where = f"{service} has" if service is not None else "The case has no service, so it has"
            raise ValidationError(f"{step['code']} is due each shift, but {where} no shift patterns.")
        try:
            deadlines = recurring_deadlines_for(rule, start, end, calendar, shifts)
        except ValueError as exc:
            raise ValidationError(f"{step['code']}: {exc}") from exc
        if not deadlines:
            raise ValidationError(
                f"{step['code']} has no deadline before {end:%d %b %Y %H:%M}; choose a later end."
            )
        plan += [(step, n, due_at) for n, due_at in enumerate(deadlines, start=1)]
    return plan, (end if recurring else until)
