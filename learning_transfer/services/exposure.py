"""Exposure and implementation at each matched service (A3, A4): lead, briefing, risks, lines."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from escalation import notifications
from providers.actions import AlreadyDone, change_once, lock
from providers.models import User
from providers.permissions import require_perm
from providers.services import given_reason
from providers.templatetags.nhsuk import london

from ..models import ImplementationLead, ImplementationLine, MatchedService
from .common import closed_for_work, now_or, refuse, refuse_before, refuse_outside, save_with_history
from .line_mails import tell_new_owner
from .people import check_local_person
from .verification import VERIFICATION_FIELDS, Gap, gaps, withdraw_if_undone

EDIT = "learning_transfer.edit_exposure"
VERIFY = "learning_transfer.verify_implementation"


def _open_for_work(match: MatchedService) -> None:
    """Refuse any change at a service left out of the learning, or of a closed trigger."""
    refusal = closed_for_work(match)
    if refusal:
        refuse(refusal)


def offers(user, match: MatchedService) -> dict:
    """What the service's page offers `user`: exactly the actions below that would accept now (the
    same permissions, the same state rule, the same needs for verifying), so nothing is offered only
    to be refused. `before_verifying` says what is missing to a person who would otherwise verify."""
    open_for_work = closed_for_work(match) is None
    would_verify = open_for_work and not match.implementation_confirmed_at and user.has_perm(VERIFY, match)
    missing = gaps(match) if would_verify else []
    return {
        "can_edit": open_for_work and user.has_perm(EDIT, match),
        "can_verify": would_verify and not missing,
        "before_verifying": _before_verifying(match, missing) if missing else "",
    }


def _before_verifying(match: MatchedService, missing: list[Gap]) -> str:
    """The refusal to verify, naming everything missing (the page shows it instead of the button)."""
    return f"Before verifying, {match.service} needs {', '.join(gap.needs for gap in missing)}."


def _current(match: MatchedService) -> MatchedService:
    """Lock the match's row and bring its verification and exposure log up to date on `match` (someone
    may have verified, withdrawn it or changed the log since `match` was read), so a save never writes
    an old one back and "nothing changed" is judged against the row as it stands."""
    row = lock(match)
    for name in [*VERIFICATION_FIELDS, *EXPOSURE_FIELDS]:
        attname = MatchedService._meta.get_field(name).attname
        setattr(match, attname, getattr(row, attname))
    return match


# The start of the change reason of a lead's history row that replaced another person: what the
# service's page reads back (`last_replacement`), the reason itself following it.
REPLACED = "Implementation lead replaced: "


def confirm_lead(match: MatchedService, *, person, by, reason: str = "", now=None) -> ImplementationLead:
    """Name and confirm the person leading implementation at the service.

    The first lead needs no reason. Replacing the lead with someone else needs one (kept in the lead's
    history), and the lead replaced and the person who confirmed them are told by e-mail, unless either
    is `by` (`tell_replacement`). Confirming the lead there is already changes
    nothing (a double submit, or a form sent unchanged): AlreadyDone.
    """
    require_perm(by, EDIT, match)
    _open_for_work(match)
    check_local_person(person, match.service, "person")
    now = now_or(now)
    with transaction.atomic():
        lock(match)  # two confirmations at once: the second sees the first's lead, never a second lead
        lead = (
            ImplementationLead.objects.select_related("person", "confirmed_by")
            .filter(matched_service=match)
            .first()
        )
        if lead is None:
            lead = ImplementationLead(matched_service=match, person=person, confirmed_at=now, confirmed_by=by)
            save_with_history(lead, by, "Implementation lead confirmed", at=now)
            return lead
        if lead.person_id == person.pk:
            raise AlreadyDone(f"{person} is already the implementation lead at {match.service}.", lead)
        replaced, confirmed_by = lead.person, lead.confirmed_by
        reason = given_reason(reason, f"Give a reason for replacing {replaced} as implementation lead.")
        lead.person, lead.confirmed_at, lead.confirmed_by = person, now, by
        save_with_history(lead, by, REPLACED + reason, at=now)
        tell_replacement(match, lead, replaced=replaced, confirmed_by=confirmed_by, reason=reason)
    return lead


def tell_replacement(
    match: MatchedService, lead: ImplementationLead, *, replaced, confirmed_by, reason: str
) -> None:
    """E-mail the person who had confirmed the replaced lead and the lead replaced (while active, never
    the person who replaced them) who leads now, who changed it, when and why. Through the escalation
    outbox, so it leaves once, after the replacement commits."""
    by = lead.confirmed_by
    people = [p for p in dict.fromkeys([confirmed_by, replaced]) if p.is_active and p != by]
    if not people:
        return
    service, reference = match.service, match.trigger.reference
    link = settings.SITE_URL.rstrip("/") + reverse("learning_transfer:match_detail", args=[match.pk])
    body = [
        f"On {london(lead.confirmed_at)}, {by} replaced {replaced} with {lead.person} as the "
        f"implementation lead at {service} for learning {reference} ({match.trigger.title}).",
        "",
        f"Reason given: {reason}",
        "",
        f"{replaced} was confirmed as lead by {confirmed_by}. Nothing needs doing unless the change is wrong:"
        f" then speak to {by}.",
        "",
        f"Open the service's page: {link}",
    ]
    notifications.queue_message(
        people,
        subject=f"Implementation lead replaced at {service} – learning {reference}",
        body="\n".join(body),
        now=lead.confirmed_at,
    )


@dataclass(frozen=True)
class Replacement:
    """The newest change of a service's lead when it replaced another person: whom, when and why."""

    replaced: User
    at: datetime
    reason: str


