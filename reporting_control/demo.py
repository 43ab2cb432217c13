"""Reporting updates for the demo provider: one released to its commissioners, which gives the county
council and the ICB each a pack about its own services only, and one to CQC held because it claims
shared learning on notices alone. Every line names the services it speaks for.

The compliance manager writes them on the afternoon Rowan Court's verification is confirmed, one action
a few minutes after another: after the verification the assurance names, before the demo is built
(that verification is on the working day before)."""

from datetime import time, timedelta
from itertools import count

from django.db.models import Max
from django.utils import timezone

from providers.calendar import local_datetime
from providers.choices import Role
from providers.models import RoleAssignment

from . import chain, services
from .choices import Audience, LineKind, LineState


def _holder(provider, role):
    return RoleAssignment.objects.filter(provider=provider, role=role).select_related("user").first().user


# The checks before the sign-off, as their owners recorded them: what each counted by hand, what they
# checked, and a note. The figures (C2) are checked once although no day's check is due yet: the update
# goes early, and an update never leaves without its figures checked.
CHECKS = {
    "C1": (
        {},
        "Each line's homes against the exposure log and the adoption records.",
        "Both lines name their homes; Rowan Court's verification is on the exposure log.",
    ),
    "C2": (
        {"movement_from_baseline_pct": {}},  # no line is presented as improved
        "Each figure worked out again from the incident log, the care hours and the learning issue dates.",
        "Rowan Court verified before its notice fell due; the other matched homes are still inside their "
        "timeframe, so they are not counted yet. Rates read from the care-hours records.",
    ),
    "C3": (
        {"linked_complaints_30d": 1, "complaints_reopened_14d": 0},
        "The complaints and safeguarding logs of the last 30 days for the homes the lines name.",
        "One family complaint about night checks in the last 30 days, answered and closed.",
    ),
    "C4": (
        {},
        "Each line read against the evidence behind it, one line at a time.",
        "No line rests on a notice alone; Willow Bank's line waits for its own review.",
    ),
}
SIGN_OFF_CHECKED = "Every line against the challenge, the complaints check and the evidence map."


def _check_before_sign_off(update, provider, moments) -> None:
    """Record the compliance, figures, complaints and challenge checks (C1, C2, C3, C4) before the
    sign-off, each at the next of `moments`."""
    for code, (entered, checked, notes) in CHECKS.items():
        holder = _holder(provider, chain.step_run(update, code).role)
        chain.record_computed(
            update, code, by=holder, entered=entered, check_done=checked, notes=notes, now=next(moments)
        )


def _moments_after_verification(trigger):
    """The story's moments: from ten minutes after the trigger's last verification, ten minutes apart.
    Soon after it, so the check of the figures (C2) is recorded while the other homes' notices are still
    inside their timeframe, as its note says (found: begun three hours after, on a Tuesday the notices
    of a Friday's learning fell due at noon first, C2 breached and the demo could not be loaded)."""
    verified = trigger.matches.aggregate(last=Max("implementation_confirmed_at"))["last"]
    begins = verified + timedelta(minutes=10)
    return (begins + timedelta(minutes=10 * n) for n in count())


def build_reporting_story(provider, trigger) -> None:
    """Plan, evidence and release or hold two updates built on the demo's learning trigger, in order, each
    action dated at the next of the story's moments."""
    moments = _moments_after_verification(trigger)
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
        now=next(moments),
    )
    services.add_line(
        assurance,
        by=compliance,
        kind=LineKind.NAMED_SERVICE,
        claim="Rowan Court records night checks in real time on both floors and has verified the change.",
        services=[rowan],
        now=next(moments),
    )
    waiting = services.add_line(
        assurance,
        by=compliance,
        kind=LineKind.NAMED_SERVICE,
        claim="Willow Bank has reviewed its night checks against this learning.",
        services=[willow],
        now=next(moments),
    )
    services.decide_line(
        waiting,
        by=compliance,
        state=LineState.DEFERRED,
        reason=(
            "Willow Bank was not among the homes matched to this fall; the ICB asked for its night-check "
            "review, which will be reported in the next update."
        ),
        now=next(moments),
    )
    _check_before_sign_off(assurance, provider, moments)
    chain.record_sign_off(
        assurance,
        by=director,
        check_done=SIGN_OFF_CHECKED,
        notes="One claim evidenced, one deferred until verified.",
        now=next(moments),
    )
    services.release_update(assurance, by=director, now=next(moments))

    cqc = services.plan_update(
        by=compliance,
        provider=provider,
        title="Provider information return to CQC",
        audience=Audience.REGULATOR,
        issue_at=local_datetime(calendar.next_working_day(issue_day), time(10)),
        triggers=[trigger],
        now=next(moments),
    )
    # A provider-wide claim names every comparable home it speaks for: the fall's matched services.
    comparable = [m.service for m in trigger.matches.filter(included=True).select_related("service")]
    services.add_line(
        cqc,
        by=compliance,
        kind=LineKind.PROVIDER_WIDE,
        claim="Learning from the Elm House fall has been shared and adopted across every comparable home.",
        services=sorted(comparable, key=lambda service: service.name),
        now=next(moments),
    )
    services.place_hold(
        cqc,
        by=compliance,
        reason="The shared-learning claim rests on notices only; two homes have not verified.",
        now=next(moments),
    )
