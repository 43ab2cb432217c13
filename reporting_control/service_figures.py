"""What the check of the figures behind each claim (C2) rests on, service by service, on its page.

C2 records one percentage across the services the update's lines name ("% of matched services
completing the revised action in time"). Found: the performance analyst, whose job is to check every
figure, saw only that total. Beside it the page now lists each named service's own figure, judged at
this moment, and the services with nothing to judge yet (escalation.step_facts)."""

from django.utils import timezone

from escalation.rules import figure_text
from escalation.step_facts import StepFacts

from . import evidence
from .models import ReportingUpdate


def completing_facts(step_run) -> StepFacts | None:
    """Every matched service behind C2's figure with a notice due by now: the % of its notices whose
    implementation was verified by the notice's due time, the services the update's lines name first
    (found: only those were listed, beside an overall figure that pooled the others too); then the
    named services with none due yet. None for a case not about an update."""
    update = step_run.chain_run.subject
    if not isinstance(update, ReportingUpdate):
        return None
    each = evidence.completing_in_time_each(evidence.evidence_map(update), timezone.now())
    named = sorted(
        {service for line in update.lines.prefetch_related("services") for service in line.services.all()},
        key=lambda service: service.name,
    )
    named_ids = {service.pk for service in named}
    others = sorted((pk for pk in each if pk not in named_ids), key=lambda pk: each[pk][0])
    rows = [(service.name, _in_time(each[service.pk][1])) for service in named if service.pk in each]
    rows += [(f"{each[pk][0]} (matched, named by no line)", _in_time(each[pk][1])) for pk in others]
    waiting = [service.name for service in named if service.pk not in each]
    if waiting:
        rows.append(("Nothing to judge yet", f"{', '.join(waiting)}: no notice due yet, or none issued"))
    if not rows:
        return None
    return StepFacts("Completing the revised action in time, service by service", rows)


def _in_time(pct: float) -> str:
    return f"{figure_text(pct)} % completed the revised action in time"
