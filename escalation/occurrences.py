"""Which check a step run is, in a care manager's words: a step run each shift, day or late shift has
numbered occurrences, which pages call "the 3rd check of 22, night shift of Mon 23 Nov"."""

from datetime import UTC, timedelta

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db.models import Count, prefetch_related_objects

from providers.calendar import LONDON, is_recurring

from .models import StepRun


def which_check(step_run: StepRun, checks: int | None = None) -> str:
    """ "2nd check of 22, night shift of Mon 23 Nov" for a step run each shift (the shift it checks,
    named by the day the shift starts), "3rd check of 6, for Wed 25 Nov" for one run each working day;
    "" for a step done once. Reads how many checks the step has (unless `checks` says, as
    `which_checks` counts them for many) and, for a shift's check, the shifts of the case's service."""
    if not is_recurring(step_run.deadline_rule):
        return ""
    if checks is None:
        checks = StepRun.objects.filter(
            chain_run_id=step_run.chain_run_id, code=step_run.code, region_id=step_run.region_id
        ).count()
    return f"{ordinal(step_run.occurrence)} check of {checks}, {_checked_when(step_run)}"


def which_checks(step_runs) -> dict[int, str]:
    """`which_check` for each of many step runs (the steps a list of escalations is about), by step
    run id, in a fixed number of queries however many there are: the checks of every step counted in
    one, the cases' services and their shifts loaded once. A step done once has no entry."""
    recurring = [step_run for step_run in step_runs if is_recurring(step_run.deadline_rule)]
    if not recurring:
        return {}
    counted = (
        StepRun.objects.filter(
            chain_run_id__in={s.chain_run_id for s in recurring}, code__in={s.code for s in recurring}
        )
        .values_list("chain_run_id", "code", "region_id")
        .annotate(checks=Count("pk"))
        .order_by()
    )
    checks = {(run, code, region): number for run, code, region, number in counted}
    # Those a list loaded with its case and service keep them: only what is missing is fetched.
    prefetch_related_objects(recurring, "chain_run__service__shift_patterns")
    return {s.pk: which_check(s, checks[(s.chain_run_id, s.code, s.region_id)]) for s in recurring}


def _checked_when(step_run: StepRun) -> str:
    """The shift the check is for ("night shift of Mon 23 Nov"), or its day ("for Wed 25 Nov") when
    the step is not a shift's or its shift is no longer among the service's."""
    due = step_run.due_at.astimezone(LONDON)
    rule = step_run.deadline_rule
    service = step_run.chain_run.service
    shifts = service.shifts if service is not None and rule["kind"].startswith("each_shift") else []
    if rule["kind"] == "each_shift":
        # Due N hours into the shift: the shift is the one that started N hours before.
        began = (due.astimezone(UTC) - timedelta(hours=float(rule["within_hours"]))).astimezone(LONDON)
        shift = next((s for s in shifts if s.start == began.time()), None)
        if shift is not None:
            return f"{shift.name} shift of {_day(began.date())}"
    elif rule["kind"] == "each_shift_before":
        shift = next((s for s in shifts if s.name == rule["shift"]), None)
        if shift is not None:
            # A clock time after midnight in a shift crossing it falls on the shift's second day.
            after_midnight = shift.crosses_midnight and due.time() < shift.start
            began = due.date() - timedelta(days=1) if after_midnight else due.date()
            return f"{shift.name} shift of {_day(began)}"
    return f"for {_day(due.date())}"


def _day(day) -> str:
    return f"{day:%a} {day.day} {day:%b}"
