"""The computations chain A's measures name (fixtures/chains.json), registered in AppConfig.ready().

Each reads the trigger's picture (services/measures.py), loaded once for all the measures of a step
and narrowed to the step run's region for a step run once per region (A4). A1's figures are counted
when matching runs and kept on the matched services; its computations check they were counted with
the look-back and working days the case gives them.
"""

from escalation.computations import CouldNotCompute, NotFinal, Parameter, PerItem, parameters_of, registry
from providers.templatetags.nhsuk import london

from . import chain
from .models import LearningTrigger
from .services import measures, summary
from .services.verification import in_words

HOURS_IN_A_WEEK = 7 * 24
# A2, A3 and A4 check what the matched services did with the learning: before it is issued their
# figures say nothing about the services (every one "without a lead"), so they wait for it.
NOT_ISSUED = (
    "the learning has not been issued yet, so no matched service has been asked to act on it: "
    "the figures of this check count from its issue"
)


def _trigger(context) -> LearningTrigger:
    subject = context.subject
    if not isinstance(subject, LearningTrigger):
        raise CouldNotCompute("this case is not about a learning trigger")
    return subject


def _receipt_window(context) -> int:
    """A2's receipt window as the case runs it (the step's own snapshot when it is A2's, else the
    case's): every picture of the case judges receipt by it, whichever figure it is loaded for."""
    own = parameters_of(context.step_run.measures, "notices_received_in_window") if context.step_run else {}
    if "window_hours" in own:
        return own["window_hours"]
    trigger = _trigger(context)
    return chain.parameters(trigger.provider, trigger)["receipt_window_hours"]


def _picture(context, receipt_window_hours: int | None = None) -> measures.TriggerPicture:
    """The step's picture of the trigger (its region's, for a step run per region), loaded once."""
    if receipt_window_hours is None:
        receipt_window_hours = context.shared("receipt-window", lambda: _receipt_window(context))

    def load():
        pic = measures.picture(_trigger(context), context.now, receipt_window_hours)
        return measures.for_region(pic, context.region) if context.region is not None else pic

    return context.shared(f"picture-{receipt_window_hours}", load)


def _after_issue(context, figure: int) -> int | NotFinal:
    """A figure of a check on what the services did with the learning, not final before its issue."""
    return NotFinal(figure, NOT_ISSUED) if _trigger(context).notices_issued_at is None else figure


def _included(context) -> measures.TriggerPicture:
    pic = _picture(context)
    if not pic.included:
        raise CouldNotCompute("the trigger has no included matched services")
    return pic


def matched_service_count(context) -> int:
    return len(_picture(context).included)


def _counted_with(used: int | None, wanted: int, words: str) -> None:
    """A1's figures were counted when matching ran: refuse them if counted with another value than the
    case's (matching run again counts them with the case's)."""
    if used is None:
        raise CouldNotCompute("matching has not run for this trigger: run it to count the figures")
    if used != wanted:
        raise CouldNotCompute(
            f"the matched services' figures were counted over {used} {words}, not the case's {wanted}: "
            "run matching again"
        )


def matched_open_actions_due(context, working_days: int) -> int:
    trigger = _trigger(context)
    _counted_with(trigger.open_actions_working_days, working_days, "working days")
    return measures.open_actions_due(_picture(context))


def matched_service_incident_rates(context, days: int) -> dict:
    _counted_with(_trigger(context).rate_days, days, "days")
    return measures.matched_service_rates(_picture(context))


def provider_median_incident_rate(context) -> float:
    median = _picture(context).median
    if median is None:
        raise CouldNotCompute("the provider has no median incident rate (no care hours recorded)")
    return median


def notices_received_in_window(context, window_hours: int) -> float | NotFinal:
    """A2's receipt rate; not final while a notice not yet acknowledged is still inside its window,
    since that service may yet receive it in time (counted as not received until then)."""
    _included(context)
    pic = _picture(context, window_hours)
    pct = measures.pct_received(pic)
    if _trigger(context).notices_issued_at is None:
        return NotFinal(pct, NOT_ISSUED)
    windows = measures.receipt_windows(
        pic, sum(1 for r in measures.receipt_judged(pic) if r.received_in_time)
    )
    closes = windows["receipt_window_closes_at"]
    if closes is None:
        return pct
    return NotFinal(
        pct,
        f"a notice's {window_hours}-hour receipt window is open until {london(closes)}: a service "
        "counted as not receiving its notice may still do so in time",
    )


def sampled_notices_with_owner(context, sample_size: int) -> int | NotFinal:
    return _after_issue(
        context, sum(1 for notice in measures.sample(_picture(context), sample_size) if notice.owner_id)
    )


def sampled_notices_due_in_time(context, sample_size: int, due_within_hours: int) -> int | NotFinal:
    return _after_issue(
        context, measures.due_in_time(measures.sample(_picture(context), sample_size), due_within_hours)
    )


def matched_services_without_lead(context) -> int | NotFinal:
    return _after_issue(context, measures.without_lead(_picture(context)))


def comparable_risk_unresolved(context, age_hours: int) -> int | NotFinal:
    return _after_issue(context, measures.risk_unresolved(_picture(context), age_hours))


