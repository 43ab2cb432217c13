"""Whether an update may be released: the rule `services.release_update` enforces, and the update's page
lists as what still stops it. No active issue hold, no line naming no services, every line evidenced,
challenge-cleared or withheld (frozen or deferred), and the Provider Director's sign-off (C5) recorded
after the lines last changed (a line added, its services named, or decided) and after the checks it is
judged against (C1, C3, C4, and each day's C2 already due, or the first day's C2
when none was recorded: an early release still has its figures checked once), and the latest check of
the figures (C2) within its threshold: no override, it is recorded again once the services catch up.
An update for commissioners must cover at least one service: their commissioners are sent its pack.
"""

from django.utils import timezone

from escalation.choices import StepRunState
from providers.templatetags.nhsuk import london, on_at

from . import chain, evidence, movement
from .choices import WITHHELD_STATES, Audience
from .models import IssueHold, ReportingLine, ReportingUpdate


def active_hold(update: ReportingUpdate) -> IssueHold | None:
    """The hold stopping the update now, if any (the database allows one at a time)."""
    return update.holds.filter(lifted_at__isnull=True).first()


def lines_naming_no_services(update: ReportingUpdate) -> list[ReportingLine]:
    """Lines that would be issued but name no service: added before every line had to name its services.

    No migration can name them (only a person knows whom a claim speaks for), so they stay as they were,
    are shown as naming no services, and stop the update being issued until someone names them (or
    freezes or defers the line).
    """
    return list(
        update.lines.exclude(state__in=WITHHELD_STATES).filter(services__isnull=True).order_by("order")
    )


def _sign_off_problem(update: ReportingUpdate) -> str | None:
    """C5 is the Provider Director's issue-control record: no update leaves without it, and one whose
    residual defects and deferred sections breached the threshold waits for the correction."""
    sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
    if sign_off is None:
        return None  # an update planned before chain C existed has no case to sign off
    if sign_off.state == StepRunState.BREACHED:
        return (
            "The sign-off for issue (C5) found too many residual defects and deferred sections: "
            "correct them and record the sign-off again."
        )
    if sign_off.state != StepRunState.RECORDED:
        return "The Provider Director's sign-off for issue (C5) is not recorded yet."
    if update.lines_changed_at and update.lines_changed_at > sign_off.recorded_at:
        return (
            f"The update's lines changed after the Provider Director's sign-off (C5), recorded "
            f"{on_at(sign_off.recorded_at)} (the last change: {_last_line_change(update)}): "
            "record the sign-off again."
        )
    return None


def _last_line_change(update: ReportingUpdate) -> str:
    """The update's last change to a line as kept beside its time: "Line 3 added: Birch Lodge … on Mon
    7 Dec 2026 at 20:44" (found: two times of the same minute, and not what changed)."""
    said = update.lines_change.rstrip(".")
    said = f"{said[:79].rstrip()}…" if len(said) > 80 else said
    return f"{said} {on_at(update.lines_changed_at)}".strip()


def _checks_problems(update: ReportingUpdate, now) -> list[str]:
    """The checks before issue that must stand behind a release: the ones C5 is judged against, and
    every day's check of the figures (C2) already due, each recorded, and recorded before the sign-off.
    A day's check not yet due is not needed, so the update may go before its issue date; but the figures
    must have been checked at least once: until a day's check is recorded, the first day's is needed."""
    run = chain.run_for(update)
    if run is None:
        return []
    steps = list(run.step_runs.exclude(code=chain.SIGN_OFF_STEP).order_by("order", "due_at"))
    figures = [s for s in steps if s.code == chain.FIGURES_STEP]
    unchecked = figures[0] if figures and not any(s.is_recorded for s in figures) else None
    needed = [
        s
        for s in steps
        if s.code in chain.SIGNED_OFF_AGAINST or s.due_at <= now or s.is_recorded or s is unchecked
    ]
    problems = []
    missing = [s for s in needed if not s.is_recorded]
    if missing:
        problems.append(f"Checks not recorded yet: {_step_list(missing)}.")
    sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
    signed_at = sign_off.recorded_at if sign_off is not None and sign_off.is_recorded else None
    after = [s for s in needed if signed_at and s.is_recorded and s.recorded_at > signed_at]
    if after:
        problems.append(
            f"The update was signed off (C5) before {_step_list(after)}: record the sign-off again."
        )
    return problems


def _figures_breach_problem(update: ReportingUpdate) -> str | None:
    """The latest check of the figures (C2), whichever day's, breached: services are behind on the action,
    so the claims would go out on figures the check itself said were not good enough. Release waits for a
    later record within threshold (or the update is held); a sign-off recorded after the breach does not
    undo it."""
    latest = movement.latest_figures_check(chain.run_for(update))
    if latest is None or not latest.breached:
        return None
    return (
        f"The latest check of the figures behind the claims (C2), recorded {on_at(latest.recorded_at)} by "
        f"{latest.recorded_by}, breached: {latest.explanation.rstrip('.')}. Record it again within "
        "threshold once the services are back on track, or hold the update."
    )


def _step_list(steps) -> str:
    """Each step once, in plain words with its code: "Check the figures behind each claim (C2) on
    due Wed 9 Dec 2026, 12:12" names the day of a step run each day."""
    words = []
    for step in steps:
        text = step.label
        if sum(1 for other in steps if other.code == step.code) > 1:
            text = f"{text} due {london(step.due_at)}"
        words.append(text)
    return "; ".join(words)


def release_problems(update: ReportingUpdate, now=None) -> list[str]:
    """Why the update cannot be released at `now` (default the current time; empty when it can); judges
    undecided lines afresh."""
    problems = []
    if active_hold(update) is not None:
        problems.append("An issue hold is active: it must be lifted, with a reason, before release.")
    sign_off = _sign_off_problem(update)
    if sign_off:
        problems.append(sign_off)
    problems += _checks_problems(update, now or timezone.now())
    figures = _figures_breach_problem(update)
    if figures:
        problems.append(figures)
    if update.audience == Audience.COMMISSIONER and not update.services.exists():
        # Planning refuses it now; an update planned so before is stopped here (tester 14's L7).
        problems.append(
            "The update is for commissioners but covers no services: no commissioner would be sent its "
            "pack. Plan it again, covering their services."
        )
    verdicts = evidence.judge_update(update)
    if not verdicts:
        problems.append("The update has no reporting lines.")
    unnamed = lines_naming_no_services(update)
    if unnamed:
        numbers = ", ".join(str(line.order) for line in unnamed)
        problems.append(f"Lines naming no services (name them, or freeze or defer the line): {numbers}.")
    lacking = [line.order for line, v in verdicts.items() if v is not None and not v.evidenced]
    if lacking:
        numbers = ", ".join(str(n) for n in lacking)
        problems.append(f"Lines lacking evidence (freeze or defer them, or add the evidence): {numbers}.")
    return problems
