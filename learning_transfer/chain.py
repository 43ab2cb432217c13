"""The one place this app talks to the escalation engine about chain A (a trigger's case)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from escalation import rules, settling
from escalation import services as engine
from escalation.computations import SYSTEM_FIGURES, parameters_of
from escalation.models import StepRecord, StepRun
from escalation.step_facts import StepFacts
from escalation.subjects import ChainCases
from providers.models import Region
from providers.templatetags.nhsuk import on_at

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
RECEIPT_STEP = "A2"  # the step whose measures snapshot the receipt window (`ReceiptWindows`)
# The checks of what the matched services did with the learning: their figures count from its issue.
AFTER_ISSUE_STEPS = ("A2", "A3", "A4")


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


def close_regions_left_out(trigger, *, by, reason: str, now=None) -> None:
    """A region whose last matched service was left out has nothing left to align: its A4 closes."""
    run = CASES.run_for(trigger)
    if run is not None:
        engine.close_uncovered_regions(run, matched_regions(trigger), by=by, reason=reason, now=now)


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


@dataclass(frozen=True)
class ReceiptWindows:
    """The receipt window (hours) each trigger is judged by across triggers, in SQL: the one its case
    started with (A2's snapshot, as `parameters` reads it for one trigger), else (no case, or a
    snapshot without one) the provider's window now, `now_hours`; so a provider's tuning applies to
    cases started after it, never to figures already reported. `others` holds each other window the
    provider's cases run, with their trigger ids as a subquery, and `differing` all those ids: both
    empty while every case runs the window now, so the counts stay one comparison."""

    now_hours: int
    others: dict  # hours -> a queryset of the ids of the triggers whose case runs them
    differing: QuerySet | None = None

    @classmethod
    def read(cls, provider, now_hours: int) -> "ReceiptWindows":
        """The windows of the provider's cases other than `now_hours`: one query for which (few) there
        are. The snapshot keeps A2's measures in the template's order, so the window is read at each
        position a measure of A2 holds, the first naming the computation."""
        key, parameter = PARAMETERS["receipt_window_hours"]
        positions = range(len(engine.current_step(provider, CHAIN_CODE, RECEIPT_STEP)["measures"]))
        window = Case(
            *(
                When(
                    Q(**{f"measures__{n}__computation": key}),
                    then=Cast(KT(f"measures__{n}__parameters__{parameter}"), IntegerField()),
                )
                for n in positions
            ),
            output_field=IntegerField(),
        )
        cases = StepRun.objects.filter(
            chain_run__chain__code=CHAIN_CODE,
            chain_run__content_type=ContentType.objects.get_for_model(LearningTrigger),
            chain_run__provider=provider,
            code=RECEIPT_STEP,
        )
        cases = cases.annotate(trigger_id=F("chain_run__object_id"), window=window).order_by()
        cases = cases.filter(window__isnull=False)
        differing = cases.exclude(window=now_hours)
        hours = sorted(set(differing.values_list("window", flat=True)))
        others = {h: cases.filter(window=h).values("trigger_id") for h in hours}
        return cls(now_hours, others, differing.values("trigger_id") if others else None)

    def each(self, condition) -> Q:
        """`condition(hours)` of each row with a `trigger_id` (a matched service), with `hours` its
        trigger's receipt window."""
        if not self.others:
            return condition(self.now_hours)
        by_window = ~Q(trigger_id__in=self.differing) & condition(self.now_hours)
        for hours, trigger_ids in self.others.items():
            by_window |= Q(trigger_id__in=trigger_ids) & condition(hours)
        return by_window

    def hours(self) -> Case:
        """The receipt window of each row's trigger (a matched service's), in SQL."""
        whens = [When(trigger_id__in=ids, then=Value(hours)) for hours, ids in self.others.items()]
        return Case(*whens, default=Value(self.now_hours), output_field=IntegerField())


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


def latest_a5_record(triggers: QuerySet):
    """The newest current record of the board's check (A5) among the cases of `triggers`, with who
    recorded it and its step, and `typed_over` (a figure typed over the system's), or None: the
    executive summary says what the board last recorded beside the figures it shows now. One query."""
    record = (
        StepRecord.objects.filter(
            is_current=True,
            step_run__code="A5",
            step_run__chain_run__chain__code=CHAIN_CODE,
            step_run__chain_run__content_type=ContentType.objects.get_for_model(LearningTrigger),
            step_run__chain_run__object_id__in=triggers.values("pk"),
        )
        .select_related("recorded_by", "step_run__chain_run")
        .order_by("-recorded_at", "-pk")
        .first()
    )
    if record is not None:
        record.typed_over = bool(record.values.get(SYSTEM_FIGURES))  # a figure not the system's
    return record


def recorded_too_early(code: str, recorded_at, issued_at) -> bool:
    """A check of what the services did with the learning (AFTER_ISSUE_STEPS) recorded before the
    learning was issued (`issued_at` None: not issued yet): its figures count from the issue."""
    if code not in AFTER_ISSUE_STEPS or recorded_at is None:
        return False
    return issued_at is None or recorded_at < issued_at


def recorded_before_issue(step_run) -> StepFacts | None:
    """For a check of what the services did with the learning (AFTER_ISSUE_STEPS) recorded before it
    was issued, the step's page says so, and to record it again (found: such a record read as final
    to everyone but the person who ticked "Record it now anyway"). None otherwise. One query."""
    if step_run.recorded_at is None or step_run.code not in AFTER_ISSUE_STEPS:
        return None  # nothing to read
    issued_at = (
        LearningTrigger.objects.filter(pk=step_run.chain_run.object_id)
        .values_list("notices_issued_at", flat=True)
        .first()
    )
    if not recorded_too_early(step_run.code, step_run.recorded_at, issued_at):
        return None
    issue = f"issued {on_at(issued_at)}" if issued_at else "not issued yet"
    return StepFacts(
        "Recorded before the learning was issued",
        [
            ("Recorded", on_at(step_run.recorded_at)),
            ("The learning", issue),
            (
                "What to do",
                "Record this check again once the learning is issued: its figures count from then.",
            ),
        ],
    )


def _issued_words(trigger) -> str:
    return f"the learning was issued to the matched services {on_at(trigger.notices_issued_at)}"


def learning_issued(step_run) -> str | None:
    """A1's breach asks for mandatory learning to be issued: once it was, in words, else None."""
    trigger = step_run.chain_run.subject
    return _issued_words(trigger) if getattr(trigger, "notices_issued_at", None) else None


def settle_learning_needed(trigger, *, by, now) -> None:
    """Issuing the learning does what A1's breach asks: its escalations nobody took up are settled."""
    a1 = CASES.step_run(trigger, "A1")
    if a1 is not None:
        settling.settle_done(a1, by=by, now=now, done=_issued_words(trigger))
