"""Reporting updates for the demo provider: one released to its commissioners, which gives the county
council and the ICB each a pack about its own services only, and one to CQC held because it claims
shared learning on notices alone. Every line names the services it speaks for."""

from datetime import time

from django.utils import timezone

from providers.calendar import local_datetime
from providers.choices import Role
from providers.models import RoleAssignment

from . import chain, services
from .choices import Audience, LineKind, LineState


def _holder(provider, role):
    return RoleAssignment.objects.filter(provider=provider, role=role).select_related("user").first().user


# The checks C5 signs off against, as their owners recorded them: what each counted by hand, and a note.
CHECKS = {
    "C1": ({}, "Both lines name their homes; Rowan Court's verification is on the exposure log."),
    "C3": (
        {"linked_complaints_30d": 1, "complaints_reopened_14d": 0},
        "One family complaint about night checks in the last 30 days, answered and closed.",
    ),
    "C4": ({}, "No line rests on a notice alone; Willow Bank's line waits for its own review."),
}


def _check_before_sign_off(update, provider) -> None:
    """Record the compliance, complaints and challenge checks (C1, C3, C4) before the sign-off."""
    for code, (entered, notes) in CHECKS.items():
        holder = _holder(provider, chain.step_run(update, code).role)
        chain.record_computed(update, code, by=holder, entered=entered, notes=notes)


def build_reporting_story(provider, trigger) -> None:
    """Plan, evidence and release or hold two updates built on the demo's learning trigger."""
    calendar = provider.calendar
    compliance = _holder(provider, Role.COMPLIANCE_MANAGER)
    director = _holder(provider, Role.PROVIDER_DIRECTOR)
    rowan, elm = provider.services.get(name="Rowan Court"), provider.services.get(name="Elm House")
    # Willow Bank is commissioned by the ICB alone, Rowan Court and Elm House by the council alone.
    willow = provider.services.get(name="Willow Bank")
    issue_day = timezone.localdate()
    for _ in range(8):
        issue_day = calendar.next_working_day(issue_day)

    assurance = services.plan_update(
        by=compliance,
        provider=provider,
        title="Assurance to commissioners: night-time falls",
        audience=Audience.COMMISSIONER,
        issue_at=local_datetime(issue_day, time(10)),
        triggers=[trigger],
        services=[rowan, elm, willow],
    )
    services.add_line(
        assurance,
        by=compliance,
        kind=LineKind.NAMED_SERVICE,
        claim="Rowan Court records night checks in real time on both floors and has verified the change.",
        services=[rowan],
    )
    waiting = services.add_line(
        assurance,
        by=compliance,
        kind=LineKind.NAMED_SERVICE,
        claim="Willow Bank has reviewed its night checks against this learning.",
        services=[willow],
    )
    services.decide_line(
        waiting,
        by=compliance,
        state=LineState.DEFERRED,
        reason=(
            "Willow Bank was not among the homes matched to this fall; the ICB asked for its night-check "
            "review, which will be reported in the next update."
        ),
    )
    _check_before_sign_off(assurance, provider)
    chain.record_sign_off(assurance, by=director, notes="One claim evidenced, one deferred until verified.")
    services.release_update(assurance, by=director)

    cqc = services.plan_update(
        by=compliance,
        provider=provider,
        title="Provider information return to CQC",
        audience=Audience.REGULATOR,
        issue_at=local_datetime(calendar.next_working_day(issue_day), time(10)),
        triggers=[trigger],
    )
    # A provider-wide claim names every comparable home it speaks for: the fall's matched services.
    comparable = [m.service for m in trigger.matches.filter(included=True).select_related("service")]
    services.add_line(
        cqc,
        by=compliance,
        kind=LineKind.PROVIDER_WIDE,
        claim="Learning from the Elm House fall has been shared and adopted across every comparable home.",
        services=sorted(comparable, key=lambda service: service.name),
    )
    services.place_hold(
        cqc,
        by=compliance,
        reason="The shared-learning claim rests on notices only; two homes have not verified.",
    )
