"""What the complaints and safeguarding check (C3) asks the Resident Experience Lead to count, said on its
page: the failure themes of the update's learning, its matched services, and the 30 days counted back
from now. The seed's measures name "the transferred failure theme" and "matched services"; without
them on the page the person cannot tell which complaints to count (escalation.step_facts)."""

from datetime import timedelta

from django.utils import timezone

from escalation.step_facts import StepFacts
from learning_transfer.models import MatchedService
from providers.templatetags.nhsuk import on_at

from . import chain
from .models import ReportingUpdate

# The look-back of C3's complaint counts, as the seed's labels say ("in the previous 30 days").
DAYS = 30


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y}"


def complaint_facts(step_run) -> StepFacts | None:
    """The themes, services and dates C3's complaints are counted for; and, before the preparation
    window opens (the compliance check, C1, falls due), that a count made now is early. Three queries."""
    update = step_run.chain_run.subject
    if not isinstance(update, ReportingUpdate):
        return None
    triggers = list(update.triggers.order_by("pk"))
    services = sorted(
        set(
            MatchedService.objects.filter(trigger__in=triggers, included=True).values_list(
                "service__name", flat=True
            )
        )
    )
    now = timezone.now()
    themes = (
        ", ".join(f"{t.get_theme_display()} ({t.reference})" for t in triggers) or "No learning linked yet"
    )
    rows = [
        ("Failure theme", themes or "No learning linked yet"),
        ("Matched services", ", ".join(services) or "None yet"),
        (
            "Complaints to count",
            f"Logged from {_day(now - timedelta(days=DAYS))} to {_day(now)} at these services, about "
            "the failure theme; and those closed after a response drawing on this learning that were "
            "reopened within 14 days of closure.",
        ),
    ]
    first_check = step_run.chain_run.step_runs.filter(code=chain.PREPARATION_STEP)
    opens = first_check.values_list("due_at", flat=True).first()
    if opens is not None and now < opens:
        rows.append(
            (
                "Counting early",
                f"The preparation window opens {on_at(opens)}: a count made now will be out of date by "
                "the issue. Count again then, and record this check again.",
            )
        )
    return StepFacts("What to count", rows)
