"""Putting an implementation line right: reopening a line marked done by mistake, and correcting a line
still to do (its task, owner or due date). Each needs a reason, kept in the line's history with who and
when. A reopened line is work still to do again, so, like a new line, it withdraws a verification that
rested on every line being done (`verification.withdraw_if_undone`).

Reopening is for the people who may mark the line done (its owner, or whoever keeps the service's
exposure log): whoever ticked it by mistake can undo it. Correcting is for the people who may add a
line (the exposure log's keepers): a line's owner does not hand their task to someone else or move its
due date alone."""

from django.db import IntegrityError, transaction

from providers.actions import AlreadyDone, lock
from providers.permissions import require_perm
from providers.services import given_reason
from providers.templatetags.nhsuk import london

from ..models import ImplementationLine
from .common import closed_for_work, now_or, refuse, save_with_history
from .exposure import EDIT, check_line_due
from .line_mails import CORRECTED, tell_new_owner
from .people import check_local_person
from .verification import withdraw_if_undone

COMPLETE = "learning_transfer.complete_line"
# The start of the change reason of a line's history row that reopened or corrected it: what the
# service's History reads back (`match_history`), the person's reason following it.
REOPENED = "Reopened: "
ALREADY_OPEN = "This line is already open: it is still to do."
DONE_LINE = "This line is done: reopen it before correcting it."
SAME_LINE_OPEN = (
    "The same line, with the same task, owner and due date, is already open on the list: "
    "mark that one done or change it instead."
)


def closed_for_correction(line: ImplementationLine) -> str | None:
    """Why the line cannot be corrected now (None when it can): a done line is reopened first, so what
    was done is never rewritten after the fact."""
    return DONE_LINE if line.completed_at is not None else None


def _open_for_work(match) -> None:
    """Refuse any change at a service left out of the learning, or of a closed trigger (and of a
    service's own action line, which belongs to no learning: it is not put right here)."""
    if match is None:
        refuse("This line belongs to no learning.")
    refusal = closed_for_work(match)
    if refusal:
        refuse(refusal)


def _refuse_a_second_open_line(line: ImplementationLine) -> None:
    """Refuse making `line` (reopened or corrected) the same open line as another: the list would show
    one task twice, and the database keeps an open line once."""
    twin = ImplementationLine.objects.filter(
        matched_service=line.matched_service,
        task=line.task,
        owner=line.owner,
        due_at=line.due_at,
        completed_at=None,
    ).exclude(pk=line.pk)
    if twin.exists():
        refuse(SAME_LINE_OPEN)


def reopen_line(line: ImplementationLine, *, by, reason: str, due_at=None, now=None) -> ImplementationLine:
    """Reopen a line marked done by mistake: it is to do again, with the reason in its history, due
    again by `due_at` when given (else when it was due: a past date leaves it overdue at once).

    Refused at a service left out of the learning or of a closed trigger (as every change there is),
    when the same line is open already, and for a new due date already past or outside the bounds a
    line's due date keeps (`exposure.check_line_due`). A second submit finds it open and changes
    nothing (AlreadyDone). A verification resting on every line being done is withdrawn, on the
    record, and the people concerned are told who reopened which line and why (`verification.withdraw`)."""
    require_perm(by, COMPLETE, line)
    match = line.matched_service
    _open_for_work(match)
    reason = given_reason(reason, "Give the reason for reopening this line.")
    now = now_or(now)
    if due_at is not None:
        if due_at < now:
            refuse("The new due date is in the past: give a date still to come, or leave it empty.", "due_at")
        check_line_due(match, due_at)
    try:
        with transaction.atomic():
            row = lock(line)  # two reopenings at once: the second sees the line open
            if row.completed_at is None:
                raise AlreadyDone(ALREADY_OPEN, row)
            why = REOPENED + reason
            if due_at is not None and due_at != row.due_at:
                # The due date it had stays in the history, as a correction's does.
                why = f"{REOPENED}due date was {london(row.due_at)}. {reason}"
                row.due_at = due_at
            _refuse_a_second_open_line(row)
            row.completed_at, row.completed_by = None, None
            save_with_history(row, by, why, update_fields=["completed_at", "completed_by", "due_at"], at=now)
            done = f"{by} reopened the line “{row.task}”: {reason.rstrip('.')}."
            withdraw_if_undone(match, by=by, now=now, done=done)
    except IntegrityError:
        refuse(SAME_LINE_OPEN)  # another line became this one's twin at the same moment
    line.completed_at, line.completed_by = None, None
    line.due_at = due_at or line.due_at
    return line


def _what_changed(line: ImplementationLine, task: str, owner, due_at) -> list[str]:
    """The corrections, in words, from what the line says now to what it will say."""
    changed = []
    if task != line.task:
        changed.append(f"task was “{line.task}”")
    if owner != line.owner:
        changed.append(f"owner was {line.owner or 'nobody'}")
    if due_at != line.due_at:
        changed.append(f"due date was {london(line.due_at)}")
    return changed


def correct_line(
    line: ImplementationLine, *, by, task: str, owner, due_at, reason: str, now=None
) -> ImplementationLine:
    """Correct a line still to do: its task, owner or due date, by the rules a new line follows
    (`exposure.add_line`), with the reason and what it said before kept in its history.

    A done line is reopened first (`reopen_line`). Sending the line as it already reads changes nothing
    (AlreadyDone: a double submit, or a form sent unchanged). A line handed to someone other than the
    person correcting it tells its new owner, once it is saved (`line_mails`)."""
    match = line.matched_service
    _open_for_work(match)
    require_perm(by, EDIT, match)
    task = (task or "").strip()
    if not task:
        refuse("Describe the task.", "task")
    check_local_person(owner, match.service, "owner")
    check_line_due(match, due_at)
    reason = given_reason(reason, "Give the reason for changing this line.")
    now = now_or(now)
    try:
        with transaction.atomic():
            row = lock(line)  # as it stands now: someone may have corrected or completed it since
            if closed_for_correction(row):
                refuse(closed_for_correction(row))
            before = _what_changed(row, task, owner, due_at)
            if not before:
                raise AlreadyDone("This line already reads so: nothing changed.", row)
            handed_on = owner != row.owner
            row.task, row.owner, row.due_at = task, owner, due_at
            _refuse_a_second_open_line(row)
            why = f"{CORRECTED}{'; '.join(before)}. {reason}"
            save_with_history(row, by, why, update_fields=["task", "owner", "due_at"], at=now)
            if handed_on:
                tell_new_owner(row, by=by, now=now)
    except IntegrityError:
        refuse(SAME_LINE_OPEN)  # another line became this one's twin at the same moment
    line.task, line.owner, line.due_at = task, owner, due_at
    return line
