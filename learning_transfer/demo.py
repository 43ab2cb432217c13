"""A learning story for the demo provider: an earlier medication cycle, learned and closed eight weeks
ago, then a serious fall two working days ago, learning issued to the matched services, most of them
acknowledging in time. Every action is dated when the story says it happened, in an order that could
have happened; load_demo then runs the engine at the moments it would have acted.

Everything goes through the business actions, so the demo obeys the same rules as a real user.
"""

from datetime import time, timedelta

from django.utils import timezone

from escalation import computations
from escalation import services as engine
from escalation.choices import EscalationState
from escalation.models import Escalation
from providers.calendar import local_datetime
from providers.choices import RiskTag, Role
from providers.models import Provider, RoleAssignment
from providers.permissions import people_holding

from . import chain, services
from .choices import HarmLevel, IncidentTheme, ReviewOutcome, RootCauseFactor
from .models import Incident
from .services import rollup
from .services.review import review_candidates

EARLIER_CYCLE_WEEKS = 8
# What each step's owner checked before recording it (shown on the demo's step pages).
CHECKS_DONE = {
    "A1": (
        "The matched homes and their incident rates against the provider median, worked out from the "
        "incident log and care hours, checked on the trigger page."
    ),
    "A2": (
        "A sample of the issued notices against the e-mail issue log and the service list: each names "
        "an owner and a due date."
    ),
    "A3": "Each matched home's named lead against the distribution sheet and the lead's briefing record.",
    "A4": "Each home's briefing and local tasks in the region against the exposure log and its action list.",
    "A5": "Each matched home's confirmation and open actions against the action register, home by home.",
}
# The earlier cycle's A1 needs the rates of the week before it.
EARLIER_CYCLE_NEEDS_DAYS = 7 * (EARLIER_CYCLE_WEEKS + 1) + 3


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


def _record_steps(trigger, at: dict) -> None:
    """Record chain A's steps by their owners at the given times, with the figures the system computed
    (A4 once per region, by that region's Deputy Regional Manager, with that region's figures)."""
    for code, when in at.items():
        for step in chain.region_step_runs(trigger, code):
            where = step.region.services.first() if step.region else trigger.source_service
            owner = people_holding(step.role, service=where)[0]
            values = computations.compute(step, when).values
            engine.record_step(step, by=owner, values=values, check_done=CHECKS_DONE[code], now=when)


def _close_escalations(trigger, at) -> None:
    """Whoever was told answered each escalation of the case, so the closed cycle leaves nothing open."""
    open_ones = Escalation.objects.filter(chain_run=chain.run_for(trigger)).exclude(
        state=EscalationState.RESOLVED
    )
    for escalation in open_ones.prefetch_related("notifications__user"):
        person = escalation.notifications.all()[0].user
        engine.record_action(escalation, by=person, action_taken=escalation.action or "Done.", now=at)
        engine.resolve(escalation, by=person, note="Completed within the learning cycle.", now=at)


