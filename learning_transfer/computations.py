"""The computations chain A's measures name (fixtures/chains.json), registered in AppConfig.ready().

Each reads the trigger's picture (services/measures.py), loaded once for all the measures of a step
and narrowed to the step run's region for a step run once per region (A4).
"""

from escalation.computations import CouldNotCompute, Parameter, parameters_of, registry

from . import chain
from .models import LearningTrigger
from .services import measures, summary
from .services.notices import IMPLEMENTATION_DUE_HOURS, RECEIPT_WINDOW_HOURS

HOURS_IN_A_WEEK = 7 * 24


def _trigger(context) -> LearningTrigger:
    subject = context.subject
    if not isinstance(subject, LearningTrigger):
        raise CouldNotCompute("this case is not about a learning trigger")
    return subject


def _picture(context, receipt_window_hours: int = RECEIPT_WINDOW_HOURS) -> measures.TriggerPicture:
    """The step's picture of the trigger (its region's, for a step run per region), loaded once."""

    def load():
        pic = measures.picture(_trigger(context), context.now, receipt_window_hours)
        return measures.for_region(pic, context.region) if context.region is not None else pic

    return context.shared(f"picture-{receipt_window_hours}", load)


def _included(context) -> measures.TriggerPicture:
    pic = _picture(context)
    if not pic.included:
        raise CouldNotCompute("the trigger has no included matched services")
    return pic


def matched_service_count(context) -> int:
    return len(_picture(context).included)


def matched_open_actions_due(context) -> int:
    return measures.open_actions_due(_picture(context))


def matched_service_incident_rates(context) -> dict:
    return measures.matched_service_rates(_picture(context))


def provider_median_incident_rate(context) -> float:
    median = _picture(context).median
    if median is None:
        raise CouldNotCompute("the provider has no median incident rate (no care hours recorded)")
    return median


def notices_received_in_window(context, window_hours: int) -> float:
    _included(context)
    return measures.distribution(_picture(context, window_hours))["pct_received"]


def sampled_notices_with_owner(context, sample_size: int) -> int:
    return measures.distribution(_picture(context), sample_size=sample_size)["sampled_with_owner"]


def sampled_notices_due_in_time(context, sample_size: int, due_within_hours: int) -> int:
    figures = measures.distribution(
        _picture(context), sample_size=sample_size, due_within_hours=due_within_hours
    )
    return figures["sampled_due_in_time"]


def matched_services_without_lead(context) -> int:
    return measures.exposure(_picture(context))["without_lead"]


def comparable_risk_unresolved(context, age_hours: int) -> int:
    return measures.risk_unresolved(_picture(context), age_hours)


def briefings_incomplete(context) -> int:
    return measures.exposure(_picture(context))["briefing_incomplete"]


def briefings_completed_recently(context, window_hours: int) -> int:
    return measures.briefings_completed(_picture(context), window_hours)


def local_tasks_due_soon(context, window_hours: int) -> int:
    return measures.local_tasks_due(_picture(context), window_hours)


def expected_reduction_by_group(context) -> dict:
    """Groups without a figure yet are left out (an empty mapping when none has one)."""
    return measures.expected_reduction_by_group(_picture(context).included)


def _a5(context) -> dict:
    """A5 is reviewed across every trigger of the provider: the executive summary's own figures."""
    return context.shared("a5", lambda: summary.a5_values(_trigger(context).provider, context.now))


def average_confirmation_rate(context) -> float:
    rate = _a5(context)["average_confirmation_rate"]
    if rate is None:
        raise CouldNotCompute("no trigger of the provider has learning issued yet")
    return rate


def repeated_defects(context) -> int:
    return _a5(context)["repeated_defects"]


def high_risk_lacking_action(context) -> int:
    return _a5(context)["high_risk_lacking_action"]


def windows(trigger: LearningTrigger) -> dict:
    """The windows and sample size the trigger's case runs with (its steps' snapshotted parameters, so
    a provider's tuning shows), else the seed's: what the trigger's page counts and says."""
    run = chain.run_for(trigger)
    snapshot = (
        [m for measures in run.step_runs.values_list("measures", flat=True) for m in measures] if run else []
    )

    def parameter(key: str, name: str, default: int) -> int:
        return parameters_of(snapshot, key).get(name, default)

    return {
        "receipt_window_hours": parameter("notices_received_in_window", "window_hours", RECEIPT_WINDOW_HOURS),
        "sample_size": parameter("sampled_notices_due_in_time", "sample_size", measures.NOTICE_SAMPLE_SIZE),
        "due_within_hours": parameter(
            "sampled_notices_due_in_time", "due_within_hours", IMPLEMENTATION_DUE_HOURS
        ),
        "risk_age_hours": parameter("comparable_risk_unresolved", "age_hours", measures.RISK_AGE_HOURS),
        "task_window_hours": parameter("local_tasks_due_soon", "window_hours", measures.TASK_WINDOW_HOURS),
    }


def register_computations() -> None:
    """Register chain A's computations with the engine's one registry."""
    window = Parameter("window_hours", "Receipt window", "hours", 1, HOURS_IN_A_WEEK)
    sample = Parameter("sample_size", "Sample size", "notices", 1, 500)
    for key, function, parameters in [
        ("matched_service_count", matched_service_count, ()),
        ("matched_open_actions_due", matched_open_actions_due, ()),
        ("matched_service_incident_rates", matched_service_incident_rates, ()),
        ("provider_median_incident_rate", provider_median_incident_rate, ()),
        ("notices_received_in_window", notices_received_in_window, (window,)),
        ("sampled_notices_with_owner", sampled_notices_with_owner, (sample,)),
        (
            "sampled_notices_due_in_time",
            sampled_notices_due_in_time,
            (
                sample,
                Parameter("due_within_hours", "Implementation due within", "hours", 1, 2 * HOURS_IN_A_WEEK),
            ),
        ),
        ("matched_services_without_lead", matched_services_without_lead, ()),
        (
            "comparable_risk_unresolved",
            comparable_risk_unresolved,
            (Parameter("age_hours", "Unresolved for more than", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        ("briefings_incomplete", briefings_incomplete, ()),
        (
            "briefings_completed_recently",
            briefings_completed_recently,
            (Parameter("window_hours", "Briefings completed in the previous", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        (
            "local_tasks_due_soon",
            local_tasks_due_soon,
            (Parameter("window_hours", "Tasks due in the next", "hours", 1, HOURS_IN_A_WEEK),),
        ),
        ("expected_reduction_by_group", expected_reduction_by_group, ()),
        ("average_confirmation_rate", average_confirmation_rate, ()),
        ("repeated_defects", repeated_defects, ()),
        ("high_risk_lacking_action", high_risk_lacking_action, ()),
    ]:
        registry.register(key, function, parameters=parameters)
