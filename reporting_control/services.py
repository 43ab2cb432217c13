"""Business actions of chain C. Views, tasks, the C4 hook and tests call these; each rule lives here.

The release rule in particular is enforced in `release_update` and nowhere else: no active issue hold,
every line evidenced, challenge-cleared, or withheld (frozen or deferred), and the Provider Director's
sign-off (C5) recorded after the checks it is judged against (C1, C3, C4, and each day's C2 already due,
or the first day's C2 when none was recorded: an early release still has its figures checked once).
What still stops a release is worked out in release_checks.py (`release_problems`).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from config import background
from escalation.choices import EscalationKind
from escalation.computations import by_computation
from escalation.late_start import refuse_late_start
from escalation.raising import EscalationSpec, raise_escalations
from escalation.rules import evaluate_groups
from providers.actions import AlreadyDone, change_once, lock
from providers.permissions import require_perm
from providers.services import given_reason

from . import chain, evidence, packs
from .choices import DECIDED_STATES, WITHHELD_STATES, Audience, LineKind, LineState, PackStatus, UpdateStatus
from .computations import COMPLETING_IN_TIME
from .models import EvidencePack, IssueHold, ReportingLine, ReportingUpdate
from .release_checks import active_hold, release_problems


def _save(obj, by, reason: str, now=None) -> None:
    """Save with who and why on the history row."""
    obj._history_user = by
    if now is not None:
        obj._history_date = now
    obj._change_reason = reason
    obj.save()


def _change_lines(update: ReportingUpdate, by, words: str, now=None) -> None:
    """A person changed what the update claims: a sign-off recorded before no longer covers it (found:
    a line added after C5 went out under it). Kept with what changed in `words` (the release refusal
    says it) and saved with them as the update's history reason. A fresh evidence check changes no
    claim, so it is not one."""
    update.lines_changed_at, update.lines_change = now or timezone.now(), words
    _save(update, by, words, now)


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _not_released(update: ReportingUpdate) -> None:
    if update.status == UpdateStatus.RELEASED:
        raise ValidationError("This update has been released: it can no longer be changed.")


def _same_provider(objects, provider, field: str, what: str) -> None:
    if any(obj.provider_id != provider.pk for obj in objects):
        raise ValidationError({field: f"Choose {what} of this provider only."})


# --- planning and lines -------------------------------------------------------------------------


PLAN_LATE = "plan_late"  # the action's argument, and the form's checkbox, that says "plan it anyway"
LATE_MESSAGE = (
    "{count} of the update's checks would start overdue. Tick “Plan it anyway” to plan this update with "
    "its checks overdue, or choose a later issue date and time."
)


def plan_update(
    *,
    by,
    provider,
    title: str,
    audience: str,
    issue_at: datetime,
    triggers=(),
    services=(),
    plan_late: bool = False,
    now=None,
) -> ReportingUpdate:
    """Plan an update and start chain C on it (its steps count back from the issue date-time); `now`
    (default the current time) dates the update, its history and its case.

    An update issued so soon that its preparation window has begun or passed would start checks
    already overdue, each escalated at the engine's next check: it is refused (`StartsOverdue`, naming
    them) unless `plan_late` is True ("plan it anyway"), as logging a long-confirmed failure is.
    """
    require_perm(by, "reporting_control.plan_update", provider)
    now = now or timezone.now()
    title = _required(title, "title", "Enter the update's title.")
    if not isinstance(issue_at, datetime) or issue_at.utcoffset() is None:
        raise ValidationError({"issue_at": "Enter the issue date and time."})
    if issue_at <= now:
        raise ValidationError({"issue_at": "The issue date and time must be in the future."})
    triggers, services = list(triggers), list(services)
    _same_provider(triggers, provider, "triggers", "learning triggers")
    _same_provider(services, provider, "services", "services")
    if audience == Audience.COMMISSIONER and not services:
        raise ValidationError({"services": REACHES_NO_COMMISSIONER})
    _refuse_if_planned(provider, title, issue_at)
    # As chain.start counts them: back from the issue date-time, the recurring checks up to it.
    refuse_late_start(
        chain.CHAIN_CODE,
        provider,
        issue_at,
        now,
        anyway=plan_late,
        field=PLAN_LATE,
        message=LATE_MESSAGE,
        until=issue_at,
    )
    try:
        with transaction.atomic():
            update = ReportingUpdate(
                provider=provider,
                title=title,
                audience=audience,
                issue_at=issue_at,
                created_by=by,
                created_at=now,
            )
            _save(update, by, "Update planned", now)  # the m2m history rows below take its date too
            # Each named set writes a history row of its own: it says what it named, not "planned" again.
            update._change_reason = "Learning it reports on named"
            update.triggers.set(triggers)
            update._change_reason = "Services it covers named"
            update.services.set(services)
            chain.start(update, by, now)
    except IntegrityError:
        _refuse_if_planned(provider, title, issue_at)  # a second submit raced past the first check
        raise
    return update


def _refuse_if_planned(provider, title: str, issue_at: datetime) -> None:
    """A second submit of the same plan points at the first update instead of starting a second case."""
    existing = ReportingUpdate.objects.filter(provider=provider, title=title, issue_at=issue_at).first()
    if existing is not None:
        raise AlreadyDone(f"This update was already planned as {existing.reference}.", existing)


NO_SERVICES = "Name at least one service this claim speaks for."
# Found: a commissioners' update covering no services was released to no commissioner at all.
REACHES_NO_COMMISSIONER = (
    "An update for commissioners is sent to the commissioners of the services it covers: choose at least "
    "one service, or plan it for the regulator."
)


def _named_services(services, provider) -> list:
    """A line's services: at least one, all of the update's provider. Whoever reads a line (the evidence
    check, C2's escalation to the services' registered managers) needs to know whom it speaks for."""
    services = list(services)
    if not services:
        raise ValidationError({"services": NO_SERVICES})
    _same_provider(services, provider, "services", "services")
    return services


def add_line(update: ReportingUpdate, *, by, claim: str, kind: str, services=(), now=None) -> ReportingLine:
    """Add a claim, naming the services it speaks for, to the update and judge its evidence at once,
    at `now` (default the current time)."""
    require_perm(by, "reporting_control.edit_update", update)
    _not_released(update)
    claim = _required(claim, "claim", "Enter the claim as it will be reported.")
    if kind not in LineKind.values:
        raise ValidationError({"kind": "Choose what kind of claim this is."})
    services = _named_services(services, update.provider)
    with transaction.atomic():
        locked = _lock(update)
        _not_released(locked)  # one line added at a time per update: a repeat sees the first one
        same = update.lines.filter(claim=claim, kind=kind).first()
        if same is not None:
            raise AlreadyDone(f"Line {same.order} already makes this claim.", same)
        last = update.lines.aggregate(last=Max("order"))["last"] or 0
        line = ReportingLine(update=update, order=last + 1, claim=claim, kind=kind)
        _save(line, by, "Line added", now)
        line.services.set(services)
        # The update's page shows the update's history: each change to its lines has a row there too.
        _change_lines(locked, by, f"Line {line.order} added: {claim}", now)
    return assess_line_evidence(line, now=now)


def name_line_services(line: ReportingLine, *, by, services, now=None) -> ReportingLine:
    """Name the services of a line (one added before every line had to), then judge its evidence again."""
    update = line.update
    require_perm(by, "reporting_control.edit_update", update)
    services = _named_services(services, update.provider)
    with transaction.atomic():
        locked = _lock(update)
        _not_released(locked)
        line._history_user = by  # the history row of the services change names who made it
        line.services.set(services)
        named = ", ".join(sorted(service.name for service in services))
        _change_lines(locked, by, f"Line {line.order} names its services: {named}", now)
    return assess_line_evidence(line, now=now, by=by)


def assess_line_evidence(line: ReportingLine, *, now=None, by=None, found=None) -> ReportingLine:
    """Judge the line against the transfer records and save its state and note (decided lines stay).
    `found`, the update's evidence map when the caller judges several lines, is read once for them."""
    if line.state in DECIDED_STATES:
        return line
    verdict = evidence.judge_line(line, found or evidence.evidence_map(line.update))
    return _apply(line, verdict, now=now or timezone.now(), by=by)


