"""Seed 004 as read models: the same chain B measure by team, shift and location.

Two questions are answered for every group. On average: does the group's mean breach the step's
threshold, even while the service average does not (the weak team an average would hide)? Now: does
the group's most recent observation breach it? A group weak now keeps enhanced review open (the
deployment cannot close); a group that breached earlier but whose latest figure is within the threshold
has aligned, since the first observation of its current run within the threshold.

Every comparison goes through `_breach_test`, built on escalation.rules.OPERATORS: one evaluation path
for means, latest values and the service average alike.
"""

from collections.abc import Callable

import pandas as pd

from escalation.models import StepTemplate
from escalation.rules import OP_WORDS, OPERATORS, fmt

from . import chain

DIMENSIONS = ("team", "shift", "location")
FRAME_COLUMNS = ["team", "shift", "location", "observed_at", "value"]
TABLE_COLUMNS = [
    "dimension",
    "group",
    "observations",
    "value",
    "latest",
    "latest_at",
    "service_average",
    "breached",
    "hidden_by_average",
    "weak_now",
    "aligned_since",
]


# --- thresholds --------------------------------------------------------------------------------------


def chain_b_templates() -> dict[str, StepTemplate]:
    """Chain B's step templates by code (their measures name what groups are compared on)."""
    return {t.code: t for t in StepTemplate.objects.filter(chain__code=chain.CHAIN_CODE)}


def threshold_rules(deployment, templates: dict[str, StepTemplate] | None = None) -> dict[str, dict]:
    """Each chain B step's threshold rule for this case, in two queries whatever the number of steps.

    The running case's snapshot wins, so a provider's tuning at start time applies; the template's
    rule stands in for a step the case does not have.
    """
    templates = chain_b_templates() if templates is None else templates
    rules = {code: t.threshold_rule for code, t in templates.items()}
    run = chain.run_for(deployment)
    if run is not None:
        # Every occurrence of a step carries the same snapshot; the earliest one is taken.
        for code, rule in run.step_runs.order_by("-pk").values_list("code", "threshold_rule"):
            rules[code] = rule
    return rules


def threshold_in(rule: dict | None, measure: str) -> dict | None:
    """The comparison of `rule` that tests `measure`, or None when none does.

    Returns {"op", "value", "change_from_baseline": bool}; for a rule of several parts each part is
    tested alone, so a group is judged on the one measure observed.
    """
    for part in _leaves(rule or {}):
        if part.get("measure") == measure and "value" in part:
            return {"op": part["op"], "value": part["value"], "change_from_baseline": False}
        if part.get("change_from_baseline") == measure:
            return {"op": part["op"], "value": part["value"], "change_from_baseline": True}
    return None


def threshold_for(deployment, code: str, measure: str) -> dict | None:
    """The comparison of this case's threshold rule for step `code` that tests `measure`, or None."""
    return threshold_in(threshold_rules(deployment).get(code), measure)


def _leaves(rule: dict) -> list[dict]:
    for combiner in ("all", "any"):
        if combiner in rule:
            return [leaf for part in rule[combiner] for leaf in _leaves(part)]
    return [rule]


def threshold_text(threshold: dict | None) -> str:
    """The comparison in words, e.g. "below 93" or "change from baseline below 5 points"."""
    if threshold is None:
        return "No threshold on this measure"
    words = f"{OP_WORDS[threshold['op']]} {fmt(threshold['value'])}"
    return f"change from baseline {words} points" if threshold["change_from_baseline"] else words


def _offset(deployment, threshold: dict | None) -> float:
    # Only B1's completion has a change-from-baseline rule, and its baseline lives on the deployment.
    if threshold and threshold["change_from_baseline"]:
        return float(deployment.baseline_completion_pct)
    return 0.0


def _breach_test(op: str | None, limit: float | None, offset: float) -> Callable[[float], bool]:
    """The step's condition `value - offset <op> limit` as a test of one number (never true without op)."""
    if op is None:
        return lambda value: False
    compare = OPERATORS[op]
    return lambda value: bool(compare(value - offset, limit))


# --- frames and tables -------------------------------------------------------------------------------


def _frame(observations, code: str, measure: str) -> pd.DataFrame:
    rows = [
        {
            "team": o.team.name if o.team_id else "",
            "shift": o.shift_name,
            "location": o.location,
            "observed_at": o.observed_at,
            "value": float(o.values[measure]),
        }
        for o in observations
        if o.step_code == code and measure in o.values
    ]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def observations_frame(deployment, code: str, measure: str) -> pd.DataFrame:
    """One row per observation of `measure`: team, shift, location, observed_at, value (oldest first)."""
    return _frame(_observations(deployment), code, measure)


def _observations(deployment) -> list:
    return list(deployment.observations.select_related("team", "recorded_by").order_by("observed_at", "pk"))


