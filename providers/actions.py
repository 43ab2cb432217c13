"""What every app's business actions share: a double submit sent to what the first made, and a state
change made once however many people submit it at the same moment."""

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.transaction import TransactionManagementError


class AlreadyDone(ValidationError):
    """The same action arrived twice (a double submit): `existing` is what the first one made.

    Views send the person to it instead of showing an error; nothing is made twice.
    """

    def __init__(self, message: str, existing):
        super().__init__(message)
        self.existing = existing


class ChangedMeanwhile(ValidationError):
    """The record was no longer in the state the action expects (someone else acted first, perhaps a
    second at the same moment): nothing was changed, and the view shows the message."""


def lock(obj, refusal: str = "", **expected):
    """`obj`'s row as it stands now, locked until the transaction ends.

    With `expected` (field lookups such as `state="raised"`), the row is locked only if it still matches
    them; otherwise ChangedMeanwhile(refusal). On PostgreSQL a second transaction asking for the same
    row waits for the first one to commit and then sees the row as the first one left it, so of two
    submits at once exactly one finds the row as expected. (SQLite takes its write lock when a
    transaction starts, which serialises writers the same way.)
    """
    model = type(obj)
    if not transaction.get_connection(router.db_for_write(model)).in_atomic_block:
        raise TransactionManagementError("lock() must run inside transaction.atomic().")
    row = model._default_manager.select_for_update().filter(pk=obj.pk, **expected).first()
    if row is None:
        raise ChangedMeanwhile(refusal or f"This {model._meta.verbose_name} was changed meanwhile.")
    return row


def change_once(obj, *, expected: dict, changes: dict, by, reason: str, refusal: str, at=None):
    """Change `obj` from the state it is `expected` in, once, however many people submit at once.

    The row is locked only if it still matches `expected` (see `lock`), else ChangedMeanwhile(refusal).
    The `changes` (field name -> value) are saved once, writing the one history row with who (`by`),
    when (`at`, default now) and why (`reason`), and are copied onto `obj` so the caller sees them.
    Call it inside the transaction that also writes the change's event, so both happen or neither.
    Returns `obj`.
    """
    row = lock(obj, refusal, **expected)
    for name, value in changes.items():
        setattr(row, name, value)
        setattr(obj, name, value)
    row._history_user = by
    if at is not None:
        row._history_date = at
    row._change_reason = reason
    row.save(update_fields=list(changes))
    return obj