def last_replacement(lead: ImplementationLead | None) -> Replacement | None:
    """Whom the current lead replaced, when and why, read from the lead's history (None when its newest
    change was not a replacement with a reason, such as the first confirmation)."""
    if lead is None:
        return None
    newest = list(lead.history.select_related("person").order_by("-history_date", "-history_id")[:2])
    if len(newest) < 2 or not (newest[0].history_change_reason or "").startswith(REPLACED):
        return None
    return Replacement(
        replaced=newest[1].person,
        at=newest[0].history_date,
        reason=newest[0].history_change_reason.removeprefix(REPLACED),
    )


def briefing_title(match: MatchedService) -> str:
    """The name of the exposure log (A3) of a service in a care manager's words: the heading of its
    form, the link to it and the message once saved."""
    return f"Briefing and remaining risk at {match.service}"


# The exposure log's own fields: `update_exposure` writes these and no others.
NOTHING_CHANGED = "Nothing changed: the briefing and remaining risk already say this."
EXPOSURE_FIELDS = [
    "briefing_completed_at",
    "comparable_risk_open_since",
    "comparable_risk_resolved_at",
    "expected_reduction_pct",
]


def update_exposure(
    match: MatchedService,
    *,
    by,
    briefing_completed_at=None,
    comparable_risk_open_since=None,
    comparable_risk_resolved_at=None,
    expected_reduction_pct=None,
    now=None,
) -> MatchedService:
    """Record the exposure log for a service: briefing, comparable risk open/resolved, expected reduction."""
    now = now_or(now)
    require_perm(by, EDIT, match)
    _open_for_work(match)
    check_briefing(match, briefing_completed_at, now)
    check_comparable_risk(comparable_risk_open_since, comparable_risk_resolved_at, now)
    check_expected_reduction(expected_reduction_pct)
    given = {
        "briefing_completed_at": briefing_completed_at,
        "comparable_risk_open_since": comparable_risk_open_since,
        "comparable_risk_resolved_at": comparable_risk_resolved_at,
        "expected_reduction_pct": expected_reduction_pct,
    }
    with transaction.atomic():
        _current(match)
        if all(getattr(match, name) == value for name, value in given.items()):
            # A history row saying "updated" where nothing was would be read as a change that happened.
            raise AlreadyDone(NOTHING_CHANGED, match)
        for name, value in given.items():
            setattr(match, name, value)
        save_with_history(
            match, by, "Briefing and remaining risk updated", update_fields=EXPOSURE_FIELDS, at=now
        )
        # A briefing blanked (or now said to be done after the verification) undoes the verification:
        # withdrawn rather than refused, so the log always says what really happened.
        withdraw_if_undone(match, by=by, now=now)
    return match


