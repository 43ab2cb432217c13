"""What live practice showed at a service when an update was released: the pack's answer to "is the
learning it counts as evidenced really in use there?".

A verified implementation is what chain C counts as evidence; the adoption checks of chain B are what
show the learning in live practice. A pack says, for every service it counts as evidenced, whether the
learning was live there and since when, how many adoption checks had fallen due and how many were
recorded, how many breached their threshold, and which teams, shifts or locations were weak, all as the
records stood at one moment (the release, or the moment a pack of an unreleased update is built). The
result is plain words and numbers, so it can be kept in the released content.

Everything is read in a fixed number of queries for all the services at once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from adoption import chain as adoption_chain
from adoption.models import AdoptionObservation, Deployment
from adoption.variation import (
    Observed,
    chain_b_templates,
    variation_sections,
    weak_group_text,
    weak_now_groups,
)
from escalation.models import StepRecord, StepRun
from escalation.templatetags.steps import step_words
from providers.templatetags.nhsuk import london

# The most checks missed that a pack lists by name; the rest are counted ("and 3 more").
MISSED_NAMED = 3


@dataclass
class LivePractice:
    """One verified service's live practice at a moment, as numbers and dates (`words` says them)."""

    service: str
    verified_at: datetime
    deployed_at: datetime | None = None
    due: int = 0
    recorded: int = 0  # of the checks due, how many had a record
    recorded_early: int = 0  # checks recorded before they fell due
    breached: int = 0
    missed: list = field(default_factory=list)  # step runs due and not recorded, soonest first
    observed: int = 0  # team, shift or location figures recorded by then
    weak: list = field(default_factory=list)  # words for each group weak then


def moment_words(released: bool) -> str:
    """ "when this update was released", or for a pack of an update not released yet, "when this pack
    was built"."""
    return "when this update was released" if released else "when this pack was built"


def live_practice(matches, at: datetime) -> dict[int, LivePractice]:
    """{matched service id: LivePractice at `at`} for these verified matched services (their service and
    trigger loaded). Five queries however many: deployments, chain B's step runs, their records, the
    observations' history, and chain B's templates (read once a request)."""
    matches = [m for m in matches if m.implementation_confirmed_at]
    found = {
        m.pk: LivePractice(service=m.service.name, verified_at=m.implementation_confirmed_at) for m in matches
    }
    if not found:
        return {}
    deployments = {
        d.matched_service_id: d
        for d in Deployment.objects.filter(matched_service_id__in=found, deployed_at__lte=at).select_related(
            "service"
        )
    }
    if not deployments:
        return found
    by_id = {d.pk: d for d in deployments.values()}
    steps = _step_runs(by_id, at)
    records = _records_at(steps, at)
    observations = _observations_at(by_id, at)
    templates = chain_b_templates()
    for match_id, deployment in deployments.items():
        practice = found[match_id]
        practice.deployed_at = deployment.deployed_at
        _count_checks(practice, steps.get(deployment.pk, []), records, at)
        seen = observations.get(deployment.pk, [])
        practice.observed = len(seen)
        if seen:
            sections = variation_sections(deployment, templates, steps.get(deployment.pk, []), seen)
            practice.weak = [weak_group_text(group) for group in weak_now_groups(sections)]
    return found


def _step_runs(deployments: dict, at: datetime) -> dict[int, list]:
    """{deployment id: its chain B step runs}, soonest first, leaving out those its case closed before
    they fell due (they were never going to be done)."""
    runs = (
        StepRun.objects.filter(
            chain_run__chain__code=adoption_chain.CHAIN_CODE,
            chain_run__content_type=ContentType.objects.get_for_model(Deployment),
            chain_run__object_id__in=deployments,
        )
        .exclude(Q(chain_run__closed_at__isnull=False) & Q(chain_run__closed_at__lt=at) & Q(due_at__gt=at))
        .select_related("chain_run")
        .order_by("due_at", "order", "pk")
    )
    grouped = defaultdict(list)
    for run in runs:
        grouped[run.chain_run.object_id].append(run)
    return grouped


def _records_at(steps: dict, at: datetime) -> dict[int, bool]:
    """{step run id: whether the record in force at `at` breached its threshold}, for the step runs with
    a record made by then (a later record superseding it is not read: it was not there yet)."""
    ids = [run.pk for runs in steps.values() for run in runs]
    in_force = {}
    made = StepRecord.objects.filter(step_run_id__in=ids, recorded_at__lte=at).order_by("recorded_at", "pk")
    for step_run_id, breached in made.values_list("step_run_id", "breached"):
        in_force[step_run_id] = breached  # the latest made by then wins
    return in_force


