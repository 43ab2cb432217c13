"""Background work that always finishes: imports and evidence packs are rows that a sweeper watches.

The row is the truth and the broker's message only a nudge, so a lost message or a dead worker never
leaves work stuck:

- `queue_on_commit(row)` sends the row's task once the row is committed. A broker that is down is
  logged, never raised: the row stays queued with no `dispatched_at`, and the sweeper sends it later.
- The task calls `claim(Model, pk)`: queued → running, one attempt more. The attempt number is the
  worker's lease: every later write (`heartbeat`, `finish`) is conditional on it, so a worker the sweeper
  gave up on (it only looked dead) can no longer change the row.
- `sweep(now)`, run by beat every SWEEP_SECONDS, sends queued rows the broker never took (or lost) and
  re-queues running rows with no progress for STUCK_AFTER_SECONDS; after MAX_ATTEMPTS starts it marks
  them failed with the reason instead. `retry(row)` starts a failed row again from nothing.

Tasks doing this work are declared with `acks_late` and `reject_on_worker_lost`, so the broker also
redelivers a message whose worker died; the claim makes any second delivery a no-op.
"""

import logging
import time
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)
# What publishing raises when the broker cannot be reached (kombu wraps transport errors in
# OperationalError; a refused or reset socket can surface as an OSError).
BROKER_ERRORS = (OperationalError, OSError)
SWEEP_BATCH = 200  # rows of one kind handled per sweep; the next sweep takes the rest
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


class LeaseLost(Exception):
    """The sweeper re-queued or failed this row meanwhile: this worker must stop and change nothing."""


class BackgroundWork(models.Model):
    """A row of work done by a Celery task, with what the sweeper needs to finish it whatever happens.

    A concrete model has a `status` field and a `failure` text field, and names its task and statuses:
    `task_name`, `QUEUED`, `RUNNING` (the statuses of a started row, the first one set by the claim),
    `FAILED`, and `RESTART` (fields reset when it starts again, such as its progress).
    """

    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker started it.")
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life: when it was queued, started or moved on."
    )
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the broker last accepted its task; empty while not sent."
    )

    task_name = ""
    QUEUED = "queued"
    RUNNING: tuple = ()
    FAILED = "failed"
    RESTART: dict = {}
    STOPPED_NOTE = ""  # added to the failure reason after the last attempt

    class Meta:
        abstract = True

    @property
    def waiting_for_broker(self) -> bool:
        """Queued but not yet handed to a worker (the broker was unreachable): it starts shortly."""
        return self.status == self.QUEUED and self.dispatched_at is None


def work_models() -> list[type[BackgroundWork]]:
    """Every concrete kind of background work: one sweep serves them all."""
    return [m for m in apps.get_models() if issubclass(m, BackgroundWork)]


def stuck_after() -> timedelta:
    return timedelta(seconds=settings.BACKGROUND_STUCK_AFTER_SECONDS)


# --- sending -------------------------------------------------------------------------------------------


def dispatch(row: BackgroundWork) -> bool:
    """Send the row's task now; False (logged, not raised) when the broker cannot be reached."""
    module, name = row.task_name.rsplit(".", 1)  # the task's dotted path is also its registered name
    task = getattr(import_module(module), name)
    try:
        task.apply_async(args=[row.pk], retry=False)
    except BROKER_ERRORS:
        logger.warning("Broker unreachable: %s %s stays queued for the sweeper.", row.task_name, row.pk)
        return False
    # Only a row still waiting: an eager or very quick worker may have claimed it already.
    type(row).objects.filter(pk=row.pk, status=row.QUEUED).update(dispatched_at=timezone.now())
    return True


def queue_on_commit(row: BackgroundWork) -> None:
    """Send the row's task once the current transaction commits (the worker must find the row)."""
    transaction.on_commit(lambda: dispatch(row))


# --- state changes -------------------------------------------------------------------------------------


def _transition(model, pk, expected: dict, changes: dict, *, by=None, reason: str = ""):
    """Change a row only if it is still as `expected`, under a row lock, with a history row.

    A change may be a function of the locked row (`attempts + 1`). Returns the changed row, or None when
    it was no longer as expected (another worker, the sweeper or a person changed it first).
    """
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk, **expected).first()
        if row is None:
            return None
        for name, value in changes.items():
            setattr(row, name, value(row) if callable(value) else value)
        row._history_user = by
        row._change_reason = reason or None
        row.save()
    return row


def claim(model, pk, now=None):
    """Start a queued row once: of two deliveries of one task only one gets it. Returns the row or None."""
    return _transition(
        model,
        pk,
        {"status": model.QUEUED},
        {"status": model.RUNNING[0], "progress_at": now or timezone.now(), **model.RESTART}
        | {"attempts": lambda row: row.attempts + 1},
        reason="Started",
    )


