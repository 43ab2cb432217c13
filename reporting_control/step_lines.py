"""What chain C's counting steps show beside their figures: which of the update's lines each count
counts (C1, C4, C5), on C1 what it recorded for the three updates before (its baseline), and on the
sign-off (C5) what the checks it is judged against recorded (C1, C3, C4), so the Provider Director
signs off with them on the page (found: C1 and C4 said "5 lines" and "1 statement" and never which,
and C5 sent the Provider Director to the case to read the others)."""

from escalation.models import StepRecord
from escalation.step_facts import StepFacts
from escalation.values import value_rows
from providers.templatetags.nhsuk import on_at

from . import evidence
from .chain import SIGNED_OFF_AGAINST
from .models import ReportingUpdate

# Lines named in a row at most; more are counted ("and 12 more"), each is on the update's page.
LINES_NAMED = 12


def _update_of(step_run) -> ReportingUpdate | None:
    subject = step_run.chain_run.subject
    return subject if isinstance(subject, ReportingUpdate) else None


def lines_words(lines: list) -> str:
    """ "Line 2, Line 4", "None", or the first LINES_NAMED and how many more."""
    if not lines:
        return "None"
    named = ", ".join(f"Line {line.order}" for line in lines[:LINES_NAMED])
    more = len(lines) - LINES_NAMED
    return f"{named} and {more} more" if more > 0 else named


def lines_behind_facts(step_run) -> StepFacts | None:
    """For each of the step's measures counting the update's lines, which lines it counts now."""
    update = _update_of(step_run)
    if update is None:
        return None
    counted = evidence.counted_lines(evidence.judge_update(update))
    rows = [
        (measure["label"], lines_words(counted[measure["computation"]]))
        for measure in step_run.measures
        if measure.get("computation") in counted
    ]
    return StepFacts("The update's lines behind these figures now", rows) if rows else None


def signed_off_against_facts(step_run) -> StepFacts | None:
    """What the checks the sign-off is judged against recorded: who, when and their figures (two queries)."""
    if _update_of(step_run) is None:
        return None
    records = {
        record.step_run.code: record
        for record in StepRecord.objects.filter(
            step_run__chain_run_id=step_run.chain_run_id,
            step_run__code__in=SIGNED_OFF_AGAINST,
            is_current=True,
        )
        .select_related("step_run", "recorded_by")
        .order_by("recorded_at")
    }
    labels = {}
    for run in step_run.chain_run.step_runs.filter(code__in=SIGNED_OFF_AGAINST).order_by("order", "due_at"):
        labels.setdefault(run.code, run.label)  # "Check every claim has service evidence (C1)"
    rows = []
    for code in SIGNED_OFF_AGAINST:
        record = records.get(code)
        if record is None:
            rows.append((labels.get(code, code), "Not recorded yet"))
            continue
        # Whether it breached, and how it was recorded early, as its own page says (found: a C3 counted
        # early and breached read here as any other record).
        verdict = "threshold reached" if record.breached else "within threshold"
        early = f", recorded {record.recorded_early}" if record.recorded_early else ""
        said = f"Recorded by {record.recorded_by} {on_at(record.recorded_at)}: {verdict}{early}."
        rows.append((record.step_run.label, f"{said} {_figures(record)}."))
    return StepFacts("What the checks it signs off against recorded", rows)


def _figures(record) -> str:
    """A record's figures in one line: "Reporting lines lacking … evidence: 1; …"."""
    return "; ".join(
        f"{row['label']}: {row['value']}{' ' + row['unit'] if row['unit'] else ''}"
        for row in value_rows(record.step_run.measures, record.values)
    )


# C1's check compares the draft "against … the previous three-update baseline".
BASELINE_UPDATES = 3


def previous_updates_facts(step_run) -> StepFacts | None:
    """What C1 recorded for the provider's three updates planned before this one, the baseline its check
    compares with (found: named by the check, shown nowhere). Two queries."""
    update = _update_of(step_run)
    if update is None:
        return None
    earlier = list(
        ReportingUpdate.objects.filter(provider_id=update.provider_id, created_at__lt=update.created_at)
        .exclude(pk=update.pk)
        .order_by("-created_at", "-pk")[:BASELINE_UPDATES]
    )
    heading = "The previous three updates (the baseline C1 compares with)"
    if not earlier:
        return StepFacts(heading, [("Earlier updates", "None: this is the provider's first update")])
    records = {
        record.step_run.chain_run.object_id: record
        for record in StepRecord.objects.filter(
            step_run__chain_run__content_type=step_run.chain_run.content_type_id,
            step_run__chain_run__object_id__in=[u.pk for u in earlier],
            step_run__code=step_run.code,
            is_current=True,
        ).select_related("step_run__chain_run")
    }
    rows = [
        (
            f"{u.reference} {u.title}",
            f"{_figures(records[u.pk])}." if u.pk in records else f"{step_run.code} not recorded",
        )
        for u in earlier
    ]
    return StepFacts(heading, rows)
