"""Business actions and read models of chain B adoption. Views, panels and tests call these."""

from datetime import datetime

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from escalation.choices import ChainRunStatus, StepRunState
from escalation.measures import clean_values
from escalation.models import StepRun, StepTemplate
from escalation.rules import OP_WORDS, OPERATORS, fmt
from providers import permissions
from providers.choices import Role

from . import chain
from .models import STEP_CODES, AdoptionObservation, Deployment, DeploymentStatus

# Who may put learning live at a service: its manager, or the people who oversee implementation.
DEPLOYER_ROLES = [Role.REGISTERED_MANAGER, Role.OPERATIONS_DIRECTOR, Role.DEPUTY_REGIONAL_MANAGER]
# The service roles that carry out chain B and see its checks on their dashboards.
CHECKER_ROLES = [
    Role.REGISTERED_MANAGER,
    Role.SERVICE_IMPROVEMENT_LEAD,
    Role.CLINICAL_LEAD,
    Role.PRACTICE_DEVELOPMENT_LEAD,
    Role.SENIOR_CARER_LATE,
]
OPEN_STATES = [StepRunState.DUE, StepRunState.OVERDUE]
LISTED_STATES = [StepRunState.DUE, StepRunState.OVERDUE, StepRunState.RECORDED, StepRunState.BREACHED]


# --- deploying ---------------------------------------------------------------------------------------


def deploy_learning(
    matched_service,
    *,
    by,
    deployed_at: datetime,
    baseline_completion_pct,
    baseline_clinical_note: str,
    baseline_drill_pct,
    until=None,
) -> Deployment:
    """Put a matched service's learning live there and start chain B on it.

    Refused (ValidationError) for a service left out of the learning, one without a confirmed
    implementation lead, or one already deployed; the engine refuses a service without shifts.
    """
    service = matched_service.service
    if not permissions.holds_any_role(by, DEPLOYER_ROLES, service=service):
        raise PermissionDenied(
            "Only the service's Registered Manager, an Operations Director or its Deputy "
            "Regional Manager may deploy learning there."
        )
    _check_deployable(matched_service)
    deployment = Deployment(
        matched_service=matched_service,
        service=service,
        deployed_at=deployed_at,
        deployed_by=by,
        baseline_completion_pct=baseline_completion_pct,
        baseline_clinical_note=(baseline_clinical_note or "").strip(),
        baseline_drill_pct=baseline_drill_pct,
    )
    deployment.full_clean(exclude=["matched_service"])
    deployment._history_user = by
    # One transaction: if the engine cannot schedule chain B, no deployment is left without its case.
    with transaction.atomic():
        deployment.save()
        chain.start(deployment, by, until=until)
    return deployment


def _check_deployable(matched_service) -> None:
    name = matched_service.service
    if not matched_service.included:
        raise ValidationError(f"{name} was left out of this learning, so it cannot be deployed there.")
    if not hasattr(matched_service, "lead"):
        raise ValidationError(
            f"{name} has no confirmed implementation lead. Confirm one before deploying the learning."
        )
    if Deployment.objects.filter(matched_service=matched_service).exists():
        raise ValidationError(f"The learning is already deployed at {name}.")


def can_close(user, deployment) -> bool:
    """Whether the person may end live monitoring of this deployment (a deployer at its service)."""
    return deployment.status == DeploymentStatus.ACTIVE and permissions.holds_any_role(
        user, DEPLOYER_ROLES, service=deployment.service
    )


def close_deployment(deployment, *, by, reason: str) -> Deployment:
    """End live monitoring: the deployment closes and chain B's checks still due are closed with it."""
    if not permissions.holds_any_role(by, DEPLOYER_ROLES, service=deployment.service):
        raise PermissionDenied("Only the people who may deploy learning at this service may close it.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason monitoring can end."})
    if deployment.status == DeploymentStatus.CLOSED:
        raise ValidationError("This deployment is already closed.")
    with transaction.atomic():
        deployment.status = DeploymentStatus.CLOSED
        deployment._history_user = by
        deployment._change_reason = reason[:100]
        deployment.save(update_fields=["status"])
        chain.close(deployment, by, reason)
    return deployment


def deployable_matches(user):
    """Matched services the person could deploy now: included, with a lead, not yet deployed."""
    from learning_transfer.models import MatchedService

    services = permissions.visible_services(user, DEPLOYER_ROLES)
    return (
        MatchedService.objects.filter(
            service__in=services, included=True, lead__isnull=False, deployment__isnull=True
        )
        .select_related("service", "trigger")
        .order_by("service__name", "trigger_id")
    )


# --- observations by team and shift ------------------------------------------------------------------


def chain_b_steps() -> list[StepTemplate]:
    """Chain B's step templates in order (their measures name what teams can be compared on)."""
    return list(StepTemplate.objects.filter(chain__code=chain.CHAIN_CODE).order_by("order"))


def can_observe(user, deployment) -> bool:
    """Whether the person may record team and shift observations for this deployment."""
    return permissions.holds_any_role(user, CHECKER_ROLES, service=deployment.service)


def step_measures(code: str) -> list[dict]:
    """The chain B step's measures as the template defines them."""
    return StepTemplate.objects.get(code=code).measures