def learning_reached(match: MatchedService) -> tuple:
    """When the learning reached the service, and the words for it: its first notice (of any round),
    or, before any notice, when the failure behind it was confirmed."""
    if match.first_notice_at is not None:
        return match.first_notice_at, f"the learning was issued to {match.service}"
    return match.trigger.confirmed_at, "the failure was confirmed"


def check_briefing(match: MatchedService, briefing_completed_at, now=None) -> None:
    """A briefing on the learning is done after the learning reached the service, and not in the
    future: A3 counts services whose mandatory briefing is incomplete, so a date a month early would
    count a service briefed on learning it had not been given."""
    if briefing_completed_at is None:
        return
    earliest, since = learning_reached(match)
    refuse_outside(
        "briefing_completed_at",
        briefing_completed_at,
        what="The briefing",
        earliest=earliest,
        since=since,
        now=now,
    )


def check_comparable_risk(open_since, resolved_at, now=None) -> None:
    """A comparable risk is found and resolved by now, and resolved after it was found. It may have
    been open long before the learning (finding such risks is the point of the log)."""
    now = now_or(now)
    for name, moment in (
        ("comparable_risk_open_since", open_since),
        ("comparable_risk_resolved_at", resolved_at),
    ):
        if moment is not None and moment > now:
            refuse("This cannot be in the future.", name)
    if resolved_at and not open_since:
        refuse(
            "Say when the comparable risk was found before saying when it was resolved.",
            "comparable_risk_open_since",
        )
    if resolved_at and resolved_at < open_since:
        refuse("A risk cannot be resolved before it was found.", "comparable_risk_resolved_at")


EXPECTED_REDUCTION_PLACES = Decimal("0.1")  # as the model keeps it, DECIMAL(5, 1)
EXPECTED_REDUCTION_TO_ONE_PLACE = "Give the expected reduction to one decimal place, like 11.9."


def check_expected_reduction(pct) -> None:
    """A percentage from 0 to 100 with at most one decimal place. Never rounded here or on saving:
    A4 escalates below 12 %, so 11.96 kept as 12.0 would hide the breach the person entered."""
    if pct is None:
        return
    pct = Decimal(str(pct))  # a float's shortest form, so 11.9 is not read as 11.9000000000000003…
    if not pct.is_finite() or not 0 <= pct <= 100:
        refuse("Give a percentage from 0 to 100.", "expected_reduction_pct")
    if pct != pct.quantize(EXPECTED_REDUCTION_PLACES):
        refuse(EXPECTED_REDUCTION_TO_ONE_PLACE, "expected_reduction_pct")


# How far past the notice's implementation due date a task may be due: local work such as a weekly
# audit runs on after implementation, but a task due years ahead is a typo, and never shows among
# A4's "local tasks due in the next 24 hours".
LINE_DUE_WITHIN = timedelta(days=365)


def check_line_due(match: MatchedService, due_at) -> None:
    """A task is due no earlier than the learning reached the service (`learning_reached`), and no
    later than a year after the current notice's implementation due date (or, with none, a year after
    the learning reached the service).

    A due date already past is accepted when it is after that: a manager often records a task once
    the work is under way or done (and completes it at once), and a line added overdue shows as
    overdue straight away, so nothing is hidden by allowing it. A date before the learning existed
    is always a typo."""
    if due_at is None:
        return
    earliest, since = learning_reached(match)
    refuse_before("due_at", due_at, what="The due date", earliest=earliest, since=since)
    notice = match.notices.filter(superseded_at__isnull=True).exclude(due_at=None).first()
    if notice is not None:
        bound, after = notice.due_at, f"implementation is due at {match.service}"
    else:
        bound, after = earliest, since
    if due_at > bound + LINE_DUE_WITHIN:
        refuse(
            f"The due date cannot be more than a year after {after} ({london(bound)}). "
            "Split longer work into tasks due within the year.",
            "due_at",
        )


