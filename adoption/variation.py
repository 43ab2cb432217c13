"""Seed 004 as read models: the same chain B step judged by team, shift and location.

Two questions are answered for every group. On average: do the group's mean figures breach the step's
threshold rule, even while the service's mean figures do not (the weak team an average would hide)?
Now: do the group's latest figures breach it? A group weak now keeps enhanced review open (the
deployment cannot close); a group that breached earlier but whose latest figures are within the rule
has aligned, since the first observation of its current run within the rule.

Every verdict comes from escalation.rules.evaluate_groups, the one evaluator: the whole rule is judged
per group, "all"/"any" included, and this module never looks inside a rule.
"""

import math
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

import pandas as pd
from django.contrib.contenttypes.models import ContentType

from escalation.models import StepRecord, StepTemplate
from escalation.rules import describe_rule, evaluate_groups, evaluate_partial, rule_measures
from providers.calendar import LONDON

from . import chain, computations
from .models import Deployment

# How a weak group is said lives beside; the page, closing and the evidence pack import it from here.
from .weak_words import compared_with_words, weak_group_text, weak_now_groups  # noqa: F401

DIMENSIONS = ("team", "shift", "location")
GROUP_COLUMNS = ["team", "shift", "location", "observed_at"]
TABLE_COLUMNS = [
    "dimension",
    "group",
    "observations",
    "value",
    "latest",
    "latest_at",
    "latest_from",
    "service_average",
    "breached",
    "hidden_by_average",
    "weak_now",
    "aligned_since",
]
NO_THRESHOLD = "No threshold on this measure"


# --- rules and baselines -----------------------------------------------------------------------------


def chain_b_templates() -> dict[str, StepTemplate]:
    """Chain B's step templates by code (their measures name what groups are compared on)."""
    return {t.code: t for t in chain.steps()}


def threshold_rules(deployment, templates: dict[str, StepTemplate] | None = None, step_runs=None) -> dict:
    """Each chain B step's threshold rule for this case, in two queries whatever the number of steps
    (none when the caller passes the templates and the case's step runs it has loaded already).

    The running case's snapshot wins, so a provider's tuning at start time applies; the template's
    rule stands in for a step the case does not have.
    """
    templates = chain_b_templates() if templates is None else templates
    rules = {code: t.threshold_rule for code, t in templates.items()}
    if step_runs is None:
        run = chain.run_for(deployment)
        newest_first = run.step_runs.order_by("-pk").values_list("code", "threshold_rule") if run else []
    else:
        newest_first = [
            (s.code, s.threshold_rule) for s in sorted(step_runs, key=attrgetter("pk"), reverse=True)
        ]
    # Every occurrence of a step carries the same snapshot; the earliest one is taken.
    for code, rule in newest_first:
        rules[code] = rule
    return rules


def baselines(deployment, templates: dict[str, StepTemplate] | None = None) -> dict[str, float]:
    """The deployment's baselines as values every group shares: each group is compared with the
    service's pre-learning figures, as the step form is."""
    return computations.baselines(deployment, templates)


def threshold_text(rule: dict | None, measure: str, measures: list[dict] | None = None) -> str:
    """The step's rule in words when it reads `measure`, else "No threshold on this measure"."""
    if not rule or measure not in rule_measures(rule):
        return NO_THRESHOLD
    return describe_rule(rule, measures)


# --- frames and verdicts -----------------------------------------------------------------------------


class Observed(NamedTuple):
    """One observation as the comparison reads it: its id and step, its group (team, shift and
    location, "" where not named), when it was observed and its figures. A shift's check (B1 each
    shift, B4 the late shift) is read as an observation of that shift: its `source` names it ("the
    night-shift check of Sun 6 Dec") and it has no observation id."""

    pk: int | None
    step_code: str
    team: str
    shift: str
    location: str
    observed_at: datetime
    values: dict
    source: str = ""


# The deployment's pre-learning figure each measure is judged against, where it keeps one.
BASELINE_FIELDS = {
    "record_completion_pct": "baseline_completion_pct",
    "omissions_per_100_administrations": "baseline_omissions_per_100",
    "wound_entries_within_2h_pct": "baseline_wound_care_pct",
    "risk_note_updates_same_shift_pct": "baseline_risk_note_pct",
    "avg_demonstration_pct": "baseline_drill_pct",
}
# How a row says its latest figure came from a team, shift or location observation.
FROM_AN_OBSERVATION = "an observation"
# The deadline rules of the checks made once for a named shift: B1's each shift, B4's the late shift.
SHIFT_CHECK_KINDS = ("each_shift", "each_shift_before")


