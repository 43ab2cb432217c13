"""Recording a step: its measures checked, its threshold judged at once and, on a breach, the step's
escalation raised. A second press of the same record (the same figures, by the same person) records
nothing twice."""

from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from providers.actions import AlreadyDone
from providers.choices import Role
from providers.services import given_reason
from providers.templatetags.nhsuk import london, on_at
from providers.who_acts import join_and

from . import chain_hooks, computations, settling, step_facts
from .choices import EscalationKind, EventKind, StepRunState, TargetScope
from .events import write_event
from .measures import clean_values
from .models import Escalation, StepRecord, StepRun
from .raising import EscalationSpec, raise_escalations
from .rules import evaluate

# A step's record says what the person checked: without it, figures the system filled in (A4) would be
# recorded by one press of "Save", with nobody having checked anything. The step form says the same.
SAY_WHAT_YOU_CHECKED = "Say what you checked, for example which records you compared the figures with."
# Recording a step again replaces the record others may have acted on: the person says why, and it is
# kept with the new record and told to whoever a withdrawn breach was raised to.
SAY_WHY_AGAIN = "Say why you are recording this again, for example “I typed 85 instead of 95”."
# The form's box that says "record it now anyway": before the checks the step is judged against are
# recorded, or while a figure may still change (computations.NotFinal).
RECORD_ANYWAY = "record_anyway"


def not_ready_words(before: list[StepRun], not_final: list[str]) -> str:
    """Why the step should wait: the checks it is judged against that nobody has recorded yet, and why
    figures may still change (`not_final`, each reason once: Figures.waiting_for)."""
    said = []
    if before:
        said.append(f"This check is judged against {join_and([s.label for s in before])}, not recorded yet.")
    said += [f"Not final yet: {reason}." for reason in not_final]
    once = join_and(
        (["they are recorded"] if before else []) + (["the figures are final"] if not_final else [])
    )
    return " ".join(
        [*said, f"Record it once {once}, or tick “Record it now anyway” and record it again then."]
    )


def recorded_early(before: list[StepRun], not_final: list[str]) -> str:
    """What the case's timeline adds to "Recorded: within threshold" for a step recorded anyway."""
    said = ""
    if before:
        said += (
            f", before {join_and([s.label for s in before])} {'was' if len(before) == 1 else 'were'} recorded"
        )
    if not_final:
        said += f", with figures not final ({'; '.join(not_final)})"
    return said


