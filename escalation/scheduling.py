"""When each step of a new case is due: the provider's calendar applied to the snapshotted rules.

Chains A and B count forward from their anchor (a confirmed failure, a deployment). Chain C's anchor
is the future issue of an update: its one-off steps count back from it, and its recurring step (C2,
"by 12:12 on each preparation day") falls on each working day of the preparation window — the
`preparation_working_days` working days before the issue day.

A chain's one-off steps never fall due out of order: a rule may count from an earlier step's deadline
(`after_step`: A2 to A5 each count from the step before) or be capped by a later one's
(`not_after_step`: C3 by C4, C4 by C5), as fixtures/chains.json declares; see `chain_deadlines`.

Each occurrence also gets the time it opens (`opening_time`), stored with it: the step page, the lists
and the refusal on record all read that one column.
"""

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError

from providers.calendar import (
    LONDON,
    chain_deadlines,
    is_recurring,
    local_datetime,
    recurring_deadlines_for,
)

RECURRING_HORIZON_WORKING_DAYS = 5
SHIFT_KINDS = frozenset({"each_shift", "each_shift_before"})
# A shift is at most a day long: the start of the shift a check is due in lies within this of its deadline.
LONGEST_SHIFT = timedelta(days=1)


def _utc(moment):
    return moment.astimezone(UTC)


def opening_time(rule: dict, due_at, previous_due, anchor, calendar, shifts):
    """When an occurrence of a step may be recorded; None when it is open from the start of the case.

    - A check of a shift's work (B1 "within the first 4 hours of each monitored shift", B4 "before
      20:18" each late shift) opens when its shift starts, and not before the check before it
      (`previous_due`) falls due: the night shift's B1 opens at 21:30, not when the late shift's falls due.
    - A later check each working day (B2, C2) opens when the one before it falls due.
    - A one-off step with `opens_after_shifts` N opens once the last N shifts to end by its deadline
      have ended. B5 "records learning-adoption stability at 09:36 on the third working day after
      implementation starts, capturing ... repeated adoption failures across the previous 3 monitored
      shifts ... and checks the full 3-shift dataset": before the last of those shifts ends, the
      dataset it judges does not exist yet, and recorded then it would pass on shifts nobody worked.
    """
    kind = rule["kind"]
    if kind in SHIFT_KINDS:
        began = _shift_start(rule, due_at, calendar, shifts)
        return max((t for t in (began, previous_due) if t is not None), key=_utc, default=None)
    if kind == "each_working_day":
        return previous_due
    if "opens_after_shifts" in rule:
        return _after_shifts(rule["opens_after_shifts"], due_at, anchor, calendar, shifts)
    return None


def _shift_start(rule: dict, due_at, calendar, shifts):
    """The start of the shift a shift's check is due in (None when the service no longer has it)."""
    if rule["kind"] == "each_shift":
        return (_utc(due_at) - timedelta(hours=float(rule["within_hours"]))).astimezone(LONDON)
    wanted = rule["shift"].strip().casefold()
    starts = [
        began
        for shift in shifts
        if shift.name.strip().casefold() == wanted
        for began, _ in calendar.shift_occurrences(shift, due_at - LONGEST_SHIFT, due_at)
    ]
    return max(starts, key=_utc, default=None)


def _after_shifts(count: int, due_at, anchor, calendar, shifts):
    """The end of the last of the `count` monitored shifts (started at or after the anchor) to end by
    the deadline. When fewer have run by then (a service with few shifts), the step opens at its deadline."""
    ends = [
        ended
        for shift in shifts
        for _, ended in calendar.shift_occurrences(shift, anchor, due_at)
        if _utc(ended) <= _utc(due_at)
    ]
    if len(ends) < count:
        return due_at
    return max(ends, key=_utc)


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
    """[(step, occurrence, due_at, opens_at), ...] for every step of a new case (`opening_time`), and
    the end of the recurring steps' schedule (None when the chain has none).

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
            due_at = one_off[step["code"]]
            plan.append((step, 1, due_at, opening_time(rule, due_at, None, anchor, calendar, shifts)))
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
        previous_due = None
        for n, due_at in enumerate(deadlines, start=1):
            plan.append((step, n, due_at, opening_time(rule, due_at, previous_due, start, calendar, shifts)))
            previous_due = due_at
    return plan, (end if recurring else until)