def _apply(line: ReportingLine, verdict: evidence.Verdict, *, now, by=None) -> ReportingLine:
    changed = (line.state, line.evidence_note, line.notice_only) != (
        verdict.state,
        verdict.note,
        verdict.notice_only,
    )
    line.state, line.evidence_note, line.notice_only = verdict.state, verdict.note, verdict.notice_only
    line.assessed_at = now
    if changed:
        _save(line, by, f"Evidence checked: {line.get_state_display().lower()}", now)
    else:  # same verdict: note the time only, without a history row for nothing
        ReportingLine.objects.filter(pk=line.pk).update(assessed_at=now)
    return line


def check_evidence(update: ReportingUpdate, *, by, now=None) -> dict:
    """Re-judge every undecided line and return the C1 measures; a draft moves into preparation."""
    require_perm(by, "reporting_control.check_evidence", update)
    return _check_evidence(update, by=by, now=now or timezone.now())


def _check_evidence(update: ReportingUpdate, *, by, now) -> dict:
    """Judge every undecided line again under the update's lock. Each line whose verdict changed gets a
    row on the update's history saying old → new and why, as adding or deciding a line does."""
    verdicts = evidence.judge_update(update)
    with transaction.atomic():
        locked = _lock(update)  # a hold or release meanwhile keeps its status
        changed = 0
        for line, verdict in verdicts.items():
            if verdict is None:
                continue
            before = line.state
            _apply(line, verdict, now=now, by=by)
            if line.state != before:
                changed += 1
                _save(locked, by, f"Line {line.order} {verdict_change_words(before, line)}", now)
        locked.evidence_checked_at = now
        if locked.status == UpdateStatus.DRAFT:
            locked.status = UpdateStatus.IN_PREPARATION
        said = (
            f"{changed} line{'s' * (changed != 1)} changed verdict" if changed else "no line changed verdict"
        )
        _save(locked, by, f"Evidence checked: {said}", now)
    update.status, update.evidence_checked_at = locked.status, now
    return evidence.c1_measures(verdicts)