def variation_table(
    frame: pd.DataFrame, *, op: str | None, limit: float | None, offset: float = 0
) -> pd.DataFrame:
    """Each team's, shift's and location's mean and latest value beside the service average.

    frame: columns team, shift, location, observed_at, value (a missing dimension counts as not named;
    without observed_at the row order is taken as time order). The step's condition is
    `value - offset <op> limit` (offset is the baseline for a change-from-baseline rule).
    `breached` and `hidden_by_average` judge the group's mean: `hidden_by_average` marks a group
    breaching while the service average does not. `weak_now` judges its latest observation;
    `aligned_since` is when a group that breached earlier came back within the threshold and stayed.
    Returns the columns of TABLE_COLUMNS, groups by dimension and name.
    """
    frame = _normalised(frame)
    if frame.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    breaches = _breach_test(op, limit, offset)
    frame = frame.assign(breach=[breaches(v) for v in frame["value"]])
    average = float(frame["value"].mean())
    average_breached = breaches(average)
    rows = []
    for dimension in DIMENSIONS:
        named = frame[frame[dimension] != ""]
        for group, observed in named.groupby(dimension, sort=True):
            row = _group_row(observed, breaches)
            row.update(dimension=dimension, group=group, service_average=average)
            row["hidden_by_average"] = row["breached"] and not average_breached
            rows.append(row)
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


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


def _group_row(observed: pd.DataFrame, breaches: Callable[[float], bool]) -> dict:
    """One group's figures: observed is its observations, oldest first, with a `breach` column."""
    latest = observed.iloc[-1]
    flags = list(observed["breach"])
    weak_now = bool(flags[-1])
    aligned_since = None
    if not weak_now and any(flags):
        last_breach = len(flags) - 1 - flags[::-1].index(True)
        aligned_since = observed["observed_at"].iloc[last_breach + 1]
    mean = float(observed["value"].mean())
    return {
        "observations": len(observed),
        "value": mean,
        "latest": float(latest["value"]),
        "latest_at": latest["observed_at"],
        "breached": breaches(mean),
        "weak_now": weak_now,
        "aligned_since": aligned_since,
    }


def variation(deployment, code: str, measure: str) -> pd.DataFrame:
    """Per team, shift and location: the measure's mean and latest value, the service average, and the
    groups breaching the step's threshold even when the average does not ("never let an average hide
    a weak team")."""
    threshold = threshold_for(deployment, code, measure)
    return _table(deployment, observations_frame(deployment, code, measure), threshold)


def _table(deployment, frame: pd.DataFrame, threshold: dict | None) -> pd.DataFrame:
    if threshold is None:
        return variation_table(frame, op=None, limit=None)
    return variation_table(
        frame, op=threshold["op"], limit=threshold["value"], offset=_offset(deployment, threshold)
    )


def _records(table: pd.DataFrame) -> list[dict]:
    # pandas turns a missing time into NaT, which is truthy: templates and messages need None.
    return [
        {key: None if value is pd.NaT else value for key, value in row.items()}
        for row in table.to_dict("records")
    ]


# --- what the deployment page and closing use --------------------------------------------------------


def variation_sections(deployment, observations=None, templates=None) -> list[dict]:
    """For every step measure observed: its variation table as rows, weak groups and groups weak now.

    A fixed number of queries however many observations there are: pass the deployment's observations
    (oldest first, team loaded) and chain B's templates when the caller has them already.
    """
    observations = _observations(deployment) if observations is None else observations
    templates = chain_b_templates() if templates is None else templates
    rules = threshold_rules(deployment, templates)
    sections = []
    observed = {(o.step_code, name) for o in observations for name in o.values}
    for code, measure in sorted(observed):
        threshold = threshold_in(rules.get(code), measure)
        rows = _records(_table(deployment, _frame(observations, code, measure), threshold))
        labels = {m["name"]: m["label"] for m in templates[code].measures} if code in templates else {}
        sections.append(
            {
                "code": code,
                "measure": measure,
                "label": labels.get(measure, measure),
                "threshold": threshold_text(threshold),
                "rows": rows,
                "weak": [r for r in rows if r["breached"]],
                "weak_now": [r for r in rows if r["weak_now"]],
                "aligned": [r for r in rows if r["aligned_since"] is not None],
            }
        )
    return sections


def weak_now_groups(sections: list[dict]) -> list[dict]:
    """Every group whose latest observation breaches its step's threshold, with what to say about it."""
    return [
        {
            "code": section["code"],
            "measure": section["measure"],
            "label": section["label"],
            "threshold": section["threshold"],
            **row,
        }
        for section in sections
        for row in section["weak_now"]
    ]


def weak_group_text(group: dict) -> str:
    """One weak group in words, e.g. "team Yew: B2 Risk-note updates (%) latest 88 (threshold: below 93)"."""
    return (
        f"{group['dimension']} {group['group']}: {group['code']} {group['label']} latest "
        f"{fmt(group['latest'])} (threshold: {group['threshold']})"
    )