def _held(row: BackgroundWork) -> dict:
    """The conditions under which this worker still holds the row: its own attempt, still running."""
    return {"attempts": row.attempts, "status__in": row.RUNNING}


def heartbeat(row: BackgroundWork, **progress) -> None:
    """Record progress (and that the worker is alive); raise LeaseLost if the row was taken from it."""
    now = timezone.now()
    if not type(row).objects.filter(pk=row.pk, **_held(row)).update(progress_at=now, **progress):
        raise LeaseLost(f"{row.task_name} {row.pk}, attempt {row.attempts}")
    for name, value in {**progress, "progress_at": now}.items():
        setattr(row, name, value)
    pause_for_fault_tests()


def finish(row: BackgroundWork, status: str, reason: str = "", **changes) -> BackgroundWork:
    """Move a running row to another status (the next stage, done, failed); LeaseLost if taken from it.

    Called inside the transaction that saves the work's results, it makes them and the row's new state
    commit together, or neither.
    """
    changed = _transition(
        type(row),
        row.pk,
        _held(row),
        {"status": status, "progress_at": timezone.now(), **changes},
        by=getattr(row, "created_by", None) or getattr(row, "requested_by", None),
        reason=reason,
    )
    if changed is None:
        raise LeaseLost(f"{row.task_name} {row.pk}, attempt {row.attempts}")
    for name in ("status", "progress_at", *changes):
        setattr(row, name, getattr(changed, name))
    return row


def retry(row: BackgroundWork, *, by) -> bool:
    """Queue a failed row again from nothing (a person's request). False if it was not failed."""
    model = type(row)
    restarted = _transition(
        model,
        row.pk,
        {"status": model.FAILED},
        {"status": model.QUEUED, "attempts": 0, "failure": "", "progress_at": timezone.now()}
        | {"dispatched_at": None, **model.RESTART},
        by=by,
        reason="Tried again",
    )
    if restarted is None:
        return False
    queue_on_commit(restarted)
    return True


def pause_for_fault_tests() -> None:
    """Slow each progress step down, so a fault test can kill a worker at a known point. Zero otherwise."""
    delay = settings.BACKGROUND_TEST_DELAY_SECONDS
    if delay:
        time.sleep(delay)


# --- the sweeper ---------------------------------------------------------------------------------------


def sweep(now=None) -> dict[str, int]:
    """Send what the broker never took and re-queue what a dead worker left; return counts per action."""
    now = now or timezone.now()
    counts = {"sent": 0, "requeued": 0, "failed": 0}
    for model in work_models():
        counts["sent"] += _send_waiting(model, now)
        for action in _rescue_stuck(model, now):
            counts[action] += 1
    return counts


def _send_waiting(model, now) -> int:
    """Queued rows never sent (broker down), or sent so long ago that the message must be lost.

    Sending a row twice is harmless: the claim lets one delivery start it.
    """
    waiting = model.objects.filter(status=model.QUEUED).filter(
        models.Q(dispatched_at__isnull=True) | models.Q(dispatched_at__lt=now - stuck_after())
    )
    return sum(dispatch(row) for row in waiting.order_by("pk")[:SWEEP_BATCH])


def _rescue_stuck(model, now):
    """Running rows with no progress for too long: re-queue them, or fail them after the last attempt."""
    cutoff = now - stuck_after()
    stuck = model.objects.filter(status__in=model.RUNNING, progress_at__lt=cutoff).order_by("pk")
    for row in stuck[:SWEEP_BATCH]:
        # Only if nothing moved since it was read: a worker that just made progress keeps it.
        expected = {"attempts": row.attempts, "status": row.status, "progress_at__lt": cutoff}
        if row.attempts >= settings.BACKGROUND_MAX_ATTEMPTS:
            failed = {"status": model.FAILED, "failure": _why(row)}
            if _transition(model, row.pk, expected, failed, reason="Stopped: no progress"):
                yield "failed"
        else:
            changes = {"status": model.QUEUED, "progress_at": now, "dispatched_at": None, **model.RESTART}
            requeued = _transition(model, row.pk, expected, changes, reason="Re-queued: no progress")
            if requeued:
                queue_on_commit(requeued)
                yield "requeued"


def _why(row: BackgroundWork) -> str:
    minutes = max(1, round(settings.BACKGROUND_STUCK_AFTER_SECONDS / 60))
    stopped = (
        f"The background worker stopped making progress on this {row.attempts} times "
        f"(no progress for {minutes} minute{'s' if minutes != 1 else ''} each time), so it was given up."
    )
    again = "Use “Try again” to start it once more."
    return " ".join(part for part in (stopped, row.STOPPED_NOTE, again) if part)