def record_team_observation(
    deployment, *, by, step_code: str, values: dict, team=None, shift_name: str = "", observed_at=None
) -> AdoptionObservation:
    """Store one team's or shift's figures for a step (only the measures observed need be given)."""
    service = deployment.service
    if not can_observe(by, deployment):
        raise PermissionDenied("Only the service's chain B roles may record team observations.")
    if step_code not in STEP_CODES:
        raise ValidationError({"step_code": f"Choose one of {', '.join(STEP_CODES)}."})
    if team is not None and team.service_id != service.pk:
        raise ValidationError({"team": f"Choose a team of {service}."})
    shift_names = {shift.name for shift in service.shifts}
    if shift_name and shift_name not in shift_names:
        raise ValidationError({"shift_name": f"{service} has no shift called {shift_name!r}."})
    if team is None and not shift_name:
        raise ValidationError("Name the team, the shift or both.")
    if not values:
        raise ValidationError("Record at least one measure.")
    # Per-group figures may cover only some of the step's measures; baselines live on the deployment.
    observed = [
        {k: v for k, v in m.items() if k != "baseline"}
        for m in step_measures(step_code)
        if m["name"] in values
    ]
    if len(observed) != len(values):
        known = ", ".join(m["name"] for m in step_measures(step_code))
        raise ValidationError(f"Record only measures of {step_code}: {known}.")
    cleaned = clean_values(observed, values, step_code=step_code)
    observation = AdoptionObservation(
        deployment=deployment,
        step_code=step_code,
        team=team,
        shift_name=shift_name,
        values=cleaned,
        observed_at=observed_at or timezone.now(),
        recorded_by=by,
    )
    observation._history_user = by
    observation.save()
    return observation


def threshold_for(deployment, code: str, measure: str) -> dict | None:
    """The comparison of this case's threshold rule that tests `measure`, or None when none does.

    Returns {"op", "value", "change_from_baseline": bool}. The running case's snapshot is used, so a
    provider's tuning at start time applies; for a rule of several parts each part is tested alone.
    """
    run = chain.run_for(deployment)
    step = run.step_runs.filter(code=code).first() if run else None
    rule = step.threshold_rule if step else StepTemplate.objects.get(code=code).threshold_rule
    for part in _leaves(rule):
        if part.get("measure") == measure and "value" in part:
            return {"op": part["op"], "value": part["value"], "change_from_baseline": False}
        if part.get("change_from_baseline") == measure:
            return {"op": part["op"], "value": part["value"], "change_from_baseline": True}
    return None


def _leaves(rule: dict) -> list[dict]:
    for combiner in ("all", "any"):
        if combiner in rule:
            return [leaf for part in rule[combiner] for leaf in _leaves(part)]
    return [rule]


def observations_frame(deployment, code: str, measure: str) -> pd.DataFrame:
    """One row per observation of `measure`: team, shift, value (an empty frame when none)."""
    rows = [
        {"team": o.team.name if o.team else "", "shift": o.shift_name, "value": float(o.values[measure])}
        for o in deployment.observations.filter(step_code=code).select_related("team")
        if measure in o.values
    ]
    return pd.DataFrame(rows, columns=["team", "shift", "value"])


def variation_table(
    frame: pd.DataFrame, *, op: str | None, limit: float | None, offset: float = 0
) -> pd.DataFrame:
    """Each team's and each shift's mean beside the service average, and whether it breaches the limit.

    frame: columns team, shift, value. The step's condition is `value - offset <op> limit` (offset is
    the baseline for a change-from-baseline rule). `hidden_by_average` marks a group breaching while
    the service average does not: the weak team an average would hide.
    Returns columns dimension, group, observations, value, service_average, breached, hidden_by_average.
    """
    columns = [
        "dimension",
        "group",
        "observations",
        "value",
        "service_average",
        "breached",
        "hidden_by_average",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    average = frame["value"].mean()
    parts = []
    for dimension in ("team", "shift"):
        named = frame[frame[dimension] != ""]
        grouped = named.groupby(dimension)["value"].agg(["count", "mean"]).reset_index()
        grouped.columns = ["group", "observations", "value"]
        grouped.insert(0, "dimension", dimension)
        parts.append(grouped)
    table = pd.concat(parts, ignore_index=True)
    table["service_average"] = average
    if op is None:
        table["breached"] = False
        table["hidden_by_average"] = False
        return table[columns]
    test = OPERATORS[op]
    table["breached"] = [bool(test(v - offset, limit)) for v in table["value"]]
    average_breached = bool(test(average - offset, limit))
    table["hidden_by_average"] = table["breached"] & (not average_breached)
    return table[columns]


def variation(deployment, code: str, measure: str) -> pd.DataFrame:
    """Per team and per shift: the measure, the service average, and the groups below the step's
    threshold even when the average is not ("never let an average hide a weak team")."""
    threshold = threshold_for(deployment, code, measure)
    frame = observations_frame(deployment, code, measure)
    if threshold is None:
        return variation_table(frame, op=None, limit=None)
    offset = float(deployment.baseline_completion_pct) if threshold["change_from_baseline"] else 0
    return variation_table(frame, op=threshold["op"], limit=threshold["value"], offset=offset)


def threshold_text(threshold: dict | None) -> str:
    """The comparison in words, e.g. "below 93" or "change from baseline below 5 points"."""
    if threshold is None:
        return "No threshold on this measure"
    words = f"{OP_WORDS[threshold['op']]} {fmt(threshold['value'])}"
    return f"change from baseline {words} points" if threshold["change_from_baseline"] else words


def variation_sections(deployment) -> list[dict]:
    """For every step measure with observations and a threshold: its variation table as rows."""
    sections = []
    observed = {(o.step_code, name) for o in deployment.observations.all() for name in o.values}
    for code, measure in sorted(observed):
        threshold = threshold_for(deployment, code, measure)
        table = variation(deployment, code, measure)
        labels = {m["name"]: m["label"] for m in step_measures(code)}
        sections.append(
            {
                "code": code,
                "measure": measure,
                "label": labels.get(measure, measure),
                "threshold": threshold_text(threshold),
                "rows": table.to_dict("records"),
                "weak": [r for r in table.to_dict("records") if r["breached"]],
            }
        )
    return sections


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