def verdict_change_words(before: str, line: ReportingLine) -> str:
    """What a fresh check did to a line, in words: "evidence checked again: Lacking evidence →
    Evidenced. Birch Lodge: implementation verified …" (each state by its short name, then the note)."""
    old, new = (LineState(state).label.split(" — ")[0] for state in (before, line.state))
    return f"evidence checked again: {old} → {new}. {line.evidence_note}".rstrip()


# How the update's history says what a decision did to one of its lines: "Line 2 frozen: no proof yet".
DECIDED_WORDS = {
    LineState.FROZEN: "frozen",
    LineState.DEFERRED: "deferred",
    LineState.CHALLENGE_CLEARED: "challenge-cleared",
    LineState.DRAFT: "reopened for a fresh evidence check",
}
NOT_CLEARABLE = "Clearing at challenge is offered once the line is evidenced."


def clearable(line: ReportingLine) -> bool:
    """Whether the line's state lets it be cleared at challenge: only an evidenced line can be. The
    decision form offers clearing by this same rule, so the page never offers what is then refused."""
    return line.state == LineState.EVIDENCED


def decide_line(line: ReportingLine, *, by, state: str, reason: str, now=None) -> ReportingLine:
    """Freeze, defer or challenge-clear a line, or reopen it for a fresh evidence check, with a reason."""
    update = line.update
    _not_released(update)
    reason = given_reason(reason, "Give the reason for the decision.")
    if state == LineState.CHALLENGE_CLEARED:
        require_perm(by, "reporting_control.clear_line", line)
        if not clearable(line):
            raise ValidationError({"state": "Only an evidenced line can be challenge-cleared."})
    elif state in WITHHELD_STATES or state == LineState.DRAFT:
        require_perm(by, "reporting_control.withhold_line", line)
    else:
        raise ValidationError({"state": "Choose freeze, defer, clear or reopen."})
    with transaction.atomic():
        locked = _lock(update)
        _not_released(locked)  # never decided past a release made meanwhile
        line.state, line.decision_reason = state, reason
        _save(line, by, f"{line.get_state_display()}: {reason}", now)
        _change_lines(locked, by, f"Line {line.order} {DECIDED_WORDS[state]}: {reason}", now)
        return assess_line_evidence(line, now=now, by=by) if state == LineState.DRAFT else line


# --- holds and release --------------------------------------------------------------------------


def _lock(update: ReportingUpdate) -> ReportingUpdate:
    """Lock the update's row so two people holding, lifting, releasing or changing it at once take turns."""
    return lock(update)