def build_earlier_cycle(provider: Provider, now=None):
    """Eight weeks ago: a missed time-critical medicine at Ash Grove, learning issued to the homes with a
    medication risk, Rowan Court not acknowledging within 4 hours so that A2 breaches and the learning
    is sent again the same day, every home verified and the trigger closed. Each action is dated in
    the order it could have happened.

    Rowan Court's late receipt here and its late receipt in the current cycle make the
    executive summary's "defects repeated across the last 2 learning cycles" a real figure.
    """
    now = now or timezone.now()
    calendar = provider.calendar
    day = calendar.previous_working_day(timezone.localdate(now) - timedelta(weeks=EARLIER_CYCLE_WEEKS))
    confirmed_at = local_datetime(day, time(9, 40))
    quality = _holder(provider, Role.QUALITY_DIRECTOR)
    operations = _holder(provider, Role.OPERATIONS_DIRECTOR)
    ash_grove = provider.services.get(name="Ash Grove")
    incident = Incident.objects.create(
        service=ash_grove,
        source_reference=f"{ash_grove.cqc_location_id}-MEDS-1",
        occurred_at=local_datetime(day, time(8, 5)),
        theme=IncidentTheme.MEDICATION,
        harm_level=HarmLevel.MODERATE,
        regulatory_notification=True,
        description="Time-critical Parkinson's medicine missed for two rounds after an agency handover.",
    )
    rollup.after_data_saved([ash_grove.pk])
    trigger = services.log_trigger(
        by=quality,
        source_service=ash_grove,
        title="Time-critical Parkinson's medicine missed for two rounds",
        theme=IncidentTheme.MEDICATION,
        risk_tags=[RiskTag.MEDICATION],
        what_happened=incident.description,
        confirmed_at=confirmed_at,
        source_incident=incident,
        now=confirmed_at + timedelta(minutes=15),
        log_late=True,  # a known history recorded by code: nobody to ask
        root_cause_factors=[RootCauseFactor.COMMUNICATION, RootCauseFactor.UNCLEAR_GUIDANCE],
        root_cause_summary="The handover sheet did not mark time-critical medicines for agency staff.",
        local_fix="Ash Grove's handover sheet now lists time-critical medicines first.",
        learning_statement=(
            "Time-critical medicines are flagged on every medication chart and handover, so that any carer, "
            "agency or permanent, sees them before the round starts."
        ),
        measurable_target="100 % of sampled handovers list time-critical medicines, within six weeks.",
    )
    issued_at = confirmed_at + timedelta(hours=1)
    _record_steps(trigger, {"A1": confirmed_at + timedelta(minutes=50)})
    notices = services.issue_notices(trigger, by=quality, now=issued_at)
    for notice in notices:
        if notice.matched_service.service.name != "Rowan Court":
            services.acknowledge_notice(notice, by=notice.owner, now=issued_at + timedelta(hours=1))
    verified_at = local_datetime(calendar.next_working_day(day), time(11))
    for match in trigger.matches.filter(included=True).select_related("service__registered_manager"):
        services.confirm_lead(
            match, person=match.service.registered_manager, by=operations, now=issued_at + timedelta(hours=2)
        )
    _record_steps(trigger, {"A3": local_datetime(day, time(13))})
    _resend_to_rowan_court(trigger, quality, receipt_checked_at=local_datetime(day, time(14, 45)))
    for match in trigger.matches.filter(included=True).select_related("service__registered_manager"):
        manager = match.service.registered_manager
        # Each home's expected reduction in comparable risk, which A4 judges by risk-level group.
        services.update_exposure(
            match,
            by=operations,
            briefing_completed_at=verified_at,
            expected_reduction_pct=15,
            now=verified_at,
        )
        line = services.add_line(
            match,
            by=operations,
            task="Time-critical medicines flagged on charts and handover",
            owner=manager,
            due_at=verified_at,
            now=verified_at,
        )
        services.complete_line(line, by=manager, now=verified_at)
        services.confirm_implementation(match, by=operations, now=verified_at)
    # Each region's check once the learning is in place there, the executive summary that afternoon.
    _record_steps(trigger, {"A4": verified_at + timedelta(minutes=30)})
    _record_steps(trigger, {"A5": local_datetime(calendar.next_working_day(day), time(15))})
    _close_escalations(trigger, verified_at + timedelta(hours=5))
    closed_on = calendar.next_working_day(timezone.localdate(verified_at))
    services.close_trigger(trigger, by=quality, now=local_datetime(closed_on, time(10)))
    return trigger


def _resend_to_rowan_court(trigger, quality, receipt_checked_at) -> None:
    """A2 once the 4-hour receipt window has closed: Rowan Court has not acknowledged, so the step
    breaches and asks for the learning to be sent again the same day. The quality director resends it
    a quarter of an hour later and Rowan Court acknowledges the second round in the late afternoon:
    received, but late (the defect the executive summary counts)."""
    _record_steps(trigger, {"A2": receipt_checked_at})
    resent_at = receipt_checked_at + timedelta(minutes=15)
    for notice in services.redistribute(trigger, by=quality, now=resent_at):
        services.acknowledge_notice(notice, by=notice.owner, now=resent_at + timedelta(hours=1, minutes=40))


