"""A learning story for the demo provider: a serious fall two working days ago, learning issued to the
matched services, most of them acknowledging in time, and the engine's view of what is now overdue.

Everything goes through the business actions, so the demo obeys the same rules as a real user.
"""

from datetime import time, timedelta

from django.utils import timezone

from providers.calendar import local_datetime
from providers.choices import RiskTag, Role
from providers.models import Provider, RoleAssignment

from . import chain, services
from .choices import HarmLevel, IncidentTheme, RootCauseFactor
from .models import Incident
from .services.measures import step_values


def _holder(provider: Provider, role: str):
    return RoleAssignment.objects.filter(provider=provider, role=role).select_related("user").first().user


def _recent_night_falls(provider: Provider, day) -> None:
    """Night-time falls in the week before the failure at two comparable homes: the pattern that makes
    the learning mandatory (their rates rise above the provider median)."""
    for name, nights_before in (("Rowan Court", (2, 4, 6)), ("Hawthorn House", (3, 5))):
        service = provider.services.get(name=name)
        Incident.objects.bulk_create(
            Incident(
                service=service,
                source_reference=f"{service.cqc_location_id}-NIGHTFALL-{n}",
                occurred_at=local_datetime(day - timedelta(days=n), time(3, 15)),
                theme=IncidentTheme.FALL,
                harm_level=HarmLevel.LOW,
                description="Found on the bedroom floor during a night check; no injury.",
            )
            for n in nights_before
        )


def build_learning_story(provider: Provider, now=None) -> None:
    """Log a serious failure at Elm House two working days ago and take chain A part of the way."""
    now = now or timezone.now()
    calendar = provider.calendar
    day = calendar.previous_working_day(calendar.previous_working_day(timezone.localdate(now)))
    confirmed_at = local_datetime(day, time(10, 30))
    quality = _holder(provider, Role.QUALITY_DIRECTOR)
    elm_house = provider.services.get(name="Elm House")
    incident = Incident.objects.create(
        service=elm_house,
        source_reference=f"{elm_house.cqc_location_id}-SERIOUS-1",
        occurred_at=local_datetime(day, time(2, 40)),
        theme=IncidentTheme.FALL,
        harm_level=HarmLevel.SEVERE,
        regulatory_notification=True,
        description="Unwitnessed fall in a bedroom at night; hip fracture confirmed at hospital.",
    )
    _recent_night_falls(provider, day)
    trigger = services.log_trigger(
        by=quality,
        source_service=elm_house,
        title="Unwitnessed night-time fall with hip fracture",
        theme=IncidentTheme.FALL,
        risk_tags=[RiskTag.FALLS, RiskTag.NIGHT_STAFFING],
        what_happened=incident.description,
        confirmed_at=confirmed_at,
        source_incident=incident,
        now=confirmed_at + timedelta(minutes=20),
        root_cause_factors=[
            RootCauseFactor.SUPERVISION,
            RootCauseFactor.WORKLOAD,
            RootCauseFactor.COMMUNICATION,
        ],
        root_cause_summary="Night checks were recorded as done while one carer covered two floors.",
        local_fix="A second night carer on the first floor at Elm House.",
        learning_statement=(
            "Night observation checks must be done and recorded in real time by the carer who did them; "
            "a floor is never left without a carer while another floor is supported."
        ),
        governance_change="Night-check compliance is reported weekly to the quality committee.",
        measurable_target="95 % of sampled night checks recorded within 15 minutes, within ten weeks.",
    )
    a1_at = confirmed_at + timedelta(hours=1)
    chain.record(trigger, "A1", by=quality, values=step_values(trigger, "A1", a1_at), now=a1_at)
    notices = services.issue_notices(trigger, by=quality, now=confirmed_at + timedelta(minutes=90))
    # Every owner but the last acknowledges within a few hours: the last shows a distribution gap.
    for hours, notice in enumerate(notices[:-1], start=1):
        services.acknowledge_notice(
            notice, by=notice.owner, now=notice.issued_at + timedelta(hours=hours % 4)
        )
    operations = _holder(provider, Role.OPERATIONS_DIRECTOR)
    for match in trigger.matches.filter(included=True).select_related("service__registered_manager")[:2]:
        services.confirm_lead(match, person=match.service.registered_manager, by=operations, now=a1_at)
    _verify_rowan_court(trigger, operations, confirmed_at + timedelta(days=1))
    return trigger


def _verify_rowan_court(trigger, operations, at) -> None:
    """Rowan Court implements the learning in full by the next day: the one service with verified
    adoption, which a report may name."""
    match = trigger.matches.select_related("service__registered_manager").get(service__name="Rowan Court")
    manager = match.service.registered_manager
    services.confirm_lead(match, person=manager, by=operations, now=at)
    services.update_exposure(match, by=operations, briefing_completed_at=at, now=at)
    line = services.add_line(
        match, by=operations, task="Real-time night-check recording on both floors", owner=manager, due_at=at
    )
    services.complete_line(line, by=manager, now=at)
    services.confirm_implementation(match, by=operations, now=at)
