"""The computations chain C's measures name (fixtures/chains.json), registered in AppConfig.ready().

C1, C4 and C5 count the update's lines by their evidence verdicts; C2 and C3 read the matched services'
records. The verdicts and the evidence map are loaded once for all the measures of a step.
"""

from django.utils import timezone

from escalation.computations import Context, CouldNotCompute, NotFinal, Parameter, registry

from . import evidence, figures
from .chain import FIGURES_STEP, SIGN_OFF_STEP
from .models import ReportingUpdate

DAYS_IN_A_YEAR = 366
# C2 judges this figure for the matched services together and, when it breaches, for each named one.
COMPLETING_IN_TIME = "matched_services_completing_in_time"


def _update(context) -> ReportingUpdate:
    subject = context.subject
    if not isinstance(subject, ReportingUpdate):
        raise CouldNotCompute("this case is not about a reporting update")
    return subject


def _verdicts(context) -> dict:
    return context.shared("verdicts", lambda: evidence.judge_update(_update(context)))


def _evidence(context) -> evidence.EvidenceMap:
    return context.shared("evidence", lambda: evidence.evidence_map(_update(context)))


def _matched_service_ids(context) -> list:
    evidence_map = _evidence(context)
    if not evidence_map.by_service:
        raise CouldNotCompute("the update's linked triggers have no included matched services")
    return list(evidence_map.by_service)


def _line_count(figures_of, key: str):
    """A computation counting the update's lines, read from one of evidence.py's figure sets."""
    return lambda context: figures_of(_verdicts(context))[key]


# Made once, so registering again (a second ready()) registers the very same functions.
LINE_COUNTS = {
    key: _line_count(figures_of, key)
    for figures_of, key in [
        (evidence.c1_measures, "provider_wide_lines"),
        (evidence.c1_measures, "lines_lacking_service_evidence"),
        (evidence.c1_measures, "open_risk_lines_without_data"),
        (evidence.c4_measures, "notice_only_statements"),
        (evidence.c4_measures, "contradicted_provider_wide_claims"),
        (evidence.c4_measures, "deferred_sections"),
        (evidence.c5_measures, "challenge_cleared_lines"),
        (evidence.c5_measures, "residual_evidence_defects"),
    ]
}


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def line_count_problems(step_run, values: dict, now) -> dict[str, str]:
    """{measure name: message} for each count of the update's lines that `values` records impossibly.

    A person's challenge (C1, C4) may count more than the system finds, but never more lines than the
    update has. The sign-off (C5) signs the lines off as they stand, so its counts are the system's and
    are never typed over: to change one, a person decides the lines themselves. Where a count is held
    is read from its registration (`held_on`), as the form reads it, so the two never disagree."""
    counted = [m for m in step_run.measures if m.get("computation") in LINE_COUNTS]
    if not counted or not isinstance(step_run.chain_run.subject, ReportingUpdate):
        return {}
    context = Context.of(step_run, now)
    total = len(_verdicts(context))
    problems = {}
    for measure in counted:
        name, value = measure["name"], values.get(measure["name"])
        if value is None:
            continue
        if registry.get(measure["computation"]).held_at(step_run.code):
            shown = LINE_COUNTS[measure["computation"]](context)
            if value != shown:
                problems[name] = (
                    f"The update's lines show {shown} (of its {_lines(total)}): the system counts this "
                    f"figure, so it cannot be typed over. Enter {shown}, or decide the lines on the "
                    "update's page first."
                )
        elif value > total:
            problems[name] = (
                f"{measure['label']} cannot be more than the update's {_lines(total)} ({value} entered)."
            )
    return problems


def _for_its_day(context, figure: float) -> float | NotFinal:
    """C2 is checked each preparation day, each check for its own day: recorded before that day, its
    figures are an earlier day's (found: the check "for Fri 11 Dec" recorded on Mon 7 Dec with that
    day's figures, counted as Friday's)."""
    step = context.step_run
    if step is None or step.code != FIGURES_STEP:
        return figure
    day = timezone.localtime(step.due_at).date()
    if timezone.localtime(context.now).date() >= day:
        return figure
    return NotFinal(
        figure,
        f"this check is for {day:%a} {day.day} {day:%b}: figures recorded before that day are not that day's",
    )


def matched_services_completing_in_time(context) -> float | NotFinal:
    _matched_service_ids(context)
    percentage = evidence.completing_in_time(_evidence(context), context.now)
    if percentage is None:
        raise CouldNotCompute(
            "no matched service's learning notice has fallen due yet, and none has verified implementation"
        )
    return _for_its_day(context, percentage)


def matched_incident_rate(context, days: int) -> float | NotFinal:
    rate = figures.matched_rate(_matched_service_ids(context), context.now, days)
    if rate is None:
        raise CouldNotCompute(f"the matched services have no care hours recorded in the previous {days} days")
    return _for_its_day(context, rate)


def matched_safeguarding_alerts(context, days: int) -> int:
    return figures.safeguarding_alerts(_matched_service_ids(context), context.now, days)


def register_computations() -> None:
    """Register chain C's computations with the engine's one registry."""
    look_back = Parameter("days", "Look-back", "days", 1, DAYS_IN_A_YEAR)
    for key, function in LINE_COUNTS.items():
        # The sign-off's counts are held to the lines (line_count_problems): its form asks no reason.
        registry.register(key, function, held_on=(SIGN_OFF_STEP,))
    registry.register(COMPLETING_IN_TIME, matched_services_completing_in_time)
    registry.register("matched_incident_rate", matched_incident_rate, parameters=[look_back])
    registry.register("matched_safeguarding_alerts", matched_safeguarding_alerts, parameters=[look_back])