def _observations_at(deployments: dict, at: datetime) -> dict[int, list[Observed]]:
    """{deployment id: its team, shift and location figures as they stood at `at`}, from their history:
    figures recorded later, and corrections made later, are left out; one removed by then is gone."""
    history = (
        AdoptionObservation.history.filter(deployment_id__in=deployments, history_date__lte=at)
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "history_type",
            "deployment_id",
            "step_code",
            "team__name",
            "shift_name",
            "location",
            "observed_at",
            "values",
        )
    )
    latest = {}
    for row in history:
        latest[row[0]] = row
    grouped = defaultdict(list)
    for pk, kind, deployment_id, code, team, shift, location, observed_at, values in latest.values():
        if kind != "-" and observed_at <= at:
            grouped[deployment_id].append(
                Observed(pk, code, team or "", shift or "", location or "", observed_at, values)
            )
    for rows in grouped.values():
        rows.sort(key=lambda o: (o.observed_at, o.pk))
    return grouped


def _count_checks(practice: LivePractice, runs: list, records: dict, at: datetime) -> None:
    """Count the checks fallen due by `at`, recorded, recorded early and breached."""
    for run in runs:
        recorded = run.pk in records
        if run.due_at <= at:
            practice.due += 1
            practice.recorded += recorded
            if not recorded:
                practice.missed.append(run)
        elif recorded:
            practice.recorded_early += 1
        if recorded and records[run.pk]:
            practice.breached += 1


def _checks(count: int) -> str:
    return f"{count} adoption check{'s' * (count != 1)}"


def _missed_words(missed: list) -> str:
    """ "Check clinical records follow the change (B2), due Fri 4 Dec 2026, 14:16; …" for the first few,
    then how many more (semicolons: the dates hold commas)."""
    named = [f"{step_words(run)} ({run.code}), due {london(run.due_at)}" for run in missed[:MISSED_NAMED]]
    more = len(missed) - MISSED_NAMED
    if more > 0:
        named.append(f"and {more} more")
    return "; ".join(named)


def words(practice: LivePractice, released: bool, label: str = "") -> dict:
    """The practice as the pack says it: {"service", "sentences", "short"}, `label` naming the service
    (default its name). "short" is the one line a reporting line's evidence repeats for the service."""
    name = label or practice.service
    when = moment_words(released)
    sentences, short = [], []
    if practice.deployed_at is None:
        # Told beside "Verified", which a reader would otherwise take for the change in use on every shift.
        sentences.append(
            f"The learning was not live at {name} {when}: its implementation was verified, but no go-live "
            "had been recorded there, so no check of live practice on the shifts backs it yet."
        )
        short.append("verified, but not live: no go-live recorded")
    else:
        live_since = london(practice.deployed_at)
        sentences.append(f"The learning had been live at {name} since {live_since}.")
        short.append(f"live since {live_since}")
        if practice.verified_at < practice.deployed_at:
            sentences.append(
                f"Its implementation was verified on {london(practice.verified_at)}, before the learning "
                f"went live on {live_since}."
            )
            short.append(f"verified before the learning went live on {live_since}")
    recorded_any = practice.recorded or practice.recorded_early
    if not recorded_any:
        sentences.append(f"No check of live practice had been recorded at {name} {when}.")
    if practice.due:
        sentences.append(_due_sentence(practice))
        if practice.recorded < practice.due:
            sentences.append(f"Not recorded: {_missed_words(practice.missed)}.")
        short.append(f"{practice.recorded} of {_checks(practice.due)} due recorded")
    elif practice.deployed_at is not None:
        early = f"; {practice.recorded_early} recorded early" if practice.recorded_early else ""
        sentences.append(f"No adoption check had fallen due by then{early}.")
        short.append("no adoption check due yet")
    if recorded_any:
        breached = f"{practice.breached} breached {'its' if practice.breached == 1 else 'their'} threshold"
        sentences.append(f"Of the checks recorded, {breached}.")
        short.append(breached)
    if practice.weak:
        sentences.append(f"Weak then: {'; '.join(practice.weak)}.")
        short.append(f"{len(practice.weak)} team, shift or location weak")
    elif practice.observed:
        sentences.append("No team, shift or location was weak then.")
    elif practice.deployed_at is not None:
        sentences.append("No team, shift or location figures had been recorded by then.")
    at = "at release" if released else "when this pack was built"
    return {
        "service": name,
        "sentences": sentences,
        "short": f"{name} {at}: " + "; ".join(short) + ".",
        # What page 1 repeats beside its count of evidenced lines: the learning not live, or no check.
        "warnings": [s for s in sentences if s.startswith(("The learning was not live", "No check"))],
    }


def _due_sentence(practice: LivePractice) -> str:
    """ "2 adoption checks had fallen due by then and 1 was recorded (1 more recorded before falling
    due)."."""
    recorded = {0: "none was", 1: "1 was"}.get(practice.recorded, f"{practice.recorded} were")
    said = f"{_checks(practice.due)} had fallen due by then and {recorded} recorded"
    if practice.recorded_early:
        said += f" ({practice.recorded_early} more recorded before falling due)"
    return said + "."