def _review_the_backlog(provider: Provider, now) -> None:
    """The quality director has decided every flagged incident more than two weeks old: those were
    handled locally. The recent ones still wait for a decision, as they would on a real Monday."""
    quality = _holder(provider, Role.QUALITY_DIRECTOR)
    cutoff = now - timedelta(days=14)
    candidates, _ = review_candidates(quality, now=now)
    for candidate in candidates:
        incident = candidate.incident
        if incident.occurred_at < cutoff:
            services.record_review(
                incident,
                by=quality,
                outcome=ReviewOutcome.LOCAL,
                reason=f"Reviewed with the registered manager of {incident.service}; a local action plan "
                "covers it and the theme is already in the provider's learning.",
                now=incident.occurred_at + timedelta(days=3),
            )


def build_learning_story(provider: Provider, now=None, history_days: int = EARLIER_CYCLE_NEEDS_DAYS):
    """Log a serious failure at Elm House two working days ago and take chain A part of the way, after
    the earlier cycle when the demo's incident and care-hours history reaches back far enough."""
    now = now or timezone.now()
    if history_days >= EARLIER_CYCLE_NEEDS_DAYS:
        build_earlier_cycle(provider, now)
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
    rollup.after_data_saved(provider.services.values_list("pk", flat=True))
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
        log_late=True,  # a known history recorded by code: nobody to ask
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
    a1_values = computations.compute(chain.step_run(trigger, "A1"), a1_at).values
    chain.record(trigger, "A1", by=quality, values=a1_values, check_done=CHECKS_DONE["A1"], now=a1_at)
    issued_at = confirmed_at + timedelta(minutes=90)
    notices = services.issue_notices(trigger, by=quality, now=issued_at)
    _acknowledge_current_cycle(notices)
    operations = _holder(provider, Role.OPERATIONS_DIRECTOR)
    included = trigger.matches.filter(included=True).select_related("service__registered_manager")
    for match in included[:2]:
        manager = match.service.registered_manager
        services.confirm_lead(match, person=manager, by=operations, now=issued_at + timedelta(minutes=30))
    # The next working day, before the other homes' notices fall due, as the reporting story tells it
    # (their timeframe is still open when its figures are checked): after a long holiday weekend the
    # next working day comes after that, and Rowan Court verified on the weekend.
    verified_at = local_datetime(calendar.next_working_day(day), time(10, 30))
    first_due = min(notice.due_at for notice in notices)
    _verify_rowan_court(trigger, operations, min(verified_at, first_due - timedelta(hours=2)))
    _review_the_backlog(provider, now)
    return trigger


def _acknowledge_current_cycle(notices) -> None:
    """Most owners acknowledge within the hour; Rowan Court's acknowledges in the evening, after the
    4-hour window (late, as in the earlier cycle); Hawthorn House's never does: the distribution gap
    the engine escalates when A2 falls overdue."""
    for notice in notices:
        name = notice.matched_service.service.name
        if name == "Hawthorn House":
            continue
        late = name == "Rowan Court"
        services.acknowledge_notice(
            notice, by=notice.owner, now=notice.issued_at + timedelta(hours=5 if late else 1)
        )


def _verify_rowan_court(trigger, operations, at) -> None:
    """Rowan Court implements the learning in full by the next day: the one service with verified
    adoption, which a report may name."""
    match = trigger.matches.select_related("service__registered_manager").get(service__name="Rowan Court")
    manager = match.service.registered_manager
    services.confirm_lead(match, person=manager, by=operations, now=at)
    services.update_exposure(
        match, by=operations, briefing_completed_at=at, expected_reduction_pct=14, now=at
    )
    line = services.add_line(
        match,
        by=operations,
        task="Real-time night-check recording on both floors",
        owner=manager,
        due_at=at,
        now=at,  # added when it was done, so the History reads in order
    )
    services.complete_line(line, by=manager, now=at)
    services.confirm_implementation(match, by=operations, now=at)
