"""Learning notices (A2): issue to every matched service, acknowledge, name owners, redistribute."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils.timezone import localtime

from providers.actions import AlreadyDone, change_once, lock
from providers.choices import Role
from providers.permissions import people_holding, require_perm
from providers.services import given_reason
from providers.templatetags.nhsuk import london

from .. import chain
from ..choices import TriggerStatus
from ..models import LearningNotice, LearningTrigger, MatchedService
from .common import closed_for_work, now_or, refuse, save_with_history
from .notice_mails import tell_owners
from .people import check_local_person, registered_manager_now
from .trend import refresh_trend_figures


def default_owner(service):
    """The named owner of a service's notice: its registered manager on record while they still hold
    that role there (`people.registered_manager_now`); with no one on record (or an inactive account),
    whoever holds the role there. A manager on record whose role has ended makes no one the owner: the
    pages then say the owner must be named, rather than the notice waiting for someone who left."""
    on_record = service.registered_manager if service.registered_manager_id else None
    if on_record is not None and on_record.is_active:
        return registered_manager_now(service)
    holders = people_holding(Role.REGISTERED_MANAGER, service=service)
    return holders[0] if holders else None


def _new_notice(
    match: MatchedService, *, by, now, due_within_hours: int, round_no: int = 1
) -> LearningNotice:
    """A notice to the matched service, implementation due within A2's window for the trigger's case
    (72 hours unless the provider tuned it): the notices the system issues pass the check it makes."""
    calendar = match.trigger.provider.calendar
    return LearningNotice(
        matched_service=match,
        round=round_no,
        owner=default_owner(match.service),
        issued_at=now,
        issued_by=by,
        due_at=calendar.add_elapsed_hours(now, due_within_hours),
    )


def refresh_notice_figures(match_ids) -> None:
    """Work out again, from their notices of every round, the receipt figures the matched services
    `match_ids` (ids, or a queryset of ids) keep: their first notice, first acknowledgement, and whether
    their current notice exists and is acknowledged. One `UPDATE`; idempotent, so safe for any rows.

    Called in the same transaction by every write of a notice (issue, acknowledge, redistribute, the
    admin), by the migration that filled them, and by anything that writes notices in bulk."""
    of_match = LearningNotice.objects.filter(matched_service=OuterRef("pk")).order_by()
    first = of_match.values("matched_service")  # grouped per match, so Min is the match's own
    current = of_match.filter(superseded_at__isnull=True)
    MatchedService.objects.filter(pk__in=match_ids).update(
        first_notice_at=Subquery(first.annotate(at=Min("issued_at")).values("at")),
        first_acknowledged_at=Subquery(first.annotate(at=Min("acknowledged_at")).values("at")),
        has_current_notice=Exists(current),
        current_notice_acknowledged=Exists(current.filter(acknowledged_at__isnull=False)),
    )


def issue_notices(trigger: LearningTrigger, *, by, now=None) -> list[LearningNotice]:
    """One action: a notice to every included matched service that has none, each with its owner
    (the registered manager) and implementation due within A2's window (72 hours unless tuned)."""
    now = now_or(now)
    require_perm(by, "learning_transfer.manage_trigger", trigger)
    if trigger.is_closed:
        refuse("The trigger is closed.")
    if not trigger.learning_statement.strip():
        refuse("Write the learning statement first: it is what the notice tells every service.")
    issued = []
    with transaction.atomic():
        # Two issues at once take turns on the trigger: the second finds the notices the first made.
        lock(trigger)
        waiting = _waiting_for_notice(trigger)
        if not waiting and not trigger.matches.filter(included=True).exists():
            refuse("There are no included matched services to issue the learning to.")
        if not waiting:
            refuse("Every included matched service already has a notice.")
        windows = chain.parameters(trigger.provider, trigger)
        for match in waiting:
            notice = _new_notice(match, by=by, now=now, due_within_hours=windows["due_within_hours"])
            save_with_history(notice, by, "Learning issued", at=now)
            issued.append(notice)
        refresh_notice_figures([match.pk for match in waiting])
        tell_owners(issued, windows["receipt_window_hours"], now)  # e-mailed once this commits
        first_issue = trigger.notices_issued_at is None
        if first_issue:
            trigger.notices_issued_at = now
        trigger.status = TriggerStatus.ISSUED
        save_with_history(trigger, by, f"Learning issued to {len(issued)} services", at=now)
        if first_issue:  # the issue day the trend weeks count from (a match added later has its own)
            refresh_trend_figures(trigger.matches.values("pk"))
            # What A1's breach asked for is done: nobody is chased to issue it any more.
            chain.settle_learning_needed(trigger, by=by, now=now)
    return issued