def record_step(
    step_run: StepRun,
    *,
    by,
    values: dict,
    check_done: str,
    notes: str = "",
    evidence_links: str = "",
    now=None,
    affected_service=None,
    reasons: dict | None = None,
    correction_reason: str | None = None,
    record_anyway: bool | None = None,
) -> StepRecord:
    """Record a step's measures, evaluate its threshold at once and, on a breach, raise the escalation;
    the escalations about it being overdue that nobody took up are settled (`settling`), and those an
    earlier record's breach raised when this record is within threshold.

    Only a holder of the step's role for the case's service (or provider) may record. Values are
    checked against the step's measures and held to the figures the records fix, its texts to
    REASON_MAX_LENGTH characters, and `check_done`, what the person checked, must be given
    (ValidationError per field, before anything is written). Recording again supersedes the earlier
    record and raises no second escalation while the step's breach escalation is still open; once
    every earlier one is resolved (settled by a record within threshold, or by a person), a breach is
    told afresh as the step's 2nd (3rd…) breach. The same record sent again by the same person
    (a double press) records nothing and raises AlreadyDone. `affected_service` names the service whose
    role holders are told when the step escalates to an affected service (C2); default: the case's.
    The returned record carries `.escalation` (the breach escalation, new or earlier, or None).

    A figure typed over one the system computes needs its reason in `reasons` ({measure name: why};
    ValidationError on "<name>__reason" without one); the record keeps the system's figure and the
    reason beside it (computations.typed_over). The threshold is judged on the recorded figure: the
    person may hold records the system does not, and the override is never silent.

    `correction_reason` is why the person records the step again, kept with the new record (up to
    REASON_MAX_LENGTH characters). A caller that asks it (the step page: a string, even blank) has it
    required whenever a current record exists and this one is not a double press of it; None means the
    caller does not ask (a chain's own page, which records again as part of its own flow).

    A step judged against other steps' records (`step_facts.register_checked_against`: C5 against C1,
    C3 and C4) while any is not recorded, or with a computed figure not final yet (A2 while a notice's
    receipt window is open: computations.NotFinal), is refused unless `record_anyway` says to record it
    anyway (the step page's box); None means the caller does not ask. Either way the case's timeline
    says what it was recorded before.
    """
    now = now or timezone.now()
    run = step_run.chain_run
    if not by.has_perm("escalation.record_step", step_run):
        raise PermissionDenied(
            f"Only a {Role(step_run.role).label} for this case may record {step_run.code}."
        )
    if not run.is_open or step_run.state == StepRunState.CLOSED:
        raise ValidationError("This case is closed: its steps can no longer be recorded.")
    if affected_service is not None and affected_service.provider_id != run.provider_id:
        raise ValidationError({"affected_service": "Choose a service of this provider."})
    if step_run.opens_at is not None and now < step_run.opens_at:
        raise ValidationError(
            f"This check is for {london(step_run.due_at)} ({step_run.due_text}). "
            f"It opens {on_at(step_run.opens_at)}, {step_run.opens_when}: record it then."
        )
    cleaned, unexplained, figures = _checked_values(step_run, values, now, reasons)
    check_done, notes, evidence_links = (
        given_reason(text, missing, field=field, what=what)
        for text, missing, field, what in (
            (check_done, SAY_WHAT_YOU_CHECKED, "check_done", "the check done"),
            (notes, None, "notes", "the notes"),
            (evidence_links, None, "evidence_links", "the evidence links"),
        )
    )
    asked_why = correction_reason is not None
    correction_reason = given_reason(correction_reason, None, field="correction_reason", what="the reason")
    result = evaluate(step_run.threshold_rule, cleaned, step_run.measures)
    before = step_facts.unrecorded_checked_against(step_run)
    if (before or figures.not_final) and record_anyway is False:
        raise ValidationError({RECORD_ANYWAY: not_ready_words(before, figures.waiting_for)})

    with transaction.atomic():
        # Lock the step run so two people recording at once are serialised. Not its key: the rows that
        # refer to it (an event, a follow-up the engine raises, a resolution's event) are written
        # meanwhile, so whoever holds its escalations never waits on this lock while it waits on them.
        locked = (
            StepRun.objects.select_for_update(of=("self",), no_key=True)
            .select_related("chain_run__chain", "chain_run__provider", "chain_run__service")
            .get(pk=step_run.pk)
        )
        record = StepRecord(
            step_run=locked,
            values=cleaned,
            check_done=check_done,
            notes=notes,
            evidence_links=evidence_links,
            correction_reason=correction_reason,
            affected_service=affected_service,
            recorded_by=by,
            recorded_at=now,
            breached=result.breached,
            deciding=result.deciding,
            explanation=result.text,
        )
        early = recorded_early(before, figures.waiting_for)
        record.recorded_early = early.removeprefix(", ")
        # After the lock: of two presses at once, the second is refused, and asked no reason.
        current = _refuse_a_repeat(locked, record)
        if current is not None and asked_why and not correction_reason:
            raise ValidationError({"correction_reason": SAY_WHY_AGAIN})
        locked.records.filter(is_current=True).update(is_current=False)
        record._history_user = by
        record._history_date = now
        record.save()
        locked.state = StepRunState.BREACHED if result.breached else StepRunState.RECORDED
        locked.recorded_at = now
        locked.save(update_fields=["state", "recorded_at"])
        verdict = ("threshold breached" if result.breached else "within threshold") + early
        write_event(
            EventKind.STEP_RECORDED, run, step_run=locked, actor=by, at=now, message=f"Recorded: {verdict}."
        )
        # Whoever was told the step was overdue, or that an earlier record breached when this one does
        # not, has nothing left to chase, unless they took it up.
        settling.settle_recorded_step(locked, by=by, now=now, within_threshold=not result.breached)
        # The chain's side effects (chain C's issue hold, C2's per-service escalations), saved with the
        # record, and first: a chain that raised its own breach escalations has them found below.
        _hooks_then_reasons(record, unexplained)
        record.escalation = _breach_escalation(locked, record, result) if result.breached else None
        done = step_facts.done_already(locked) if record.escalation is not None else None
        if done:  # what the breach asks for is done already (A1 after the learning was issued)
            settling.settle_done(locked, by=by, now=now, done=done)
    step_run.state, step_run.recorded_at = locked.state, locked.recorded_at
    return record


def _checked_values(step_run: StepRun, values: dict, now, reasons: dict | None = None):
    """The values checked against the step's measures and held to the figures the records fix (a
    deployment's baseline, the exposure log's expected reductions), each figure typed over another the
    system computes kept with the system's figure and the reason (`SYSTEM_FIGURES`): every problem
    named at once. The figures typed over without a reason are returned ({reason key: [message]}),
    refused once the chain's own checks have had their say (`_hooks_then_reasons`), and the system's
    figures (computations.Figures)."""
    figures = computations.compute(step_run, now)
    held, problems = computations.hold_to_records(step_run.measures, values, figures)
    overridden, unexplained = computations.typed_over(step_run.measures, held, figures, reasons)
    try:
        cleaned = clean_values(step_run.measures, held, step_code=step_run.code)
    except ValidationError as exc:
        # On a field with both, the records' word wins: "enter a figure for each group" would contradict
        # "no group has a figure yet".
        raise ValidationError(exc.message_dict | problems | unexplained) from exc
    if problems:
        raise ValidationError(problems | unexplained)
    if overridden:
        cleaned[computations.SYSTEM_FIGURES] = overridden
    return cleaned, unexplained, figures