def _create_hold(update, *, by, reason, now, step_record=None) -> IssueHold:
    """Hold the update once: of two holds placed at once, the second is refused."""
    _not_released(update)
    if active_hold(update) is not None:
        raise ValidationError("This update is already held.")
    change_once(
        update,
        expected={"status__in": [UpdateStatus.DRAFT, UpdateStatus.IN_PREPARATION]},
        changes={"status": UpdateStatus.HELD},
        by=by,
        reason=f"Held: {reason}",
        at=now,
        refusal="This update was held or released by someone else just now.",
    )
    hold = IssueHold(update=update, reason=reason, placed_by=by, placed_at=now, step_record=step_record)
    try:
        with transaction.atomic():
            _save(hold, by, "Hold placed", now)
    except IntegrityError:  # an active hold the status did not show: the constraint keeps one
        raise ValidationError("This update is already held.") from None
    return hold


def place_hold(update: ReportingUpdate, *, by, reason: str, now=None) -> IssueHold:
    """Stop the update and its evidence pack being issued until a named person lifts the hold."""
    require_perm(by, "reporting_control.place_hold", update)
    reason = given_reason(reason, "Give the reason for the hold.")
    with transaction.atomic():
        return _create_hold(update, by=by, reason=reason, now=now or timezone.now())


def place_automatic_hold(update: ReportingUpdate, step_record) -> IssueHold | None:
    """C4 or C5 breached: hold the update, in the recorder's name, citing the rule and the step's action.
    Nothing if already held or released (a released update has left the building; the breach escalation
    still stands)."""
    if update.status == UpdateStatus.RELEASED or active_hold(update) is not None:
        return None
    step = step_record.step_run
    reason = f"{step.label} breached its threshold: {step_record.explanation}. {step.action}"
    with transaction.atomic():
        return _create_hold(
            update,
            by=step_record.recorded_by,
            reason=reason,
            now=step_record.recorded_at,
            step_record=step_record,
        )


def tell_managers_of_services_behind(update: ReportingUpdate, step_record) -> list:
    """C2 breached: tell the registered manager of each service the update's lines name whose own figure
    breaches C2's rule (below 90 % completing the action in time), one escalation per service.

    Each escalation names its service, so its holders of the step's target role are found there; only a
    service with no registered manager falls back to the Nominated Individual as a role gap. Raised once
    per service and occurrence of C2, however often C2 is recorded. Returns the new escalations.
    """
    step = step_record.step_run
    by_service = evidence.completing_in_time_by_service(
        update, evidence.evidence_map(update), step_record.recorded_at
    )
    figures = {
        service: by_computation(step.measures, {COMPLETING_IN_TIME: pct})
        for service, pct in by_service.items()
    }
    behind = [
        (service, verdict)
        for service, verdict in evaluate_groups(step.threshold_rule, figures, step.measures).items()
        if verdict.breached
    ]
    specs = [
        EscalationSpec.of_rule(
            step,
            EscalationKind.BREACH,
            verdict,
            reason=f"{step.label} breached its threshold at {service.name}: {verdict.text}.",
            occurred_at=step_record.recorded_at,
            service=service,
            group=service.name,
        )
        for service, verdict in behind
    ]
    return raise_escalations(specs, step_record.recorded_at)


def lift_hold(update: ReportingUpdate, *, by, reason: str, now=None) -> IssueHold:
    """Lift the active hold: a Provider Director or Nominated Individual, with a reason, on the record.
    Lifted while the latest sign-off (C5) says to keep it, the hold's record says whose and when."""
    require_perm(by, "reporting_control.lift_hold", update)
    reason = given_reason(reason, "Give the reason for lifting the hold.")
    now = now or timezone.now()
    refusal = "This update is not held."
    with transaction.atomic():
        # Of two lifts at once, the second waits here and then finds the update no longer held.
        locked = lock(update, refusal, status=UpdateStatus.HELD)
        hold = active_hold(locked)
        if hold is None:
            raise ValidationError(refusal)
        kept_by = chain.sign_off_keeping_hold(locked)
        against = chain.lifted_against(kept_by) if kept_by is not None else ""
        if against:  # the sign-off said to keep it: lifted against that, on the hold's record
            reason = f"{reason} (Lifted {against}.)"
        change_once(
            hold,
            expected={"lifted_at__isnull": True},
            changes={"lifted_by": by, "lifted_at": now, "lift_reason": reason},
            by=by,
            reason=f"Hold lifted {against}".rstrip(),
            at=now,
            refusal="This hold was already lifted.",
        )
        locked.status = UpdateStatus.IN_PREPARATION if locked.evidence_checked_at else UpdateStatus.DRAFT
        _save(locked, by, f"Hold lifted: {reason}", now)
    update.status = locked.status
    return hold