def _waiting_for_notice(trigger: LearningTrigger) -> list[MatchedService]:
    """Included matched services with no current notice."""
    has_notice = LearningNotice.objects.filter(matched_service=OuterRef("pk"), superseded_at__isnull=True)
    return list(
        trigger.matches.filter(~Exists(has_notice), included=True).select_related(
            "service__registered_manager", "trigger__provider"
        )
    )


def acknowledge_notice(notice: LearningNotice, *, by, now=None) -> LearningNotice:
    """The service owner confirms receipt. A registered manager may acknowledge for a notice without
    an owner, and then becomes its owner."""
    now = now_or(now)
    require_perm(by, "learning_transfer.acknowledge_notice", notice)
    if not notice.is_current:
        refuse("This notice was replaced by a newer one; acknowledge that one.")
    closed = closed_for_work(notice.matched_service)
    if closed:
        refuse(f"{closed} Its notice no longer needs acknowledging.")
    refusal = "This notice was already acknowledged."
    if notice.acknowledged_at:
        refuse(refusal)
    changes = {"acknowledged_at": now, "acknowledged_by": by}
    if notice.owner_id is None:
        changes["owner"] = by
    with transaction.atomic():
        change_once(
            notice,
            # As the person saw it: not yet acknowledged, still current, and with the same owner.
            expected={"acknowledged_at": None, "superseded_at": None, "owner": notice.owner_id},
            changes=changes,
            by=by,
            reason="Receipt acknowledged",
            at=now,
            refusal=refusal,
        )
        refresh_notice_figures([notice.matched_service_id])
    return notice


SAY_WHY_OWNER_CHANGES = (
    "Say why you are changing the named owner or due date, for example “Beth is on leave until the 20th”."
)


def name_owner(notice: LearningNotice, *, by, owner, due_at, reason: str = "") -> LearningNotice:
    """Fill in a missing owner or due date (or correct them) before the notice is acknowledged. The
    owner is one of the service's own people or its region's (`people.check_local_person`). Changing
    an owner or due date already named needs the `reason`, kept in the history: the owner is who the
    distribution sheet holds to account, so a swap is never silent."""
    require_perm(by, "learning_transfer.name_notice_owner", notice)
    refusal = "The notice was already acknowledged."
    if notice.acknowledged_at:
        refuse(refusal)
    check_local_person(owner, notice.service, "owner")
    if due_at is not None and due_at < notice.issued_at:
        # A due date before the issue would count as "due within 72 hours" while meaning nothing.
        refuse(
            f"Implementation cannot be due before the notice was issued ({london(notice.issued_at)}).",
            "due_at",
        )
    if owner == notice.owner and due_at == notice.due_at:
        # A history row saying "changed" where nothing was would be read as a change that happened.
        raise AlreadyDone("Nothing changed: the notice already names this owner and due date.", notice)
    changes_named = (notice.owner_id and owner != notice.owner) or (notice.due_at and due_at != notice.due_at)
    reason = given_reason(reason, SAY_WHY_OWNER_CHANGES if changes_named else None)
    words = _owner_change_words(notice, owner, due_at) + (f". Why: {reason}" if reason else "")
    with transaction.atomic():
        change_once(
            notice,
            expected={"acknowledged_at": None},
            changes={"owner": owner, "due_at": due_at},
            by=by,
            reason=words,
            refusal=refusal,
        )
    return notice


