"""The one place this app talks to the escalation engine about chain A (a trigger's case)."""

from django.contrib.contenttypes.models import ContentType

from escalation import rules
from escalation import services as engine
from escalation.computations import parameters_of
from escalation.models import StepRun
from escalation.subjects import ChainCases
from providers.models import Region

from .models import LearningTrigger

CHAIN_CODE = "A"
# The windows, sample size and look-backs of chain A's measures (fixtures/chains.json), by the name the
# app's code uses: (computation the measure names, its parameter).
PARAMETERS = {
    "rate_days": ("matched_service_incident_rates", "days"),
    "open_action_working_days": ("matched_open_actions_due", "working_days"),
    "receipt_window_hours": ("notices_received_in_window", "window_hours"),
    "sample_size": ("sampled_notices_due_in_time", "sample_size"),
    "due_within_hours": ("sampled_notices_due_in_time", "due_within_hours"),
    "risk_age_hours": ("comparable_risk_unresolved", "age_hours"),
    "task_window_hours": ("local_tasks_due_soon", "window_hours"),
    "defect_cycles": ("repeated_defects", "cycles"),
}


def matched_regions(trigger) -> list[Region]:
    """The regions of the trigger's included matched services: A4 runs once for each."""
    return list(
        Region.objects.filter(
            services__learning_matches__trigger=trigger, services__learning_matches__included=True
        )
        .distinct()
        .order_by("name")
    )


def start(trigger, by, now=None):
    """Start chain A on the trigger (idempotent in the engine), at `now` (default: now); deadlines
    count from confirmation. A4 runs once per region of the matched services, for that region's Deputy
    Regional Manager."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=trigger.provider,
        subject=trigger,
        anchor_at=trigger.confirmed_at,
        service=trigger.source_service,
        started_by=by,
        started_at=now,
        regions=matched_regions(trigger),
    )


def cover_matched_regions(trigger) -> None:
    """A service added in a region with no A4 yet gets that region's A4 (same snapshot and deadline)."""
    run = CASES.run_for(trigger)
    if run is not None:
        engine.cover_regions(run, matched_regions(trigger))


def region_step_runs(trigger, code: str) -> list:
    """The trigger's step runs of `code`, one per region for A4 (one in all for the other steps)."""
    run = CASES.run_for(trigger)
    return [] if run is None else list(run.step_runs.filter(code=code).select_related("region"))


CASES = ChainCases(CHAIN_CODE)
run_for, step_run, record, close = CASES.run_for, CASES.step_run, CASES.record, CASES.close


def parameters(provider, trigger=None, step_runs=None) -> dict:
    """Chain A's parameters (PARAMETERS) as a trigger's case runs them (its steps' snapshot, so a
    provider's tuning after the case started does not change it), or, for a trigger whose case has not
    started yet and for pages across triggers, as the provider runs them now (the default or its tuning).
    A page that has loaded the case's step runs passes them as `step_runs`, so they are not read again.
    """
    if step_runs is None:
        run = CASES.run_for(trigger) if trigger is not None else None
        step_measures = run.step_runs.values_list("measures", flat=True) if run else []
    else:
        step_measures = [step.measures for step in step_runs]
    snapshot = [m for ms in step_measures for m in ms]
    current = None
    result = {}
    for name, (key, parameter) in PARAMETERS.items():
        value = parameters_of(snapshot, key).get(parameter)
        if value is None:  # no case yet (or a parameter it never had): the provider's value now
            current = current if current is not None else engine.effective_measures(provider, CHAIN_CODE)
            value = parameters_of(current, key)[parameter]
        result[name] = value
    return result


def rule_as_run(trigger, code: str, step_runs=None) -> tuple[dict, list[dict]]:
    """Step `code`'s threshold rule and measures as the trigger's case runs them (its latest step run's
    snapshot, so a provider's tuning after the case started does not change them), or, for a trigger
    with no case (none was started, as for a history loaded in bulk), as the provider runs them now.
    A page that has loaded the case's step runs passes them as `step_runs` (none: no case), as for
    `parameters`, so they are not read again."""
    step = step_run(trigger, code) if step_runs is None else latest_step(step_runs, code)
    if step is None:
        now_in_force = engine.current_step(trigger.provider, CHAIN_CODE, code)
        return now_in_force["threshold_rule"], now_in_force["measures"]
    return step.threshold_rule, step.measures


def threshold_as_run(trigger, code: str, computation: str, step_runs=None):
    """The number step `code`'s rule, as `rule_as_run` reads it, needs the measure computed by
    `computation` to exceed (A1's "more than 2 services with a matching risk profile": 2, or the
    provider's tuning), or None when the rule compares that measure with no number that way."""
    rule, step_measures = rule_as_run(trigger, code, step_runs)
    names = [m["name"] for m in step_measures if m.get("computation") == computation]
    return rules.threshold_of(rule, names[0]) if names else None


def parameter_of_each(triggers, name: str) -> dict:
    """One of `parameters` for many triggers at once, by trigger id: each case's snapshot read in one
    query, and the provider's value now for a trigger with no case yet, so a list of notices needs the
    same queries however many triggers it spans."""
    triggers = list({trigger.pk: trigger for trigger in triggers}.values())
    key, parameter = PARAMETERS[name]
    snapshots = StepRun.objects.filter(
        chain_run__chain__code=CHAIN_CODE,
        chain_run__content_type=ContentType.objects.get_for_model(LearningTrigger),
        chain_run__object_id__in=[trigger.pk for trigger in triggers],
    ).values_list("chain_run__object_id", "measures")
    values: dict[int, object] = {}
    for trigger_id, measures in snapshots if triggers else []:
        value = parameters_of(measures, key).get(parameter)
        if value is not None:
            values.setdefault(trigger_id, value)
    now_in_force: dict[int, object] = {}  # provider id -> its value now
    for trigger in triggers:
        if trigger.pk not in values:
            if trigger.provider_id not in now_in_force:
                now_in_force[trigger.provider_id] = parameters(trigger.provider)[name]
            values[trigger.pk] = now_in_force[trigger.provider_id]
    return values


def latest_step(step_runs: list, code: str):
    """The latest occurrence of the step `code` among a case's loaded step runs (as `step_run` finds
    it with a query), or None."""
    return max((step for step in step_runs if step.code == code), key=lambda s: s.occurrence, default=None)


def escalation_counts(provider, now, triggers=None, region=None) -> dict:
    """Open escalations of the provider's chain A cases, and those not acknowledged in time; only
    the cases of `triggers`, and those concerning `region`, when given (a filtered page counts what it
    shows)."""
    return engine.escalation_counts(provider, CHAIN_CODE, now, subjects=triggers, region=region)


def judge_a5(provider, figures: dict) -> dict:
    """A5's rule, as this provider runs it, on the executive summary's live figures (keyed by the
    computations A5's measures name)."""
    return engine.judge_step(provider, CHAIN_CODE, "A5", figures)
