"""Settling the other levels of an escalation once nothing is left for them to do.

An escalation nobody acknowledges climbs (Quality Director, Provider Director, Nominated Individual):
each level is an Escalation of the same thread (`root`). Once the overdue step behind the thread is
recorded, the levels nobody took up have nothing left to ask; once a level is resolved, so have the
levels below it; once the step is recorded again within threshold, so has the breach the record it
supersedes raised. They are settled, that is resolved with words saying what settled them, by whom and
when, so no director is asked to act on something already done, and the engine, which climbs only from
escalations still raised, raises no further level for them.

The levels above a resolved level are settled only once the step is recorded: they were raised
because the level below missed its window, and whoever missed it cannot close their manager's
follow-up while the step is still missing.

Set-based, as the engine writes elsewhere: the rows are locked in one order (two people settling the
same thread from either end never deadlock), changed with one conditional UPDATE that returns them,
and their history rows and events written with one insert each. Only rows still open change, so a
second call settles nothing twice. Call inside the transaction that resolves or records.
"""

from django.db.models import Q

from providers.templatetags.nhsuk import london

from . import telling
from .choices import EscalationKind, EscalationState, EventKind
from .models import EngineEvent, Escalation, StepRun
from .sql import claim

# What a settled escalation's row returns from the UPDATE: every column, to write its history row.
_COLUMNS = tuple(field.name for field in Escalation._meta.concrete_fields)


def _thread(escalation: Escalation) -> Q:
    """The escalation's thread: its first level and every follow-up above it."""
    root = escalation.root_id or escalation.pk
    return Q(pk=root) | Q(root_id=root)


def lock_thread(escalation: Escalation) -> None:
    """Lock every level of the escalation's thread, lowest id first: whoever resolves a level then
    settles the others without waiting on someone resolving another level at the same moment."""
    list(Escalation.objects.filter(_thread(escalation)).select_for_update().order_by("pk").values("pk"))


def settle_thread(escalation: Escalation, *, by, now, step_missing: bool) -> list[int]:
    """The open levels below `escalation`, which `by` has just resolved, settled, and those above it
    too unless the overdue step behind the thread is still missing (`step_missing`): those stay open
    for their holders until it is recorded.

    Returns the ids settled (none when nothing else was open)."""
    words = (
        f"Settled — resolved by {by} at level {escalation.level} "
        f"({escalation.get_target_role_display()}) on {london(now)}"
    )
    others = Escalation.objects.filter(_thread(escalation)).exclude(pk=escalation.pk)
    if step_missing:
        others = others.filter(level__lt=escalation.level)
    return _settle(others.exclude(state=EscalationState.RESOLVED), by=by, now=now, words=words)


def follow_ups_left_open(escalation: Escalation, thread) -> str:
    """What resolving `escalation` now leaves open, said to its resolver while its step is missing:
    "The follow-ups to the Provider Director and the Nominated Individual stay open for them until the
    step is recorded." `thread` is its levels as loaded; "" when none above it is open."""
    above = [
        level.get_target_role_display()
        for level in thread
        if level.level > escalation.level and level.state != EscalationState.RESOLVED
    ]
    if not above:
        return ""
    roles = " and the ".join(above)
    if len(above) == 1:
        return f"The follow-up to the {roles} stays open for them until the step is recorded."
    return f"The follow-ups to the {roles} stay open for them until the step is recorded."


def settle_recorded_step(step_run: StepRun, *, by, now, within_threshold: bool = False) -> list[int]:
    """The escalations raised because the step was overdue, and their follow-ups, that nobody has taken
    up yet (still raised), settled now that `by` has recorded it; and, when this record is
    `within_threshold`, those the breach of the record it supersedes raised: what they asked for is put
    right. Returns the ids settled.

    One a person has acknowledged stays theirs to resolve (with no note needed now: the step is
    recorded). A weak-group escalation is about what a record said of one group: recording the step
    again settles none.

    Whoever was told of a breach settled so is told it is withdrawn (`telling.tell_withdrawn`): it was
    closed by the record of someone else, often the very person whose figure raised it."""
    words = f"Settled — the step was recorded on {london(now)} by {by}"
    settled = _settle(_raised_in_threads(step_run, EscalationKind.OVERDUE), by=by, now=now, words=words)
    if within_threshold:
        words = f"Settled — recorded again within threshold on {london(now)} by {by}"
        withdrawn = _settle(_raised_in_threads(step_run, EscalationKind.BREACH), by=by, now=now, words=words)
        telling.tell_withdrawn(withdrawn, by=by, now=now)
        settled += withdrawn
    return settled


def settle_done(step_run: StepRun, *, by, now, done: str) -> list[int]:
    """The step's breach escalations nobody has taken up, settled because what they ask was done by
    other means (`done`, in words: "the learning was issued to the matched services"), so nobody is
    asked, or chased up the levels, to do what is done. Returns the ids settled."""
    words = f"Settled on {london(now)} by {by}: {done}"
    return _settle(_raised_in_threads(step_run, EscalationKind.BREACH), by=by, now=now, words=words)


def settle_closed_step(step_run: StepRun, *, by, now, why: str) -> list[int]:
    """The escalations about a step closed without being recorded (`why`), nobody has taken up,
    settled: there is nothing left for anyone to record or put right there. Returns the ids settled."""
    words = f"Settled on {london(now)} by {by}: the step was closed, {why}"
    settled = []
    for kind in (EscalationKind.OVERDUE, EscalationKind.BREACH):
        settled += _settle(_raised_in_threads(step_run, kind), by=by, now=now, words=words)
    return settled


def _raised_in_threads(step_run: StepRun, kind: str):
    """Every level still raised (nobody took it up) of the step's escalations of `kind`."""
    first_levels = Escalation.objects.filter(step_run=step_run, kind=kind, parent__isnull=True).values("pk")
    return Escalation.objects.filter(
        Q(pk__in=first_levels) | Q(root_id__in=first_levels), state=EscalationState.RAISED
    )


def _settle(open_ones, *, by, now, words: str) -> list[int]:
    """Resolve `open_ones` as settled by `by` at `now` with `words`, writing a history row (who, when,
    why) and an event for each: four queries however many."""
    locked = list(open_ones.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not locked:
        return []
    rows = claim(
        # Asked again, not by the ids locked: a level resolved meanwhile keeps its own resolution, and a
        # follow-up the engine raised while this waited for the lock is settled too.
        open_ones,
        returning=_COLUMNS,
        state=EscalationState.RESOLVED,
        settled=True,
        resolved_by=by,
        resolved_at=now,
        resolution_note=words,
        follow_up_due=False,
    )
    attnames = [field.attname for field in Escalation._meta.concrete_fields]
    settled = sorted(
        (Escalation(**dict(zip(attnames, row, strict=True))) for row in rows), key=lambda e: e.pk
    )
    Escalation.history.bulk_history_create(
        settled, update=True, default_user=by, default_change_reason=words, default_date=now
    )
    EngineEvent.objects.bulk_create(
        EngineEvent(
            kind=EventKind.ESCALATION_RESOLVED,
            at=now,
            provider_id=escalation.provider_id,
            chain_run_id=escalation.chain_run_id,
            step_run_id=escalation.step_run_id,
            escalation_id=escalation.pk,
            actor=by,
            message=f"{words}.",
        )
        for escalation in settled
    )
    return [escalation.pk for escalation in settled]