def briefings_incomplete(context) -> int | NotFinal:
    return _after_issue(context, measures.briefing_incomplete(_picture(context)))


def briefings_completed_recently(context, window_hours: int) -> int | NotFinal:
    return _after_issue(context, measures.briefings_completed(_picture(context), window_hours))


def local_tasks_due_soon(context, window_hours: int) -> int | NotFinal:
    return _after_issue(context, measures.local_tasks_due(_picture(context), window_hours))


def expected_reduction_by_group(context) -> PerItem:
    """The exposure log's expected reduction of each of the region's risk-level groups; a group none of
    whose services has a figure yet is named with whose log it waits for, so the check can say so and
    refuse a figure typed for it."""
    included = _picture(context).included
    figures = measures.expected_reduction_by_group(included)
    missing = {}
    for group, rows in measures.service_groups(included).items():
        if group not in figures:
            names = [row.match.service.name for row in rows]
            whose = (
                "its registered manager records" if len(names) == 1 else "their registered managers record"
            )
            missing[group] = (
                f"no expected reduction is recorded yet for {in_words(names)}; {whose} it in the exposure log"
            )
    return PerItem(figures, missing)


def from_the_exposure_log(context) -> str:
    """Where A4's figures come from: the matched services' exposure logs, which the check reconciles."""
    return "from the exposure log"


def _a5(context) -> summary.Counted:
    """A5 is reviewed across every trigger of the provider: the executive summary's own counts."""
    return context.shared("a5", lambda: summary.load(_trigger(context).provider, context.now))


def average_confirmation_rate(context) -> float:
    rate = summary.average_confirmation_rate(_a5(context))
    if rate is None:
        raise CouldNotCompute("no learning of the provider is due for implementation yet")
    return rate


def repeated_defects(context, cycles: int) -> int:
    return len(summary.repeated_defects(_a5(context), cycles))


def high_risk_lacking_action(context) -> int | NotFinal:
    """A5's count across the provider's triggers; not final before the check falls due while its own
    learning's high-risk services lack verified action (found: recorded early, it read "0 … within
    threshold" about the very services it was to judge, counted only from its due time)."""
    figure = summary.high_risk_lacking_count(_a5(context))
    if _trigger(context).notices_issued_at is None:
        return NotFinal(figure, NOT_ISSUED)  # its own services count only once it is (tester 18)
    own = summary.own_action_not_yet_due(_trigger(context), context.now)
    if not own:
        return figure
    return NotFinal(
        figure,
        f"{len(own)} high-risk matched {'service' if len(own) == 1 else 'services'} of this learning "
        f"({in_words(own)}) {'lacks' if len(own) == 1 else 'lack'} verified action and "
        f"{'is' if len(own) == 1 else 'are'} counted once this check falls due",
    )


def register_computations() -> None:
    """Register chain A's computations with the engine's one registry."""
    window = Parameter("window_hours", "Receipt window", "hours", 1, HOURS_IN_A_WEEK)
    sample = Parameter("sample_size", "Sample size", "notices", 1, 500)
    for key, function, parameters in [
        ("matched_service_count", matched_service_count, ()),
        (
            "matched_open_actions_due",
            matched_open_actions_due,
            (Parameter("working_days", "Look-ahead for open actions", "working days", 1, 20),),
        ),
        (
            "matched_service_incident_rates",
            matched_service_incident_rates,
            (Parameter("days", "Look-back for incident rates", "days", 1, 90),),
        ),
        ("provider_median_incident_rate", provider_median_incident_rate, ()),
        ("notices_received_in_window", notices_received_in_window, (window,)),
        ("sampled_notices_with_owner", sampled_notices_with_owner, (sample,)),
        (
            "sampled_notices_due_in_time",
            sampled_notices_due_in_time,
            (
                sample,
                Parameter(
                    "due_within_hours",
                    "Time allowed for implementation",
                    "hours",
                    1,
                    2 * HOURS_IN_A_WEEK,
                    effect="New learning notices are issued due within this many hours.",
                ),
            ),
        ),
        ("matched_services_without_lead", matched_services_without_lead, ()),
        (
            "comparable_risk_unresolved",
            comparable_risk_unresolved,
            (Parameter("age_hours", "Minimum age of unresolved risk", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        ("briefings_incomplete", briefings_incomplete, ()),
        (
            "briefings_completed_recently",
            briefings_completed_recently,
            (Parameter("window_hours", "Look-back for completed briefings", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        (
            "local_tasks_due_soon",
            local_tasks_due_soon,
            (Parameter("window_hours", "Look-ahead for tasks due", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        ("average_confirmation_rate", average_confirmation_rate, ()),
        (
            "repeated_defects",
            repeated_defects,
            (Parameter("cycles", "Look-back for repeated defects", "learning cycles", 2, 12),),
        ),
        ("high_risk_lacking_action", high_risk_lacking_action, ()),
    ]:
        registry.register(key, function, parameters=parameters)
    # A4 judges the exposure log's figures: one typed instead would disagree with the trigger's page.
    registry.register(
        "expected_reduction_by_group", expected_reduction_by_group, fixed_by=from_the_exposure_log
    )