def _frame(observations: list[Observed], code: str) -> pd.DataFrame:
    """One row per observation of step `code`: its group, when, and one column per measure observed."""
    rows = [
        {
            "team": o.team,
            "shift": o.shift,
            "location": o.location,
            "observed_at": o.observed_at,
            **{name: float(value) for name, value in o.values.items()},
        }
        for o in observations
        if o.step_code == code
    ]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=GROUP_COLUMNS)


def observations_frame(deployment, code: str) -> pd.DataFrame:
    """One row per observation of step `code`: team, shift, location, observed_at and a column per
    measure (empty where the observation did not give it), oldest first; a shift's recorded checks
    count as observations of their shift."""
    observed = observed_rows(deployment, code) + shift_check_rows(deployment, code)
    return _normalised(_frame(observed, code))


def observed_rows(deployment, code: str | None = None) -> list[Observed]:
    """The deployment's observations (of step `code` alone when given), oldest first: only the columns
    the comparison reads, as plain rows (a deployment records observations every shift, and building a
    model instance for each cost more than judging the groups)."""
    observations = deployment.observations.order_by("observed_at", "pk")
    if code is not None:
        observations = observations.filter(step_code=code)
    columns = ("pk", "step_code", "team__name", "shift_name", "location", "observed_at", "values")
    return [
        Observed(pk, step_code, team or "", shift or "", location or "", observed_at, values)
        for pk, step_code, team, shift, location, observed_at, values in observations.values_list(*columns)
    ]


def checked_shift(due_at: datetime, rule: dict, shifts) -> tuple[str, date] | None:
    """The shift a shift's check is for and the day that shift starts, from the check's deadline and
    the service's shifts (as the step's page names it, escalation.occurrences): ("night", Sun 6 Dec)
    for B1's check due 4 hours into the night shift of Sunday. None when no shift of the service
    matches any more (its hours changed since the check was scheduled)."""
    due = due_at.astimezone(LONDON)
    if rule["kind"] == "each_shift":
        # Due N hours into the shift: the shift is the one that started N hours before.
        began = (due.astimezone(UTC) - timedelta(hours=float(rule["within_hours"]))).astimezone(LONDON)
        shift = next((s for s in shifts if s.start == began.time()), None)
        return (shift.name, began.date()) if shift is not None else None
    if rule["kind"] == "each_shift_before":
        shift = next((s for s in shifts if s.name == rule["shift"]), None)
        if shift is not None:
            # A clock time after midnight in a shift crossing it falls on the shift's second day.
            after_midnight = shift.crosses_midnight and due.time() < shift.start
            return shift.name, due.date() - timedelta(days=1) if after_midnight else due.date()
    return None


def shift_check_words(shift: str, day: date) -> str:
    """Which check a figure came from, as a row says it: "the night-shift check of Sun 6 Dec"."""
    return f"the {shift}-shift check of {day:%a} {day.day} {day:%b}"


def shift_check_rows(deployment, code: str | None = None) -> list[Observed]:
    """The deployment's recorded checks of a named shift (of step `code` alone when given) as
    observations of that shift, oldest first, so a shift's check counts in the comparison by shift
    and its figure is never entered twice. Each names its check and is dated in its shift: when it was
    recorded, or its deadline (in the shift) when recorded after it, so a check caught up on days later
    never stands as the shift's latest figure over what was seen of a later shift.

    Two queries however many checks: the current records (with their step's deadline and measures)
    and the service's shifts (none when the deployment's service has them loaded already).
    """
    records = StepRecord.objects.filter(
        is_current=True,
        step_run__chain_run__chain__code=chain.CHAIN_CODE,
        step_run__chain_run__content_type=ContentType.objects.get_for_model(Deployment),
        step_run__chain_run__object_id=deployment.pk,
        step_run__deadline_rule__kind__in=SHIFT_CHECK_KINDS,
    )
    if code is not None:
        records = records.filter(step_run__code=code)
    columns = ("step_run__code", "step_run__due_at", "step_run__deadline_rule", "step_run__measures")
    found = list(records.order_by("recorded_at", "pk").values_list(*columns, "recorded_at", "values"))
    if not found:
        return []
    shifts = deployment.service.shifts
    rows = []
    for step_code, due_at, rule, measures, recorded_at, values in found:
        observed_at = min(recorded_at, due_at)
        checked = checked_shift(due_at, rule, shifts)
        if checked is None:
            continue
        # Only the step's own measures (not the baseline the record keeps beside a figure).
        names = {m["name"] for m in measures}
        figures = {name: value for name, value in values.items() if name in names and value is not None}
        if figures:
            rows.append(
                Observed(
                    None, step_code, "", checked[0], "", observed_at, figures, shift_check_words(*checked)
                )
            )
    return sorted(rows, key=lambda row: row.observed_at)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for dimension in DIMENSIONS:
        if dimension not in frame:
            frame[dimension] = ""
        frame[dimension] = frame[dimension].fillna("")
    if "observed_at" not in frame:
        frame["observed_at"] = None
    # A stable sort keeps the recording order among equal (or unknown) times: the later row is latest.
    return frame.sort_values("observed_at", kind="stable", na_position="first").reset_index(drop=True)