def _owner_change_words(notice: LearningNotice, owner, due_at) -> str:
    """What naming the owner changes, for the history: "Owner Beth Mills → Rachel Green; implementation
    due Thu 10 Dec 2026, 13:06 → Mon 14 Dec 2026, 10:00" (only what changes; "none" for nothing)."""
    said = []
    if owner != notice.owner:
        said.append(f"owner {notice.owner or 'none'} → {owner or 'none'}")
    if due_at != notice.due_at:
        before, after = (london(moment) if moment else "none" for moment in (notice.due_at, due_at))
        said.append(f"implementation due {before} → {after}")
    words = "; ".join(said) or "owner and due date set again, unchanged"
    return words[0].upper() + words[1:]


def needs_redistribution(notice: LearningNotice | None, deadline, now) -> bool:
    """A service needs its notice again when it has none, or an unacknowledged one that lacks an
    owner or due date, or whose receipt deadline (`MatchedService.receipt_deadline`, counted from the
    service's own first notice, so a service added late is not chased early) has passed."""
    if notice is None:
        return True
    if notice.acknowledged_at:
        return False
    if notice.owner_id is None or notice.due_at is None:
        return True
    # No deadline: the service's notice figures are not kept yet, so its clock has not visibly started.
    return deadline is not None and now >= deadline


def redistribute(trigger: LearningTrigger, *, by, now=None) -> list[LearningNotice]:
    """A2's action when the receipt rule breaches: reissue to every included service still without a
    received notice, superseding its old one (the first issue stays on the record). Receipt is judged
    within A2's receipt window as the trigger's case runs it (the provider's tuning when it started),
    the window its A2 figure was judged by."""
    now = now_or(now)
    require_perm(by, "learning_transfer.distribute_notices", trigger)
    if trigger.notices_issued_at is None:
        refuse("The learning has not been issued yet.")
    reissued = []
    with transaction.atomic():
        lock(trigger)  # two redistributions at once: the second sees the first one's notices
        matches = list(
            trigger.matches.filter(included=True).select_related(
                "service__registered_manager", "trigger__provider"
            )
        )
        current = {
            n.matched_service_id: n
            for n in LearningNotice.objects.filter(
                matched_service__trigger=trigger, superseded_at__isnull=True
            )
        }
        windows = chain.parameters(trigger.provider, trigger)
        window_hours = windows["receipt_window_hours"]
        for match in matches:
            old = current.get(match.pk)
            if not needs_redistribution(old, match.receipt_deadline(window_hours), now):
                continue
            if old is not None:
                old.superseded_at = now
                save_with_history(old, by, "Superseded by redistribution", at=now)
            round_no = (old.round + 1) if old else 1
            notice = _new_notice(
                match, by=by, now=now, due_within_hours=windows["due_within_hours"], round_no=round_no
            )
            save_with_history(notice, by, "Redistributed", at=now)
            reissued.append(notice)
        refresh_notice_figures([notice.matched_service_id for notice in reissued])
        tell_owners(reissued, window_hours, now)  # e-mailed once this commits
    if not reissued:
        refuse("Every included service has received its notice; nothing to redistribute.")
    return reissued


def out_of_hours_words(trigger: LearningTrigger, window_hours: int, now) -> str:
    """What issuing now would mean when less than half the receipt window falls in the provider's
    working hours ("" otherwise): each manager's window runs in clock hours from the issue, so learning
    issued at 04:27 is late unless acknowledged by 08:27, before anyone starts work at 09:00. A window
    running a little past the end of the day (13:04 to 17:04) leaves managers most of it at work."""
    calendar = trigger.provider.calendar
    opens, closes = localtime(now), localtime(now + timedelta(hours=window_hours))
    if calendar.add_working_hours(opens, window_hours / 2) <= closes:
        return ""
    until = (
        f"{closes:%H:%M}"
        if closes.date() == opens.date()
        else f"{closes:%H:%M on %a} {closes.day} {closes:%b}"
    )
    hours = calendar.hours
    return (
        f"Issued now, each manager has until {until} to acknowledge their notice ({window_hours} hours "
        f"from the issue), while the working day is {hours.start:%H:%M} to {hours.end:%H:%M}: a notice "
        "acknowledged when they start work counts as late. Issue it when managers are at work, or make "
        "sure they are told."
    )