def _hooks_then_reasons(record: StepRecord, unexplained: dict) -> None:
    """The chain's side effects and checks of the record (chain_hooks), then the refusal of each figure
    typed over the system's without a reason, all at once. A figure the chain refuses outright (C5's
    line counts, "cannot be typed over") is not also asked why. Inside record_step's transaction:
    a refusal keeps nothing of the record or of what the hooks did."""
    try:
        chain_hooks.step_recorded(record)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        refused = exc.message_dict
        outright = {computations.reason_key(key) for key in refused}
        asked = {key: words for key, words in unexplained.items() if key not in outright}
        raise ValidationError(refused | asked) from exc
    if unexplained:
        raise ValidationError(unexplained)


# What makes a record the same as the current one: sent again, it would only repeat it.
SAME_RECORD = ("values", "check_done", "notes", "evidence_links", "affected_service_id", "recorded_by_id")


def _refuse_a_repeat(step_run: StepRun, record: StepRecord) -> StepRecord | None:
    """The step's current record already says exactly this, from the same person, and nothing else of
    the case was recorded since (a one-click button pressed twice, a form sent twice, or the record-again
    form, which opens with the current record's words, sent unchanged): AlreadyDone, and nothing is
    recorded twice. Other figures or words, the same figures from a colleague, or the same figures after
    another step was recorded (C5 signed off again once C1 is in) are a new record. Returns the current
    record (None on the step's first)."""
    current = step_run.records.filter(is_current=True).select_related("recorded_by").first()
    if current is None or any(getattr(current, f) != getattr(record, f) for f in SAME_RECORD):
        return current
    if _case_recorded_since(step_run, current.recorded_at):
        return current
    if step_facts.subject_changed_since(step_run, current.recorded_at):  # C5 after a line changed
        return current
    raise AlreadyDone(
        f"Nothing changed: {step_run.label} is already recorded with these figures, by "
        f"{current.recorded_by} {on_at(current.recorded_at)}, and nothing was recorded twice. "
        "To correct it, change the figure that was wrong.",
        current,
    )


def _case_recorded_since(step_run: StepRun, moment) -> bool:
    """Whether another step of the same case was recorded after the moment: a record that repeats the
    current one then judges it against what changed, so it is not a double submit."""
    return (
        StepRecord.objects.filter(step_run__chain_run_id=step_run.chain_run_id, recorded_at__gt=moment)
        .exclude(step_run_id=step_run.pk)
        .exists()
    )


def _breach_escalation(step_run: StepRun, record: StepRecord, result) -> Escalation:
    """The step's breach escalation for this breaching record: the newest of its breach escalations
    still open (a chain's own, such as C2's per service, raised by its hook just before, or the step's
    earlier one nobody has resolved yet), else a new one. Once every earlier breach escalation of the
    step is resolved, a breach is a new problem: a new escalation says it is the step's 2nd (3rd…)
    breach. Called inside record_step's lock on the step run, so two records breaching at once number
    their breach in turn. A record made early says so (`StepRecord.recorded_early`)."""
    earlier = list(
        Escalation.objects.filter(step_run=step_run, kind=EscalationKind.BREACH, parent=None).order_by(
            "-raised_at", "-pk"
        )
    )
    still_open = next((escalation for escalation in earlier if escalation.is_open), None)
    if still_open is not None:
        return still_open
    breach_number = max((escalation.breach_number for escalation in earlier), default=0) + 1
    run = step_run.chain_run
    service = run.service
    if step_run.target_scope == TargetScope.AFFECTED_SERVICE:
        if record.affected_service is None:
            # Nobody else was told, so only the person recording knows which service is behind; left
            # blank, the breach would go to the Nominated Individual as a role gap that is not one.
            # Raised inside record_step's transaction: nothing of this record is kept.
            raise ValidationError(
                {
                    "affected_service": (
                        "Choose the affected service: its "
                        f"{step_run.get_escalate_to_display()} is told of this breach."
                    )
                }
            )
        service = record.affected_service
    spec = EscalationSpec.of_rule(
        step_run,
        EscalationKind.BREACH,
        result,
        reason=_breach_reason(step_run, result, earlier[0] if earlier else None, breach_number)
        # Found: a breach on figures not final read, in the mail, as final ("send it again today").
        + (f" It was recorded {record.recorded_early}." if record.recorded_early else ""),
        occurred_at=record.recorded_at,
        service=service,
    )
    spec.breach_number = breach_number
    created = raise_escalations([spec], record.recorded_at)
    if created:
        return created[0]
    return Escalation.objects.get(
        step_run=step_run, kind=EscalationKind.BREACH, parent=None, group="", breach_number=breach_number
    )


def _breach_reason(step_run: StepRun, result, before: Escalation | None, breach_number: int) -> str:
    """Why a breach escalation is raised: the step breached its threshold, and, when an earlier breach
    of it was put right, that this is a breach again, which one, and when the one before was recorded
    and resolved."""
    if before is None:
        return f"{step_run.label} breached its threshold: {result.text}."
    return (
        f"{step_run.label} breached its threshold again (its {ordinal(breach_number)} breach; the one "
        f"before, recorded {london(before.occurred_at)}, was resolved {london(before.resolved_at)}): "
        f"{result.text}."
    )