def release_update(update: ReportingUpdate, *, by, now=None) -> bool:
    """Release the update and queue its issue packs (the provider's, and one per commissioner).
    Returns False (changing nothing) if already released.

    Refused with a ValidationError listing every problem while a hold is active or a line lacks evidence.
    """
    require_perm(by, "reporting_control.release_update", update)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(update)
        if locked.status == UpdateStatus.RELEASED:
            return False
        problems = release_problems(locked, now)
        if problems:
            raise ValidationError(problems)
        _check_evidence(locked, by=by, now=now)
        locked.status = UpdateStatus.RELEASED
        locked.released_by, locked.released_at = by, now
        _save(locked, by, "Released", now)
        chain.close(locked, by, "Update released.", now)
        # After the checks closed, so the kept packs show the checks the release made unnecessary.
        packs.keep_released_content(locked, now)
        queue_release_packs(locked, by=by, now=now)
    update.status, update.released_at, update.released_by = locked.status, now, by
    return True


# --- evidence packs -----------------------------------------------------------------------------


def _queue_pack(
    update: ReportingUpdate, *, by, now, commissioner=None, for_release: bool = False
) -> EvidencePack:
    pack = EvidencePack(
        update=update,
        commissioner=commissioner,
        for_release=for_release,
        requested_by=by,
        requested_at=now,
        progress_at=now,
    )
    _save(pack, by, "Issued on release" if for_release else "Requested")
    # After commit, so the worker finds the row; the request never waits for the PDF, nor fails when
    # the broker is down (the pack stays queued and the sweeper sends it).
    background.queue_on_commit(pack)
    return pack


def _refuse_pack_while_held(update: ReportingUpdate) -> None:
    if active_hold(update) is not None:
        raise ValidationError("An issue hold is active: no evidence pack can be built until it is lifted.")


def queue_release_packs(update: ReportingUpdate, *, by, now=None) -> list[EvidencePack]:
    """The packs a release issues: the provider's full pack, and one pack per commissioner of the
    covered services holding only that commissioner's services. Each is made once, however often this
    runs (a unique constraint backs it); returns the packs it made now."""
    if update.status != UpdateStatus.RELEASED:
        raise ValidationError("Only a released update issues evidence packs to its commissioners.")
    now = now or timezone.now()
    with transaction.atomic():
        released = EvidencePack.objects.filter(update=update, for_release=True)
        issued = set(released.values_list("commissioner_id", flat=True))
        return [
            _queue_pack(update, by=by, now=now, commissioner=commissioner, for_release=True)
            for commissioner in [None, *packs.commissioners_of(update)]
            if (commissioner.pk if commissioner else None) not in issued
        ]


def request_pack(update: ReportingUpdate, *, by, now=None) -> EvidencePack:
    """Queue a PDF evidence pack of the update; refused while an issue hold is active, and a repeat
    while one is still queued or building (AlreadyDone): a double press builds one pack."""
    require_perm(by, "reporting_control.request_pack", update)
    _refuse_pack_while_held(update)
    with transaction.atomic():
        # Under the update's lock, so of two presses of the button at once the second sees the first.
        building = (
            _lock(update)
            .packs.filter(for_release=False, status__in=(PackStatus.QUEUED, PackStatus.BUILDING))
            .first()
        )
        if building is not None:
            raise AlreadyDone("A pack of this update is already being built: it is listed below.", building)
        return _queue_pack(update, by=by, now=now or timezone.now())


def retry_pack(pack: EvidencePack, *, by) -> bool:
    """Build a failed pack again, on the same terms as requesting one. False if it had not failed."""
    require_perm(by, "reporting_control.request_pack", pack.update)
    _refuse_pack_while_held(pack.update)
    return background.retry(pack, by=by)
