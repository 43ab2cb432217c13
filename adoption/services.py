"""Business actions of chain B adoption. Views, panels, the demo and tests call these.

The read models of seed 004 (variation by team, shift and location; groups weak now) live in
`variation.py`; the names callers already use are re-exported here.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from config.forms import too_long
from escalation.choices import ChainRunStatus, StepRunState
from escalation.measures import clean_values
from escalation.models import StepRun, StepTemplate
from learning_transfer.choices import TriggerStatus
from learning_transfer.models import MatchedService
from learning_transfer.models.triggers import NOTICE_FIGURES
from learning_transfer.services.common import refuse_outside
from learning_transfer.services.exposure import learning_reached
from providers.actions import AlreadyDone, change_once, lock
from providers.calendar import LONDON, local_datetime
from providers.permissions import require_perm
from providers.services import given_reason
from providers.templatetags.nhsuk import london

from . import chain
from .models import (
    CLINICAL_NOTE_WHAT,
    CORRECTION_REASON_MAX,
    LOCATION_MAX,
    STEP_CODES,
    AdoptionObservation,
    Deployment,
    DeploymentStatus,
)
from .permissions import deployable_services
from .unheld_roles import refuse_unheld_roles

# Re-exported: callers (the demo's tests among them) name the variation read models here.
from .variation import (  # noqa: F401
    observations_frame,
    observed_rows,
    shift_check_rows,
    threshold_text,
    variation,
    variation_sections,
    variation_table,
    weak_group_text,
    weak_groups,
    weak_now_groups,
)

OPEN_STATES = [StepRunState.DUE, StepRunState.OVERDUE]
RECORDED_STATES = [StepRunState.RECORDED, StepRunState.BREACHED]
LISTED_STATES = OPEN_STATES + RECORDED_STATES
# What the service page can list: the open checks first of all (key: label, states).
CHECK_VIEWS = {
    "open": ("Due and overdue", OPEN_STATES),
    "recorded": ("Recorded", RECORDED_STATES),
    "all": ("All", LISTED_STATES),
}
# --- deploying ---------------------------------------------------------------------------------------


def deploy_learning(
    matched_service,
    *,
    by,
    deployed_at: datetime,
    baseline_completion_pct,
    baseline_omissions_per_100,
    baseline_wound_care_pct,
    baseline_risk_note_pct,
    baseline_drill_pct,
    baseline_clinical_note: str = "",
    until=None,
    deploy_anyway: bool = False,
    now: datetime | None = None,
) -> Deployment:
    """Put a matched service's learning live there and start chain B on it, keeping its pre-learning
    baselines: B1's completion, B2's three clinical figures (with any other notes) and B3's drill.

    Refused (ValidationError) for a service left out of the learning, one that has not acknowledged
    its current notice (`check_received`), one without a confirmed implementation lead, or one already
    deployed, for a go-live time in the future or before the learning reached the service
    (`check_go_live`), and for other notes over 500 characters; the engine refuses a service without
    shifts. Refused too
    (`NobodyToRecord`) where nobody holds a role that records some of the checks, unless
    `deploy_anyway` says to deploy with those checks going overdue. `now`, when given, is the moment it
    is recorded (the demo's story), for the go-live check and the history.
    """
    service = matched_service.service
    require_perm(by, "adoption.deploy_learning", matched_service)
    # The receipt figures are read as stored now: the caller's copy may predate the acknowledgement.
    matched_service.refresh_from_db(fields=NOTICE_FIGURES)
    _check_deployable(matched_service)
    check_go_live(matched_service, deployed_at, now=now)
    note = given_reason(baseline_clinical_note, None, field="baseline_clinical_note", what=CLINICAL_NOTE_WHAT)
    refuse_unheld_roles(service, deployed_at, deploy_anyway)
    deployment = Deployment(
        matched_service=matched_service,
        service=service,
        deployed_at=deployed_at,
        deployed_by=by,
        baseline_completion_pct=baseline_completion_pct,
        baseline_omissions_per_100=baseline_omissions_per_100,
        baseline_wound_care_pct=baseline_wound_care_pct,
        baseline_risk_note_pct=baseline_risk_note_pct,
        baseline_clinical_note=note,
        baseline_drill_pct=baseline_drill_pct,
    )
    # Refuses a missing or out-of-range baseline figure, keyed by its field, as the form would.
    deployment.full_clean(exclude=["matched_service"])
    deployment._history_user = by
    # The history says what happened, not "Not given": a deployment is created only by going live.
    deployment._change_reason = f"Learning put live at {service}"
    if now is not None:
        deployment._history_date = now
    # One transaction: if the engine cannot schedule chain B, no deployment is left without its case.
    with transaction.atomic():
        deployment.save()
        chain.start(deployment, by, until=until)
    return deployment


def _check_deployable(matched_service) -> None:
    name = matched_service.service
    if matched_service.trigger.status == TriggerStatus.CLOSED:
        raise ValidationError(f"{matched_service.trigger} is closed: its learning is no longer deployed.")
    if not matched_service.included:
        raise ValidationError(f"{name} was left out of this learning, so it cannot be deployed there.")
    check_received(matched_service)
    if not hasattr(matched_service, "lead"):
        raise ValidationError(
            f"{name} has no confirmed implementation lead. Confirm one before deploying the learning."
        )
    if Deployment.objects.filter(matched_service=matched_service).exists():
        raise ValidationError(f"The learning is already deployed at {name}.")


def check_received(matched_service) -> None:
    """Refuse deploying learning the service has not received: its current notice is not acknowledged
    (the figure `notices.refresh_notice_figures` keeps on the match, so no query)."""
    if not matched_service.current_notice_acknowledged:
        raise ValidationError(
            f"{matched_service.service} has not acknowledged the learning notice yet: acknowledge "
            "receipt first, then deploy the learning."
        )


def check_go_live(matched_service, deployed_at: datetime, now: datetime | None = None) -> None:
    """Refuse, on `deployed_at`, a go-live time in the future (beyond a few minutes of clock
    difference) or before the learning reached the service: when it first acknowledged a notice of
    the learning (before then, when it was issued there, or the failure was confirmed:
    `learning_reached`).

    Chain B's deadlines count from this time, and a deployment is made once: a time in the future
    would schedule checks nobody can do yet, with no way to deploy the learning again.
    """
    earliest, since = learning_reached(matched_service)
    if matched_service.first_acknowledged_at is not None:
        earliest = matched_service.first_acknowledged_at
        since = f"the learning reached {matched_service.service}"
    refuse_outside(
        "deployed_at",
        deployed_at,
        what="When the learning went live",
        earliest=earliest,
        since=since,
        now=now,
    )


CLOSE_REASON_MISSING = "Give the reason monitoring can end."
NOTHING_OBSERVED = "No team, shift or location has been observed yet: nothing shows practice aligned."
LASTING_REVIEW = "B5"  # chain B's final review, "Confirm the change has lasted"


def close_deployment(deployment, *, by, reason: str) -> Deployment:
    """End live monitoring: the deployment closes and chain B's checks still due are closed with it.

    Closing needs evidence that practice aligned (`closing_refusals`): refused while nothing has been
    observed, before the final review (B5) is recorded, and while any team, shift or location is weak
    now (its latest observation breaches its step's threshold): seed 004 keeps enhanced review in
    place until the weak group aligns. The reason is required, up to 500 characters.
    """
    require_perm(by, "adoption.close_deployment", deployment)
    reason = given_reason(reason, CLOSE_REASON_MISSING)
    with transaction.atomic():
        # Closed once: of two closes at once the second is refused; a refusal below undoes the change.
        change_once(
            deployment,
            expected={"status": DeploymentStatus.ACTIVE},
            changes={"status": DeploymentStatus.CLOSED},
            by=by,
            reason=reason,
            refusal="This deployment is already closed.",
        )
        sections = variation_sections(deployment)
        refusals = closing_refusals(sections, lasting_review(deployment))
        if refusals:
            # A message has no list: the weak groups follow their sentence, one after another.
            weak = " ".join(f"{group['text']}." for group in weak_now_groups(sections))
            raise ValidationError(
                [f"{refusal} {weak}" if refusal == WEAK_NOW_REFUSAL else refusal for refusal in refusals]
            )
        chain.close(deployment, by, reason)
    return deployment


def lasting_review(deployment, timeline=None):
    """The deployment's final review, "Confirm the change has lasted" (B5): from `timeline` (its
    case's step runs) when given, else read from its case; None where the case has none."""
    if timeline is None:
        return chain.CASES.step_run(deployment, LASTING_REVIEW)
    return next((step_run for step_run in timeline if step_run.code == LASTING_REVIEW), None)


# The page lists the weak groups under it, one a line; the refusal on closing names them after it.
WEAK_NOW_REFUSAL = (
    "Monitoring cannot end while a group is weak now: keep enhanced review in place until each of "
    "these aligns."
)


def closing_refusals(sections, review) -> list[str]:
    """Why live monitoring cannot end yet, each in one sentence for the page and the refusal (none: it
    may): no team, shift or location observed (`sections` empty), a group weak now (WEAK_NOW_REFUSAL:
    the caller lists the groups, `weak_now_groups`), or the final review `review` (B5) not yet
    recorded. The page and `close_deployment` both ask it."""
    refusals = []
    if not sections:
        refusals.append(NOTHING_OBSERVED)
    if weak_now_groups(sections):
        refusals.append(WEAK_NOW_REFUSAL)
    if review is not None and review.state not in RECORDED_STATES:
        refusals.append(
            f"Monitoring cannot end before the final review “{review.name or review.title}” "
            f"({review.code}) is recorded: "
            f"it is due by {london(review.due_at)}."
        )
    return refusals


def _locked(deployment) -> Deployment:
    """The deployment's row as it stands, locked until the transaction ends. Closing, recording and
    correcting take turns on it: nothing is recorded or corrected past a close, a close judges the
    latest figures, and a second submit of a correction is judged against what the first one saved."""
    return lock(deployment)


def deployable_matches(user):
    """Matched services the person could deploy now: included, received (the current notice is
    acknowledged), with a lead, not yet deployed, of a trigger still open (a closed trigger needs no
    further action)."""
    return (
        MatchedService.objects.filter(
            service__in=deployable_services(user),
            included=True,
            current_notice_acknowledged=True,
            lead__isnull=False,
            deployment__isnull=True,
        )
        .exclude(trigger__status=TriggerStatus.CLOSED)
        .select_related("service", "trigger")
        .order_by("service__name", "trigger_id")
    )


# --- observations by team, shift and location --------------------------------------------------------


class MonitoringEnded(ValidationError):
    """An observation refused because the deployment is closed: monitoring has ended there.

    Views say so as a message on the deployment's page, which offers no form once it is closed.
    """

    def __init__(self, deployment):
        super().__init__(
            f"Monitoring has ended at {deployment.service} (the deployment is closed), "
            "so observations can no longer be recorded. Nothing was saved."
        )


def check_live(deployment) -> None:
    """Refuse (MonitoringEnded) anything more to record once the deployment is closed."""
    if deployment.status == DeploymentStatus.CLOSED:
        raise MonitoringEnded(deployment)


def check_observed_at(deployment, observed_at: datetime, now: datetime | None = None) -> None:
    """Refuse, on `observed_at`, an observation time in the future (beyond a few minutes of clock
    difference) or before the learning went live.

    Each group's latest observation decides whether it is weak now: a time in the future would stay
    the latest and could make a weak group look aligned.
    """
    refuse_outside(
        "observed_at",
        observed_at,
        what="The time observed",
        earliest=deployment.deployed_at,
        since="the learning went live",
        now=now,
    )


def check_in_shift(service, shift_name: str, observed_at: datetime, field: str = "observed_at") -> None:
    """Refuse, on `field`, an observation naming a shift of the service at a UK time outside that
    shift's hours, both ends included: "The night shift runs 21:30 to 07:30; 13:30 is not in it."

    The shift's hours are the service's own shift pattern; a night shift crosses midnight. A figure
    filed under the wrong shift would make that shift look weak or aligned when it was not.
    """
    shift = next((s for s in service.shifts if s.name == shift_name), None) if shift_name else None
    if shift is None:
        return  # no shift named (or an unknown one, refused by `_checked_observation`)
    clock = timezone.localtime(observed_at, LONDON).time()
    if not shift.contains_clock(clock):
        raise ValidationError(
            {
                field: f"The {shift.name} shift runs {shift.start:%H:%M} to {shift.end:%H:%M}; "
                f"{clock:%H:%M} is not in it."
            }
        )


class NothingToCorrect(ValidationError):
    """A correction that would change nothing, such as the same form sent twice: no history is written.

    Views send the person back to the deployment instead of showing an error.
    """


def step_measures(code: str) -> list[dict]:
    """The chain B step's measures as the template defines them."""
    for step in chain.steps():
        if step.code == code:
            return step.measures
    raise StepTemplate.DoesNotExist(f"Chain {chain.CHAIN_CODE} has no step {code}.")


def record_team_observation(
    deployment,
    *,
    by,
    step_code: str,
    values: dict,
    team=None,
    shift_name: str = "",
    location: str = "",
    observed_at=None,
    now=None,
) -> AdoptionObservation:
    """Store one group's figures for a step (only the measures observed need be given).

    The group is a team of the service, one of its shifts, a location within it, or a mix of them.
    Refused (MonitoringEnded) once the deployment is closed, for a time observed in the future or
    before the learning went live (`check_observed_at`), and for a time outside the shift named
    (`check_in_shift`). `now` (default the current time) is when it is recorded: the history row and
    any weak-group escalation it raises are dated by it, and it is the time observed when none is given.
    """
    now = now or timezone.now()
    require_perm(by, "adoption.record_observation", deployment)
    cleaned, location = _checked_observation(
        deployment, step_code=step_code, values=values, team=team, shift_name=shift_name, location=location
    )
    observed_at = observed_at or now
    check_observed_at(deployment, observed_at, now)
    check_in_shift(deployment.service, shift_name, observed_at)
    observation = AdoptionObservation(
        deployment=deployment,
        step_code=step_code,
        team=team,
        shift_name=shift_name,
        location=location,
        values=cleaned,
        observed_at=observed_at,
        recorded_by=by,
    )
    observation._history_user = by
    observation._history_date = now
    with transaction.atomic():
        check_live(_locked(deployment))  # the lock also makes a second of two identical posts wait
        _refuse_a_repeat(observation)
        observation.save()
        _escalate_weak_groups(observation, now)
    return observation


def _refuse_a_repeat(observation: AdoptionObservation) -> None:
    """The same group, step, moment and figures already recorded (a double tap on "Save") is not
    recorded again: it would count twice in the comparison. Other figures for the same moment are kept,
    as a correction to look at."""
    same = observation.deployment.observations.filter(
        step_code=observation.step_code,
        team=observation.team,
        shift_name=observation.shift_name,
        location=observation.location,
        observed_at=observation.observed_at,
    )
    repeat = next((earlier for earlier in same if earlier.values == observation.values), None)
    if repeat is not None:
        raise AlreadyDone("This observation is already recorded: nothing was saved twice.", repeat)


def correct_observation(
    observation, *, by, reason: str, values: dict, team=None, shift_name: str = "", location: str = ""
) -> AdoptionObservation:
    """Put right a wrongly entered observation's figures and group, with the reason.

    The row is changed in place so the comparison uses the right figures; its history keeps the
    earlier ones with who corrected them and why. Refused once the deployment is closed, for a shift
    the time observed is not in (`check_in_shift`), and NothingToCorrect (a ValidationError) when the
    figures and group are already these, so a double submit writes one history row.
    """
    deployment = observation.deployment
    require_perm(by, "adoption.correct_observation", observation)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Give the reason for the correction."})
    if len(reason) > CORRECTION_REASON_MAX:
        sizes = {"limit_value": CORRECTION_REASON_MAX, "show_value": len(reason)}
        raise ValidationError({"reason": too_long("the reason") % sizes})
    with transaction.atomic():
        if _locked(deployment).status == DeploymentStatus.CLOSED:
            raise ValidationError("This deployment is closed: its observations can no longer be changed.")
        current = AdoptionObservation.objects.select_related("deployment__service").get(pk=observation.pk)
        cleaned, location = _checked_observation(
            current.deployment,
            step_code=current.step_code,
            values=values,
            team=team,
            shift_name=shift_name,
            location=location,
        )
        # The time observed stays as recorded: a shift it was not in is refused on the shift.
        check_in_shift(current.deployment.service, shift_name, current.observed_at, field="shift_name")
        changes = {
            "values": cleaned,
            "team_id": team.pk if team is not None else None,
            "shift_name": shift_name,
            "location": location,
        }
        if all(getattr(current, name) == value for name, value in changes.items()):
            raise NothingToCorrect("The observation already shows these figures, so nothing was changed.")
        for name, value in changes.items():
            setattr(current, name, value)
        current._history_user = by
        current._change_reason = reason
        current.save(update_fields=[*changes])
        _escalate_weak_groups(current)
    return current


def _escalate_weak_groups(observation, now=None) -> list:
    """Escalate each group this observation names (its team, shift, location) whose own figures now
    breach the step's rule while the service's do not; each once per occurrence of the step, raised at
    `now` (default the current time)."""
    named = {
        ("team", observation.team.name if observation.team_id else ""),
        ("shift", observation.shift_name),
        ("location", observation.location),
    }
    deployment = observation.deployment
    weak = [
        (group["label"], group["evaluation"], group["latest"])
        for group in weak_groups(deployment, observation.step_code)
        if (group["dimension"], group["group"]) in named
    ]
    return chain.raise_weak_groups(deployment, observation.step_code, weak, observation.observed_at, now)


def corrections(deployment, observations=None) -> dict[int, dict]:
    """The latest correction of each corrected observation of the deployment (of `observations` alone
    when given, such as the page of them a table shows), by observation id: {"reason", "by", "at"};
    one query however many observations there are."""
    history = (
        AdoptionObservation.history.filter(deployment=deployment, history_type="~")
        .exclude(history_change_reason=None)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if observations is not None:
        history = history.filter(id__in=[observation.pk for observation in observations])
    return {
        row.id: {"reason": row.history_change_reason, "by": row.history_user, "at": row.history_date}
        for row in history
    }


def _checked_observation(deployment, *, step_code, values, team, shift_name, location) -> tuple[dict, str]:
    """Check one group's figures for a step; returns the cleaned values and the location as stored."""
    service = deployment.service
    if step_code not in STEP_CODES:
        raise ValidationError({"step_code": f"Choose one of {', '.join(STEP_CODES)}."})
    if team is not None and team.service_id != service.pk:
        raise ValidationError({"team": f"Choose a team of {service}."})
    shift_names = {shift.name for shift in service.shifts}
    if shift_name and shift_name not in shift_names:
        raise ValidationError({"shift_name": f"{service} has no shift called {shift_name!r}."})
    location = _location(deployment, location)
    if team is None and not shift_name and not location:
        raise ValidationError("Name the team, the shift or the location (or more than one).")
    return checked_figures(step_code, values), location


def checked_figures(step_code: str, values: dict) -> dict:
    """One group's figures for a step checked against the step's measures and returned cleaned;
    a figure out of range is refused keyed by its measure's name, so a form shows it on its field."""
    if not values:
        raise ValidationError("Record at least one measure.")
    measures = step_measures(step_code)
    # Per-group figures may cover only some of the step's measures; baselines live on the deployment.
    observed = [{k: v for k, v in m.items() if k != "baseline"} for m in measures if m["name"] in values]
    if len(observed) != len(values):
        known = ", ".join(m["name"] for m in measures)
        raise ValidationError(f"Record only measures of {step_code}: {known}.")
    return clean_values(observed, values, step_code=step_code)


def _location(deployment, location: str) -> str:
    """The location tidied: spaces trimmed and collapsed, and spelt as this deployment first spelt it,
    so "first floor" and "First floor " are compared as one place, not two."""
    location = " ".join((location or "").split())
    if len(location) > LOCATION_MAX:
        sizes = {"limit_value": LOCATION_MAX, "show_value": len(location)}
        raise ValidationError({"location": too_long("the location") % sizes})
    if not location:
        return ""
    known = deployment.observations.exclude(location="").values_list("location", flat=True).distinct()
    return next((place for place in known if place.casefold() == location.casefold()), location)


# --- what is due -------------------------------------------------------------------------------------


def chain_b_step_runs(services, states=LISTED_STATES):
    """Chain B step runs of open cases at these services, soonest first (one query when evaluated)."""
    return (
        StepRun.objects.filter(
            chain_run__chain__code=chain.CHAIN_CODE,
            chain_run__service__in=services,
            chain_run__status=ChainRunStatus.OPEN,
            state__in=states,
        )
        .select_related("chain_run__service")
        .order_by("due_at", "code", "pk")
    )


def service_summary(scope, now: datetime) -> list[dict]:
    """A line per service of `scope` with open chain B checks, by name, for a person over several
    services: {"service_pk", "service_name", "overdue", "due_today", "next_due"}. Overdue as the lists show it
    (past its deadline even before the engine marks it); due today: still to come before UK midnight;
    the next due: the soonest still to come. One query however many services and checks."""
    midnight = local_datetime(timezone.localdate(now, LONDON) + timedelta(days=1), time(0))
    overdue = Q(state=StepRunState.OVERDUE) | Q(due_at__lte=now)
    to_come = Q(state=StepRunState.DUE, due_at__gt=now)
    return list(
        chain_b_step_runs(scope, OPEN_STATES)
        .values(service_pk=F("chain_run__service"), service_name=F("chain_run__service__name"))
        .annotate(
            overdue=Count("pk", filter=overdue),
            due_today=Count("pk", filter=to_come & Q(due_at__lt=midnight)),
            next_due=Min("due_at", filter=to_come),
        )
        .order_by("service_name", "service_pk")
    )
