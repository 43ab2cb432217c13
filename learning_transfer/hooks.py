"""What chain A adds to the engine's recording of its steps (escalation.chain_hooks)."""

from django.core.exceptions import ValidationError

from escalation.measures import error_words

from .models import LearningTrigger
from .services.measures import left_out_above_median

# A3's figures count the learning's matched services: none can be more than their number.
COUNTS_OF_MATCHED_SERVICES = {
    "A3": ("services_without_lead", "comparable_risk_unresolved_24h", "briefing_incomplete")
}


def refuse_more_than_matched(record) -> None:
    """Refuse an A3 record counting more matched services than the learning has (found: 7 "without a
    lead" of 3, typed over the system's figure with a reason, mailed the Provider Director to launch an
    intervention). Called inside the recording's transaction: refusing keeps nothing of the record,
    and the step page shows the message on the figure's field with what was typed."""
    names = COUNTS_OF_MATCHED_SERVICES.get(record.step_run.code)
    trigger = record.step_run.chain_run.subject
    if not names or not isinstance(trigger, LearningTrigger):
        return
    matched = trigger.matches.filter(included=True).count()
    problems = {}
    for measure in record.step_run.measures:
        value = record.values.get(measure["name"])
        if measure["name"] in names and isinstance(value, int) and value > matched:
            named, _ = error_words(measure)
            problems[measure["name"]] = (
                f"{named} cannot be more than the learning's {matched} matched "
                f"{'service' if matched == 1 else 'services'}: {value} was entered."
            )
    if problems:
        raise ValidationError(problems)


def name_services_left_out_above_the_median(record) -> None:
    """A1's record says which services above the provider median were left out by hand, as the
    trigger's page does beside the decision (found: the record named the services left in, "none above
    the median", never the one whose leaving out made it so)."""
    trigger = record.step_run.chain_run.subject
    if record.step_run.code != "A1" or not isinstance(trigger, LearningTrigger):
        return
    left_out = trigger.matches.filter(included=False, above_median=True).select_related("service")
    median = None if trigger.provider_median_rate is None else float(trigger.provider_median_rate)
    words = left_out_above_median(list(left_out), median)
    if words:
        record.explanation = f"{record.explanation}; {words}" if record.explanation else words
        record.save(update_fields=["explanation"])