def _measure_columns(frame: pd.DataFrame) -> list[str]:
    return [column for column in frame.columns if column not in GROUP_COLUMNS]


# Groups are judged on plain rows, not in pandas: a deployment has tens to hundreds of observations
# split into a handful of groups, where each small pandas step costs more than the arithmetic itself
# (the deployment page, shown after every observation, spent most of its time there).


def _rows(frame: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """The frame's observations oldest first as plain rows (team, shift, location, observed_at (None
    when unknown) and `values`, the measures given), and the frame's measure columns."""
    frame = _normalised(frame)
    columns = _measure_columns(frame)
    rows = []
    for record in frame.to_dict("records"):
        at = record["observed_at"]
        rows.append(
            {dimension: record[dimension] for dimension in DIMENSIONS}
            | {
                "observed_at": None if at is None or pd.isna(at) else at,
                "values": {c: float(record[c]) for c in columns if pd.notna(record[c])},
            }
        )
    return rows, columns


def _observation_rows(observations: list[Observed], code: str) -> tuple[list[dict], list[str]]:
    """The rows of `_rows` for step `code`, straight from the observations (the same as through
    `_frame`: a stable sort by time, unknown times first)."""
    rows = [
        {
            "team": o.team,
            "shift": o.shift,
            "location": o.location,
            "observed_at": o.observed_at,
            "values": {name: float(value) for name, value in o.values.items()},
            "source": o.source,
        }
        for o in observations
        if o.step_code == code
    ]
    rows.sort(key=lambda row: (row["observed_at"] is not None, row["observed_at"] or 0))
    return rows, sorted({name for row in rows for name in row["values"]})


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _means(rows: list[dict], columns: list[str], fixed: dict) -> dict:
    """Each measure's mean over the rows that give it (a measure nobody gave is left out), with `fixed`."""
    means = {}
    for column in columns:
        given = [row["values"][column] for row in rows if column in row["values"]]
        if given:
            means[column] = _mean(given)
    return means | fixed


def _snapshots(observed: list[dict], fixed: dict) -> list[dict]:
    """The group's latest figures as they stood after each of its observations (oldest first)."""
    latest, snapshots = {}, []
    for row in observed:
        latest.update(row["values"])
        snapshots.append(dict(latest) | fixed)
    return snapshots


def _breached(rule: dict | None, values_by_group: dict) -> dict:
    """{group: breached?} from the one evaluator; nothing is ever breached without a rule."""
    if not rule:
        return dict.fromkeys(values_by_group, False)
    return {group: e.breached for group, e in evaluate_groups(rule, values_by_group).items()}


# Stands in for a value the rule reads that a group's figures do not give (yet).
_NOT_GIVEN = object()


def _breached_after_each(rule: dict, observed: list[dict], fixed: dict, judged: dict[tuple, bool]) -> dict:
    """{position: breached?}: the rule's verdict on the group's latest figures just after each of its
    observations. The verdict depends only on the values the rule reads, so figures alike in those are
    judged once; `judged` keeps the verdicts given so far (by the values read), shared across groups."""
    read = sorted(rule_measures(rule))
    flags = {}
    for position, snapshot in enumerate(_snapshots(observed, fixed)):
        key = tuple(snapshot.get(name, _NOT_GIVEN) for name in read)
        if key not in judged:
            judged[key] = _breached(rule, {"group": snapshot})["group"]
        flags[position] = judged[key]
    return flags


def _groups(rows: list[dict]):
    """(dimension, group name, its rows oldest first) for every team, shift and location named, by name."""
    for dimension in DIMENSIONS:
        named: dict[str, list[dict]] = {}
        for row in rows:
            if row[dimension] != "":
                named.setdefault(row[dimension], []).append(row)
        for group in sorted(named):
            yield dimension, group, named[group]


# --- tables ------------------------------------------------------------------------------------------


def variation_table(
    frame: pd.DataFrame, rule: dict | None, measure: str, *, baselines: dict | None = None
) -> pd.DataFrame:
    """Each team's, shift's and location's mean and latest `measure` beside the service average, and
    the step's rule judged per group.

    frame: columns team, shift, location, observed_at and one per measure (a missing dimension counts
    as not named; without observed_at the row order is taken as time order). `baselines` are values
    every group shares (the deployment's baselines). The rule judges all of a group's figures, so an
    AND rule needs every part breached; a measure the rule does not read is never weak.
    `breached` and `hidden_by_average` judge the group's means: `hidden_by_average` marks a group
    breaching while the service's means do not. `weak_now` judges its latest figures;
    `aligned_since` is when a group that breached earlier came back within the rule and stayed.
    Returns the columns of TABLE_COLUMNS, groups by dimension and name.
    """
    rows, columns = _rows(frame)
    table = _table_rows(rows, columns, rule, [measure], baselines or {})[measure]
    return pd.DataFrame(table, columns=TABLE_COLUMNS)


def _table_rows(rows: list[dict], columns: list[str], rule, measures, fixed: dict) -> dict[str, list]:
    """variation_table's rows for each of one step's `measures`, {measure: rows}.

    A step's groups, their means and their verdicts after each observation judge the whole rule on all
    of a group's figures, whichever measure the table shows, so they are worked out once for all the
    step's measures.
    """
    groups = list(_groups(rows))
    means = {(d, g): _means(observed, columns, fixed) for d, g, observed in groups}
    service_means = _means(rows, columns, fixed)
    verdicts: dict[tuple, dict] = {}  # per group, the rule's verdict after each of its observations
    judged_figures: dict[tuple, bool] = {}  # the rule's verdict on each set of figures it read so far
    tables = {}
    for measure in measures:
        everyone = [row["values"][measure] for row in rows if measure in row["values"]]
        if not everyone:
            tables[measure] = []
            continue
        judged = rule if rule and measure in rule_measures(rule) else None
        given = [
            (d, g, observed) for d, g, observed in groups if any(measure in r["values"] for r in observed)
        ]
        on_average = _breached(judged, {(d, g): means[(d, g)] for d, g, _ in given})
        average_breached = _breached(judged, {"service": service_means})["service"]
        average = _mean(everyone)
        table = []
        for dimension, group, observed in given:
            if judged and (dimension, group) not in verdicts:
                verdicts[(dimension, group)] = _breached_after_each(rule, observed, fixed, judged_figures)
            flags = verdicts[(dimension, group)] if judged else dict.fromkeys(range(len(observed)), False)
            row = _group_row(observed, measure, flags)
            breached = on_average[(dimension, group)]
            row.update(dimension=dimension, group=group, service_average=average, breached=breached)
            row["hidden_by_average"] = breached and not average_breached
            table.append(row)
        tables[measure] = table
    return tables


def _group_row(observed: list[dict], measure: str, flags: dict[int, bool]) -> dict:
    """One group's figures of `measure`; flags says, per observation in order, whether the group's
    latest figures breached the rule just after it."""
    given = [row for row in observed if measure in row["values"]]
    breaches = [flags[i] for i in range(len(observed))]
    weak_now = breaches[-1]
    aligned_since = None
    if not weak_now and any(breaches):
        last_breach = len(breaches) - 1 - breaches[::-1].index(True)
        aligned_since = observed[last_breach + 1]["observed_at"]
    return {
        "observations": len(given),
        "value": _mean([row["values"][measure] for row in given]),
        "latest": given[-1]["values"][measure],
        "latest_at": given[-1]["observed_at"],
        # Which record the latest figure came from: a shift's check or an observation.
        "latest_from": given[-1].get("source") or FROM_AN_OBSERVATION,
        "weak_now": weak_now,
        "aligned_since": aligned_since,
    }


def variation(deployment, code: str, measure: str) -> pd.DataFrame:
    """Per team, shift and location: the measure's mean and latest value, the service average, and the
    groups breaching the step's threshold rule even when the average does not ("never let an average
    hide a weak team")."""
    rule = threshold_rules(deployment).get(code)
    frame = observations_frame(deployment, code)
    return variation_table(frame, rule, measure, baselines=baselines(deployment))


def weak_groups(deployment, code: str) -> list[dict]:
    """The groups whose own mean figures, or latest figures, breach step `code`'s rule while the
    service's mean figures do not: a group weak now is weak whatever its earlier shifts were (found:
    a team's good mean hid today's fall, listed "weak now" on the page and told to nobody).

    Each is {"dimension", "group", "label" (e.g. "team Yew"), "evaluation", "latest"} (`latest`: judged
    on its latest figures, its mean being within the rule); none while the service as a whole breaches
    (the step's own breach escalation covers that).
    """
    templates = chain_b_templates()
    rule = threshold_rules(deployment, templates).get(code)
    observed = observed_rows(deployment, code) + shift_check_rows(deployment, code)
    rows, columns = _observation_rows(observed, code)
    if not rule or not rows:
        return []
    fixed = baselines(deployment, templates)
    if evaluate_partial(rule, _means(rows, columns, fixed)).breached:
        return []
    grouped = list(_groups(rows))
    # The step's measures name each figure in the reason as the step does, not by its stored key.
    measures = templates[code].measures if code in templates else []
    on_average = evaluate_groups(
        rule, {(d, g): _means(obs, columns, fixed) for d, g, obs in grouped}, measures
    )
    now = evaluate_groups(rule, {(d, g): _snapshots(obs, fixed)[-1] for d, g, obs in grouped}, measures)
    weak = []
    for d, g, _ in grouped:
        latest = not on_average[(d, g)].breached
        evaluation = now[(d, g)] if latest else on_average[(d, g)]
        if evaluation.breached:
            weak.append(
                {"dimension": d, "group": g, "label": f"{d} {g}", "evaluation": evaluation, "latest": latest}
            )
    return weak


# --- what the deployment page and closing use --------------------------------------------------------


def variation_sections(
    deployment, templates=None, step_runs=None, observations=None, shift_checks=None
) -> list[dict]:
    """For every step measure observed: its variation table as rows, weak groups and groups weak now.
    A shift's recorded checks count as observations of their shift (`shift_check_rows`).

    A fixed number of queries however many observations and checks there are: pass chain B's
    templates by code, the case's step runs, the deployment's `observed_rows` and its
    `shift_check_rows` when the caller has them already. Observations passed without shift checks are
    judged alone (the figures as they stood at some past time, which today's records would not be).
    """
    if observations is None:
        observations = observed_rows(deployment)
        if shift_checks is None:
            shift_checks = shift_check_rows(deployment)
    observations = observations + (shift_checks or [])
    templates = chain_b_templates() if templates is None else templates
    rules = threshold_rules(deployment, templates, step_runs)
    fixed = baselines(deployment, templates)
    observed = {(o.step_code, name) for o in observations for name in o.values}
    measures_by_code: dict[str, list[str]] = {}
    for code, measure in sorted(observed):
        measures_by_code.setdefault(code, []).append(measure)
    tables = {}
    for code, measures in measures_by_code.items():
        rows, columns = _observation_rows(observations, code)
        for measure, table in _table_rows(rows, columns, rules.get(code), measures, fixed).items():
            tables[(code, measure)] = table
    sections = []
    for code, measure in sorted(observed):
        rows = tables[(code, measure)]
        step_measures = templates[code].measures if code in templates else []
        labels = {m["name"]: m["label"] for m in step_measures}
        baseline_field = BASELINE_FIELDS.get(measure)
        unit = next((m.get("unit") or "" for m in step_measures if m["name"] == measure), "")
        sections.append(
            {
                "code": code,
                "measure": measure,
                "label": labels.get(measure, measure),
                # None where the deployment keeps no pre-learning figure for the measure.
                "baseline": getattr(deployment, baseline_field) if baseline_field else None,
                "threshold": threshold_text(rules.get(code), measure, step_measures),
                # Whether the step's threshold reads the measure: if not, no group is judged on it.
                "judged": measure in rule_measures(rules.get(code) or {}),
                # What a weak group's figure is compared with in words (`weak_group_text`).
                "rule": rules.get(code),
                "unit": unit,
                "rows": rows,
                "weak": [r for r in rows if r["breached"]],
                "weak_now": [r for r in rows if r["weak_now"]],
                "aligned": [r for r in rows if r["aligned_since"] is not None],
            }
        )
    return sections