def add_line(match: MatchedService, *, by, task: str, owner, due_at, now=None) -> ImplementationLine:
    """Add an implementation line (task, owner, due) for the learning at this service. A new line is
    work still to do: it is never refused for a verified service, whose verification it withdraws.
    Its due date is within the bounds `check_line_due` sets. An owner other than the person adding it
    is e-mailed the task once it is saved (`line_mails`)."""
    require_perm(by, EDIT, match)
    _open_for_work(match)
    if not task.strip():
        refuse("Describe the task.", "task")
    check_local_person(owner, match.service, "owner")
    check_line_due(match, due_at)
    line = ImplementationLine(
        service=match.service,
        matched_service=match,
        task=task.strip(),
        owner=owner,
        due_at=due_at,
        created_by=by,
    )
    _refuse_if_open(line)
    try:
        with transaction.atomic():
            save_with_history(line, by, "Implementation line added", at=now)
            withdraw_if_undone(match, by=by, now=now)
            tell_new_owner(line, by=by, now=now_or(now))
    except IntegrityError:
        _refuse_if_open(line)  # a second submit raced past the check; the database kept one
        raise
    return line


def _refuse_if_open(line: ImplementationLine) -> None:
    """The same open line (task, owner, due) is not added twice by a double submit."""
    existing = ImplementationLine.objects.filter(
        matched_service=line.matched_service,
        task=line.task,
        owner=line.owner,
        due_at=line.due_at,
        completed_at=None,
    ).first()
    if existing is not None:
        raise AlreadyDone("This implementation line is already on the list.", existing)


def complete_line(line: ImplementationLine, *, by, now=None) -> ImplementationLine:
    """Mark a line done: its owner, or anyone who keeps the service's exposure log. Refused, as every
    change there is, for a line of a service left out of the learning or of a closed trigger (a
    service's own action line, of no learning, is marked done whenever)."""
    require_perm(by, "learning_transfer.complete_line", line)
    if line.matched_service is not None:
        _open_for_work(line.matched_service)
    refusal = "This line is already complete."
    if line.completed_at:
        refuse(refusal)
    with transaction.atomic():
        change_once(
            line,
            expected={"completed_at": None},
            changes={"completed_at": now_or(now), "completed_by": by},
            by=by,
            reason="Completed",
            at=now_or(now),
            refusal=refusal,
        )
    return line


def confirm_implementation(match: MatchedService, *, by, now=None) -> MatchedService:
    """Verify the learning is implemented at the service: it needs a confirmed lead, a completed
    briefing, and at least one implementation line with every line complete (`verification.gaps`).
    It holds while they do: a later change undoing one withdraws it (`verification.withdraw_if_undone`)."""
    require_perm(by, VERIFY, match)
    _open_for_work(match)
    refusal = f"Implementation at {match.service} is already verified."
    if match.implementation_confirmed_at:
        refuse(refusal)
    with transaction.atomic():
        _current(match)  # a line added at this very moment is either seen here or withdraws it after
        missing = gaps(match)
        if missing:
            refuse(_before_verifying(match, missing))
        change_once(
            match,
            expected={"implementation_confirmed_at": None},
            changes={
                "implementation_confirmed_at": now_or(now),
                "implementation_confirmed_by": by,
                "verification_withdrawn_at": None,  # an earlier withdrawal stays in the history
                "verification_withdrawn_because": "",
            },
            by=by,
            reason="Implementation verified",
            at=now_or(now),
            refusal=refusal,
        )
    return match
