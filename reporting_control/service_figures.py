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
    """Each service the update's lines name: the % of its notices due by now whose implementation was
    verified by the notice's due time; the rest have none due yet. None for a case not about an update."""
    update = step_run.chain_run.subject
    if not isinstance(update, ReportingUpdate):
        return None
    now = timezone.now()
    figures = evidence.completing_in_time_by_service(update, evidence.evidence_map(update), now)
    named = sorted(
        {service for line in update.lines.prefetch_related("services") for service in line.services.all()},
        key=lambda service: service.name,
    )
    rows = [
        (service.name, f"{figure_text(figures[service])} % completed the revised action in time")
        for service in named
        if service in figures
    ]
    waiting = [service.name for service in named if service not in figures]
    if waiting:
        rows.append(("Nothing to judge yet", f"{', '.join(waiting)}: no notice due yet, or none issued"))
    if not rows:
        return None
    return StepFacts("Completing the revised action in time, service by service", rows)
