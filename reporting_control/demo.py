"""Reporting updates for the demo provider: one released to the county council with its evidence pack,
and one to CQC held because it claims shared learning on notices alone."""

from datetime import time

from django.utils import timezone

from providers.calendar import local_datetime
from providers.choices import Role
from providers.models import RoleAssignment

from . import chain, services
from .choices import Audience, LineKind


def _holder(provider, role):
    return RoleAssignment.objects.filter(provider=provider, role=role).select_related("user").first().user


def build_reporting_story(provider, trigger) -> None:
    """Plan, evidence and release or hold two updates built on the demo's learning trigger."""
    calendar = provider.calendar
    compliance = _holder(provider, Role.COMPLIANCE_MANAGER)
    director = _holder(provider, Role.PROVIDER_DIRECTOR)
    rowan, elm = provider.services.get(name="Rowan Court"), provider.services.get(name="Elm House")
    issue_day = timezone.localdate()
    for _ in range(8):
        issue_day = calendar.next_working_day(issue_day)

    council = services.plan_update(
        by=compliance,
        provider=provider,
        title="Assurance to Lancashire County Council: night-time falls",
        audience=Audience.COMMISSIONER,
        issue_at=local_datetime(issue_day, time(10)),
        triggers=[trigger],
        services=[rowan, elm],
    )
    services.add_line(
        council,
        by=compliance,
        kind=LineKind.NAMED_SERVICE,
        claim="Rowan Court records night checks in real time on both floors and has verified the change.",
        services=[rowan],
    )
    chain.record_sign_off(council, by=director, notes="One named-service claim, evidenced; nothing deferred.")
    services.release_update(council, by=director)

    cqc = services.plan_update(
        by=compliance,
        provider=provider,
        title="Provider information return to CQC",
        audience=Audience.REGULATOR,
        issue_at=local_datetime(calendar.next_working_day(issue_day), time(10)),
        triggers=[trigger],
    )
    services.add_line(
        cqc,
        by=compliance,
        kind=LineKind.PROVIDER_WIDE,
        claim="Learning from the Elm House fall has been shared and adopted across every comparable home.",
    )
    services.place_hold(
        cqc,
        by=compliance,
        reason="The shared-learning claim rests on notices only; two homes have not verified.",
    )
