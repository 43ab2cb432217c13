"""The one place this app talks to the escalation engine about chain C (an update's case)."""

from django.utils import timezone

from escalation import computations
from escalation import services as engine
from escalation.subjects import ChainCases
from providers.templatetags.nhsuk import london, on_at

CHAIN_CODE = "C"
SIGN_OFF_STEP = "C5"
# The compliance check, the first of the checks before issue: the preparation window opens when it falls
# due, so a count made earlier (C3) or a release before it is made before the window.
PREPARATION_STEP = "C1"
# What C5 signs off against: "the whole sign-off set vs C4, C3 and C1" (seed 000).
SIGNED_OFF_AGAINST = ("C1", "C3", "C4")
# The day's check of the figures behind each claim: recorded at least once before any release, even one
# made before the issue date, when the days still to come are closed as no longer needed.
FIGURES_STEP = "C2"
# Each check judged against the records of others (seed 000): C4 "every high-risk line against C1 and
# C2", C5 "the whole sign-off set vs C4, C3 and C1". Recording one before them asks "record it anyway".
CHECKED_AGAINST = {"C4": ("C1", FIGURES_STEP), SIGN_OFF_STEP: SIGNED_OFF_AGAINST}


def service_behind_action(service) -> str:
    """What C2's escalation asks of a service's registered manager, who cannot open the update: to do
    the revised action there, or say why not (the seed's "Trigger same-day redrafting." is the update's
    team's work, not theirs)."""
    return (
        f"Complete the revised action at {service.name}, or tell the performance analyst why not: the "
        "update's figures count your service as not completing it in time."
    )


def start(update, by, now=None):
    """Start chain C on the update at `now` (default the current time): its steps count back from the
    issue date-time."""
    return engine.start_chain(
        CHAIN_CODE,
        provider=update.provider,
        subject=update,
        anchor_at=update.issue_at,
        until=update.issue_at,
        started_by=by,
        started_at=now,
    )


CASES = ChainCases(CHAIN_CODE)
run_for, step_run, record, close = CASES.run_for, CASES.step_run, CASES.record, CASES.close


def record_computed(
    update, code: str, *, by, check_done: str, entered: dict | None = None, notes: str = "", now=None
):
    """Record the update's occurrence of step `code` in force now with the figures the system computes and
    `entered`, the ones a person counts from outside the records (complaints, movement from baseline),
    and `check_done`, what the person checked; the engine checks the role and judges the threshold. An
    `entered` figure contradicting a count of the update's lines the step may not type over is refused
    (hooks.refuse_impossible_counts)."""
    now = now or timezone.now()
    values = computations.compute(CASES.step_run_in_force(update, code, now), now).values | (entered or {})
    return record(update, code, by=by, values=values, check_done=check_done, notes=notes, now=now)


def record_sign_off(update, *, by, check_done: str, notes: str = "", now=None):
    """The Provider Director records C5 with the figures the system computes (residual defects and
    deferred sections as they stand now) and what they checked (`check_done`)."""
    return record_computed(update, SIGN_OFF_STEP, by=by, check_done=check_done, notes=notes, now=now)


def sign_off_keeping_hold(update):
    """The latest sign-off for issue (C5), with who recorded it, when it breached: it said to keep the
    update held (hooks.act_on_breach placed or kept the hold). None when it did not, or none is recorded."""
    sign_off = step_run(update, SIGN_OFF_STEP)
    if sign_off is None:
        return None
    return sign_off.records.filter(is_current=True, breached=True).select_related("recorded_by").first()


def lifted_against(sign_off_record) -> str:
    """What a hold lifted against the sign-off keeps on its record: whose sign-off, and when."""
    return (
        f"against the sign-off for issue (C5) recorded by {sign_off_record.recorded_by} on "
        f"{london(sign_off_record.recorded_at)}, which said to keep the hold"
    )


def first_check_due(update) -> str:
    """When the update's first check before issue falls due, "on Mon 4 Jan 2027 at 09:00" ("" with
    no case): what planning it says, rather than that its checks are due now."""
    run = run_for(update)
    first = run.step_runs.order_by("due_at").first() if run is not None else None
    return on_at(first.due_at) if first is not None else ""


def lines_changed(step_run) -> tuple | None:
    """When a person last changed the update's lines (added one, named its services, decided one), for
    the sign-off (C5), which signs off the lines as they stood (`step_facts.register_subject_changes`)."""
    update = step_run.chain_run.subject
    return (update.lines_changed_at, "the update's lines") if hasattr(update, "lines_changed_at") else None
