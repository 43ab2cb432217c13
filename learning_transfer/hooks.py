"""What chain A adds to the engine's recording of its steps (escalation.chain_hooks)."""

from django.core.exceptions import ValidationError

from escalation.measures import error_words

from .models import LearningNotice, LearningTrigger
from .services.measures import left_out_above_median


def _matched(trigger: LearningTrigger) -> tuple[int, str]:
    count = trigger.matches.filter(included=True).count()
    return count, f"the learning's {count} matched {'service' if count == 1 else 'services'}"


def _sampled(trigger: LearningTrigger) -> tuple[int, str]:
    """The notices A2's sample is drawn from (its size caps it too: `measures.value_range`)."""
    count = LearningNotice.objects.filter(
        matched_service__trigger=trigger, matched_service__included=True, superseded_at__isnull=True
    ).count()
    return count, f"the {count} {'notice' if count == 1 else 'notices'} issued to sample"


# Counts no larger than what they count: A2's of the notices sampled, A3's of the matched services.
COUNT_LIMITS = {
    "A2": (("sampled_with_named_owner", "sampled_due_within_72h"), _sampled),
    "A3": (("services_without_lead", "comparable_risk_unresolved_24h", "briefing_incomplete"), _matched),
}


def refuse_impossible_counts(record) -> None:
    """Refuse a record counting more than there is: more matched services than the learning has (A3;
    found: 7 "without a lead" of 3, typed over the system's figure with a reason, mailed the Provider
    Director to launch an intervention), more sampled notices than were issued (A2; found: 10 of 6).
    Called inside the recording's transaction: refusing keeps nothing of the record, and the step page
    shows the message on the figure's field with what was typed."""
    names, limit_of = COUNT_LIMITS.get(record.step_run.code, ((), None))
    trigger = record.step_run.chain_run.subject
    if not names or not isinstance(trigger, LearningTrigger):
        return
    limit, what = limit_of(trigger)
    problems = {}
    for measure in record.step_run.measures:
        value = record.values.get(measure["name"])
        if measure["name"] in names and isinstance(value, int) and value > limit:
            named, _ = error_words(measure)
            problems[measure["name"]] = f"{named} cannot be more than {what}: {value} was entered."
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
