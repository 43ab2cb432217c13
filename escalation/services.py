"""Business actions of the escalation engine. Views, tasks, commands, other apps and tests call these.

Starting a case, recording a step (in recording.py, offered here too), acting on an escalation, tuning
a step for a provider: each rule (a permission, a validation, a threshold) is enforced here and
nowhere else.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from providers.actions import AlreadyDone, change_once
from providers.choices import ROLE_SCOPE, Role, Scope
from providers.permissions import compiled_once, once_a_request, require_perm, staff_assignments
from providers.services import given_reason
from providers.templatetags.nhsuk import on_at

from . import notifications, settling
from .choices import ChainRunStatus, EscalationKind, EscalationState, EventKind, StepRunState
from .computations import by_computation
from .events import write_event
from .loading import STEP_FIELDS
from .measures import text_in_words
from .models import (
    ChainRun,
    ChainTemplate,
    Escalation,
    ProviderStepSetting,
    StepRun,
    StepTemplate,
    window_length,
)
from .recording import record_step as record_step  # recording a step is a business action like these
from .rules import evaluate
from .scheduling import schedule

# A running case copies every step field plus the step code, so later template edits never reach it.
# Saving a step's values unchanged (the values in force, or the defaults set back twice) writes nothing.
NOTHING_CHANGED = "Nothing changed: these are the values in force."
SNAPSHOT_FIELDS = ["code", *STEP_FIELDS]


# --- chain templates and provider tuning ----------------------------------------------------------


def effective_steps(chain: ChainTemplate, provider) -> list[dict]:
    """The chain's steps as this provider runs them: the template's values with the provider's tuning.

    Each item is {"template": StepTemplate, "setting": ProviderStepSetting | None, **snapshot values}.
    Read once a request (the executive summary judges A5 and reads chain A's parameters); callers
    must not change what it returns.
    """
    return once_a_request(
        ("effective steps", chain.pk, provider.pk), lambda: _effective_steps(chain, provider)
    )


def _steps_of(chain: int):
    return StepTemplate.objects.filter(chain_id=chain).order_by("order")


def _tuning_of(provider: int, chain: int):
    return ProviderStepSetting.objects.filter(provider_id=provider, step__chain_id=chain)


def _effective_steps(chain: ChainTemplate, provider) -> list[dict]:
    # Pages read a chain's steps on every request: the two queries' SQL is kept, run with these ids.
    steps = compiled_once(None, "a chain's steps", _steps_of, chain=chain.pk).rows()
    tuning = compiled_once(None, "a provider's tuning", _tuning_of, provider=provider.pk, chain=chain.pk)
    tuned = {s.step_id: s for s in tuning.rows()}
    result = []
    for step in steps:
        values = {name: getattr(step, name) for name in SNAPSHOT_FIELDS}
        setting = tuned.get(step.pk)
        if setting is not None:
            setting.step = step  # its template, read above (the tuned measures and rule start from it)
            values["measures"] = setting.effective_measures
            values["threshold_rule"] = setting.effective_rule
            values["response_working_hours"] = setting.effective_window
        # The check method may show its measures' parameters ("A {sample_size}-notice sample").
        values["check_method"] = text_in_words(step.check_method, values["measures"])
        result.append({"template": step, "setting": setting, **values})
    return result


def effective_measures(provider, chain_code: str) -> list[dict]:
    """Every measure of the chain's steps as this provider runs them now (tuned parameters applied):
    read with `computations.parameters_of`, as a case's own snapshot is."""
    return [m for step in effective_steps(_chain(chain_code), provider) for m in step["measures"]]


def _refuse_tuning_own_step(provider, step: StepTemplate, by) -> None:
    """An administrator who also records the step at this provider does not change how it is judged."""
    if any(a.role == step.role and a.provider_id == provider.pk for a in staff_assignments(by)):
        raise ValidationError(
            f"You record this step ({step.code}) as {Role(step.role).label}: another administrator changes "
            "how it is judged, so nobody sets the bar for their own work."
        )


def tune_step(
    provider,
    step: StepTemplate,
    *,
    by,
    reason: str,
    threshold_rule=None,
    response_working_hours=None,
    measure_parameters=None,
) -> ProviderStepSetting:
    """Set this provider's threshold rule, response window and/or measure parameters for a step
    ({measure name: {parameter: whole number}}), with the reason (history).

    Only the provider's administrator may. None keeps the template's value. Open cases are unaffected.
    """
    require_perm(by, "escalation.tune_step", provider)
    _refuse_tuning_own_step(provider, step, by)
    tuned = {
        "threshold_rule": threshold_rule,
        "response_working_hours": response_working_hours,
        "measure_parameters": measure_parameters or None,
    }
    with transaction.atomic():
        # Locked, so a form sent twice at once is judged against the first one's values.
        setting = ProviderStepSetting.objects.select_for_update().filter(provider=provider, step=step).first()
        setting = setting or ProviderStepSetting(provider=provider, step=step)
        if all(getattr(setting, field) == value for field, value in tuned.items()):
            # Found: "Set back to the default values" sent again wrote a change listing nothing.
            raise ValidationError(NOTHING_CHANGED)
        for field, value in tuned.items():
            setattr(setting, field, value)
        setting.reason = (reason or "").strip()
        setting._history_user = by
        setting._change_reason = setting.reason
        setting.save()  # validates the rule against the step's measures, the window and the parameters
    return setting


# --- cases ------------------------------------------------------------------------------------------


def _chain(chain_code: str) -> ChainTemplate:
    try:
        return once_a_request(("chain", chain_code), lambda: ChainTemplate.objects.get(code=chain_code))
    except ChainTemplate.DoesNotExist:
        raise ValidationError(
            f"Chain {chain_code!r} is not loaded. Known chains are A, B and C (run `manage.py load_chains`)."
        ) from None


def chain_run_for(subject, chain_code: str) -> ChainRun | None:
    """The case of this chain on this subject, if one was started."""
    content_type = ContentType.objects.get_for_model(subject)
    found = compiled_once(  # every page about a subject asks this: its SQL is kept, run with the subject
        None,
        f"the chain {chain_code} case of a {content_type.app_label}.{content_type.model}",
        lambda subject_id: ChainRun.objects.filter(
            chain__code=chain_code, content_type=content_type, object_id=subject_id
        ).select_related("chain", "provider", "service")[:1],
        subject_id=subject.pk,
    ).rows()
    return found[0] if found else None


def start_chain(
    chain_code: str,
    *,
    provider,
    subject,
    anchor_at,
    service=None,
    until=None,
    started_by=None,
    started_at=None,
    regions=(),
) -> ChainRun:
    """Start a case of chain A, B or C on a subject; a second call returns the existing case.

    The provider's effective steps are snapshotted into StepRuns with deadlines from its working-time
    calendar. Recurring steps get one StepRun per occurrence: for chains A and B between `anchor_at`
    and `until` (default: the close of the 5th working day after the anchor); for chain C, whose anchor
    is the future issue date-time, through its preparation window before the issue. A step whose role
    is held per region (A4) gets one StepRun per region in `regions`, or one for the case's service
    when no region is given. `started_at` (default now) dates the case, its history and its first event:
    a case recorded after the fact starts when it did.
    """
    started_at = started_at or timezone.now()
    chain = _chain(chain_code)
    existing = chain_run_for(subject, chain_code)
    if existing is not None:
        return existing
    if not isinstance(anchor_at, datetime) or anchor_at.utcoffset() is None:
        raise ValidationError("The anchor must be a timezone-aware date and time.")
    if service is not None and service.provider_id != provider.pk:
        raise ValidationError("The service must belong to the case's provider.")
    steps = effective_steps(chain, provider)
    calendar = provider.calendar
    plan, until = schedule(chain, steps, anchor_at, until, calendar, service)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ChainRun(
                    chain=chain,
                    provider=provider,
                    service=service,
                    content_type=ContentType.objects.get_for_model(subject),
                    object_id=subject.pk,
                    subject_label=str(subject)[:255],
                    anchor_at=anchor_at,
                    until=until,
                    started_by=started_by,
                    started_at=started_at,
                )
                run._history_date = started_at
                run.save(force_insert=True)
        except IntegrityError:  # started concurrently by someone else: theirs is the case
            return chain_run_for(subject, chain_code)
        StepRun.objects.bulk_create(
            [
                StepRun(
                    chain_run=run,
                    step_template=step["template"],
                    occurrence=occurrence,
                    due_at=due_at,
                    opens_at=opens_at,
                    region=region,
                    **{name: step[name] for name in SNAPSHOT_FIELDS},
                )
                for step, occurrence, due_at, opens_at, region in _per_region(plan, regions)
            ]
        )
        started = f"Started on {run.subject_label}."
        write_event(EventKind.CHAIN_STARTED, run, actor=started_by, at=started_at, message=started)
    return run


def _is_regional(role: str) -> bool:
    return ROLE_SCOPE.get(role) == Scope.REGION


def _per_region(plan, regions):
    """The plan with a region on each row: a regional step once per region, any other step unchanged."""
    for step, occurrence, due_at, opens_at in plan:
        if regions and _is_regional(step["role"]):
            yield from ((step, n, due_at, opens_at, region) for n, region in enumerate(regions, start=1))
        else:
            yield step, occurrence, due_at, opens_at, None


def cover_regions(run: ChainRun, regions) -> list[StepRun]:
    """Give each regional step of an open case a run for every region in `regions` that has none yet
    (a service in another region was matched after the case started); return the new runs.

    A new run copies the case's snapshot of the step and its deadline. A run not yet tied to a region
    (the case started without regions) and not recorded is tied to the first region instead.
    """
    if not run.is_open:
        return []
    existing = [s for s in run.step_runs.order_by("occurrence") if _is_regional(s.role)]
    changed = []
    for code in dict.fromkeys(s.code for s in existing):
        runs = [s for s in existing if s.code == code]
        covered = {s.region_id for s in runs}
        untied = [s for s in runs if s.region_id is None and not s.is_recorded]
        for region in (r for r in regions if r.pk not in covered):
            if untied:
                step_run = untied.pop(0)
                step_run.region = region
                step_run.save(update_fields=["region"])
            else:
                model = runs[0]
                step_run = StepRun.objects.create(
                    chain_run=run,
                    step_template_id=model.step_template_id,
                    occurrence=max(s.occurrence for s in runs) + 1,
                    due_at=model.due_at,
                    opens_at=model.opens_at,
                    region=region,
                    **{name: getattr(model, name) for name in SNAPSHOT_FIELDS},
                )
                runs.append(step_run)
            changed.append(step_run)
    return changed


def close_uncovered_regions(run: ChainRun, regions, *, by, reason: str, now=None) -> list[StepRun]:
    """Close each regional step of an open case still due in a region no longer in `regions` (its last
    matched service was left out: there is nothing left there to check), saying `reason` on the case,
    and settle the escalations about it nobody has taken up. Returns the runs closed."""
    if not run.is_open:
        return []
    now = now or timezone.now()
    kept = {region.pk for region in regions}
    closing = [
        s
        for s in run.step_runs.filter(state=StepRunState.DUE, region__isnull=False).select_related("region")
        if _is_regional(s.role) and s.region_id not in kept
    ]
    for step_run in closing:
        step_run.state = StepRunState.CLOSED
        step_run.save(update_fields=["state"])
        words = f"{reason}: no matched service left in {step_run.region}"
        write_event(
            EventKind.CHAIN_CLOSED, run, step_run=step_run, actor=by, at=now, message=f"Closed — {words}."
        )
        settling.settle_closed_step(step_run, by=by, now=now, why=words)
    return closing


def close_chain_run(run: ChainRun, *, by=None, reason: str = "", now=None) -> ChainRun:
    """Close a case: its steps still due are closed (no more overdue escalations). Open escalations stay.

    Closed once: a second close at the same moment is refused.
    """
    now = now or timezone.now()
    with transaction.atomic():
        change_once(
            run,
            expected={"status": ChainRunStatus.OPEN},
            changes={"status": ChainRunStatus.CLOSED, "closed_at": now},
            by=by,
            reason=reason,
            at=now,
            refusal="This case is already closed.",
        )
        run.step_runs.filter(state=StepRunState.DUE).update(state=StepRunState.CLOSED)
        write_event(EventKind.CHAIN_CLOSED, run, actor=by, at=now, message=reason or "Case closed.")
    return run


# --- acting on an escalation -----------------------------------------------------------------------


def _stop_follow_ups(escalation: Escalation) -> None:
    """Someone in the thread responded: no further follow-ups for any escalation of it."""
    root = escalation.root_id or escalation.pk
    Escalation.objects.filter(Q(pk=root) | Q(root_id=root)).update(follow_up_due=False)


def _ownership(escalation: Escalation, by, now) -> dict:
    """The first response to an escalation acknowledges it: the changes that make `by` its owner
    (none if someone already has)."""
    if escalation.state != EscalationState.RAISED:
        return {}
    return {
        "state": EscalationState.ACKNOWLEDGED,
        "acknowledged_by": by,
        "acknowledged_at": now,
        "follow_up_due": False,
    }


def _change(escalation: Escalation, changes: dict, *, by, reason: str, now, refusal: str) -> None:
    """Change the escalation from the state the person saw, once (a concurrent submit is refused).

    Taking ownership stops the follow-ups of the whole thread.
    """
    change_once(
        escalation,
        expected={"state": escalation.state, "action_taken": escalation.action_taken},
        changes=changes,
        by=by,
        reason=reason,
        at=now,
        refusal=refusal,
    )
    if changes.get("state") == EscalationState.ACKNOWLEDGED:
        _stop_follow_ups(escalation)


def _refuse_a_repeat(escalation: Escalation, by, done: str, did: str) -> None:
    """A person's own action arriving again (a double press) changes nothing: AlreadyDone, saying the
    first was saved ("You resolved it on Mon 7 Dec 2026 at 07:44: it is saved, nothing more to do.").
    `done` names the escalation's fields of who did it and when ("resolved": resolved_by, resolved_at)."""
    done_at = getattr(escalation, f"{done}_at")
    if done_at is not None and getattr(escalation, f"{done}_by_id") == by.pk:
        raise AlreadyDone(f"You {did} {on_at(done_at)}: it is saved, nothing more to do.", escalation)


def acknowledge(escalation: Escalation, *, by, now=None) -> Escalation:
    """The person has seen it and owns the response; stops follow-ups for the whole thread."""
    require_perm(by, "escalation.acknowledge_escalation", escalation)
    now = now or timezone.now()
    refusal = "This escalation has already been acknowledged."
    _refuse_a_repeat(escalation, by, "acknowledged", "acknowledged it")
    if escalation.state != EscalationState.RAISED:
        raise ValidationError(refusal)
    with transaction.atomic():
        _change(
            escalation,
            _ownership(escalation, by, now),
            by=by,
            reason="Acknowledged",
            now=now,
            refusal=refusal,
        )
        write_event(
            EventKind.ESCALATION_ACKNOWLEDGED,
            escalation.chain_run,
            escalation=escalation,
            actor=by,
            at=now,
            message="",  # the event's kind and actor say it all: "Escalation acknowledged by …"
        )
        notifications.mark_read(by, escalation, now)
    return escalation


def record_action(escalation: Escalation, *, by, action_taken: str, now=None) -> Escalation:
    """What was done in response (acknowledging it too if nobody had).

    Refused when someone else acted on the escalation since the person loaded it, so two people
    answering at once never overwrite each other, and when the same action is already recorded.
    """
    require_perm(by, "escalation.record_escalation_action", escalation)
    now = now or timezone.now()
    action_taken = given_reason(
        action_taken, "Describe the action taken.", field="action_taken", what="the action taken"
    )
    if action_taken == escalation.action_taken:
        _refuse_a_repeat(escalation, by, "action_recorded", "recorded this action")
        raise ValidationError("This action is already on the record.")
    if escalation.state == EscalationState.RESOLVED:
        raise ValidationError("This escalation is resolved.")
    changes = _ownership(escalation, by, now) | {
        "action_taken": action_taken,
        "action_recorded_by": by,
        "action_recorded_at": now,
    }
    with transaction.atomic():
        _change(
            escalation,
            changes,
            by=by,
            reason="Action recorded",
            now=now,
            refusal="Someone else acted on this escalation just now: read what they recorded first.",
        )
        write_event(
            EventKind.ACTION_RECORDED,
            escalation.chain_run,
            escalation=escalation,
            actor=by,
            at=now,
            message=action_taken,
        )
    return escalation


NOTE_NEEDED_WHILE_NOT_RECORDED = (
    "The step is still not recorded: say why you are resolving this escalation anyway."
)


def step_still_missing(escalation: Escalation) -> bool:
    """True when the escalation was raised because its step was overdue (itself, or the escalation it
    follows up) and the step is still neither recorded nor closed with its case.

    Read from the database, not the loaded row: the step may have been recorded since the page loaded.
    """
    kind = escalation.kind
    if kind == EscalationKind.FOLLOW_UP:
        kind = Escalation.objects.filter(pk=escalation.root_id).values_list("kind", flat=True).first()
    if kind != EscalationKind.OVERDUE:
        return False
    settled = (StepRunState.RECORDED, StepRunState.BREACHED, StepRunState.CLOSED)
    return not StepRun.objects.filter(pk=escalation.step_run_id, state__in=settled).exists()


def resolve(escalation: Escalation, *, by, note: str = "", now=None) -> Escalation:
    """Close the escalation once the action taken is on the record, and settle the open levels below
    it in its thread, and those above it once the step is recorded (`settling`): nobody is left asked
    to act on what is resolved, and nobody closes the follow-up their own lateness raised.

    An escalation about an overdue step whose step is still not recorded needs a note saying why it is
    resolved anyway: otherwise an overdue control would quietly leave the open count.
    """
    require_perm(by, "escalation.resolve_escalation", escalation)
    now = now or timezone.now()
    _refuse_a_repeat(escalation, by, "resolved", "resolved it")
    if escalation.state == EscalationState.RESOLVED:
        raise ValidationError("This escalation is already resolved.")
    if not escalation.action_taken:
        raise ValidationError("Record the action taken before resolving.")
    note = given_reason(note, None, field="note", what="the resolution note")
    if not note and step_still_missing(escalation):
        raise ValidationError({"note": NOTE_NEEDED_WHILE_NOT_RECORDED})
    changes = _ownership(escalation, by, now) | {
        "state": EscalationState.RESOLVED,
        "resolved_by": by,
        "resolved_at": now,
        "resolution_note": note,
    }
    with transaction.atomic():
        settling.lock_thread(escalation)  # before its own row: the order every settlement locks in
        _change(
            escalation,
            changes,
            by=by,
            reason="Resolved",
            now=now,
            refusal="Someone else resolved or changed this escalation just now.",
        )
        write_event(
            EventKind.ESCALATION_RESOLVED,
            escalation.chain_run,
            escalation=escalation,
            actor=by,
            at=now,
            message=note or "Resolved.",
        )
        # Asked again inside the transaction: the step may have been recorded since the note was checked.
        missing = step_still_missing(escalation)
        settling.settle_thread(escalation, by=by, now=now, step_missing=missing)
    return escalation


def escalation_counts(provider, chain_code: str, now, subjects=None, region=None) -> dict:
    """Open escalations of a provider's cases of one chain, and those not acknowledged in time.

    `subjects` (model instances, or a queryset of them), when given, limits the count to the cases of
    those subjects, so a page that filters its subjects counts only their escalations; an empty list
    counts none. `region`, when given, limits it to the escalations concerning that region: a step run
    once per region (A4) names its region; one about another service than the case's own (C2's
    affected service) is that service's region's; one about the whole case (its service is the case's
    own: A2, A3, A5) counts under every region, the caller passing only the subjects that reach the
    region (found: a trigger's A2, caused by a service in Yorkshire, counted only in the region where
    the failure happened). Counts of two regions may so hold the same escalation.
    """
    open_ones = Escalation.objects.filter(provider=provider, chain_run__chain__code=chain_code).exclude(
        state=EscalationState.RESOLVED
    )
    if subjects is not None:
        open_ones = open_ones.filter(_of_subjects(subjects))
    if region is not None:
        about_the_case = Q(service=F("chain_run__service")) | Q(service__isnull=True)
        open_ones = open_ones.filter(
            Q(region=region) | Q(region__isnull=True) & (about_the_case | Q(service__region=region))
        )
    return {
        "open": open_ones.count(),
        "overdue": open_ones.filter(state=EscalationState.RAISED, acknowledge_by__lt=now).count(),
    }


def _of_subjects(subjects) -> Q:
    """Escalations whose case is on one of `subjects` (the case's subject is a generic relation).

    A queryset of subjects becomes a subquery, so a page filtering thousands of subjects never sends
    their ids as parameters; a list is matched by its ids.
    """
    if isinstance(subjects, QuerySet):
        content_type = ContentType.objects.get_for_model(subjects.model)
        return Q(chain_run__content_type=content_type, chain_run__object_id__in=subjects.values("pk"))
    ids_by_type = {}
    for subject in subjects:
        ids_by_type.setdefault(ContentType.objects.get_for_model(subject), []).append(subject.pk)
    condition = Q(pk__in=[])  # no subjects: nothing matches
    for content_type, ids in ids_by_type.items():
        condition |= Q(chain_run__content_type=content_type, chain_run__object_id__in=ids)
    return condition


def current_step(provider, chain_code: str, step_code: str) -> dict:
    """One step as this provider runs it now (`effective_steps`' item): for a verdict outside a case."""
    return next(s for s in effective_steps(_chain(chain_code), provider) if s["code"] == step_code)


def judge_step(provider, chain_code: str, step_code: str, figures: dict) -> dict:
    """Evaluate one step's rule, as this provider runs it, against figures a page has computed, keyed
    by the computations the step's measures name (so the page never spells a measure's name).

    For pages that show a live verdict outside a case (the executive summary): the rule, its target,
    window and action come from the chain definition with the provider's tuning, never a copy.
    Returns {"breached", "why", "target", "window", "action"}.
    """
    step = current_step(provider, chain_code, step_code)
    values = by_computation(step["measures"], figures)
    evaluation = evaluate(step["threshold_rule"], values, step["measures"])
    return {
        "breached": evaluation.breached,
        "why": evaluation.text,
        "target": Role(step["escalate_to"]).label,
        "window": window_length(step["response_working_hours"]),  # pages say "within" before it
        "action": step["action"],
    }
