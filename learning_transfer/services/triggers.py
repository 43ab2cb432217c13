"""Logging a serious failure, matching comparable services (A1) and keeping the trigger's learning."""

from decimal import Decimal

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone

from providers.actions import AlreadyDone, ChangedMeanwhile, change_once
from providers.calendar import LONDON
from providers.choices import RiskTag, label_of
from providers.history import READ_AS, value_words
from providers.numbers import format_rate
from providers.permissions import require_perm
from providers.services import given_reason
from providers.templatetags.nhsuk import london
from providers.who_acts import join_and

from .. import analysis, chain
from ..choices import RootCauseFactor, TriggerStatus
from ..models import LearningTrigger, MatchedService
from . import data, notice_mails, review_flags
from .common import now_or, refuse, save_with_history, update_rows, write_history
from .late_start import refuse_late_start
from .trend import refresh_trend_figures
from .verification import withdraw

BASELINE_FIELDS = [
    "shared_tags",
    "incidents_7d",
    "care_hours_7d",
    "rate_7d",
    "above_median",
    "open_actions_due_5d",
]
LEARNING_FIELDS = [
    "root_cause_factors",
    "root_cause_summary",
    "local_fix",
    "learning_statement",
    "governance_change",
    "measurable_target",
    "target_date",
]


def log_trigger(
    *,
    by,
    source_service,
    title: str,
    theme: str,
    risk_tags: list[str],
    what_happened: str,
    confirmed_at,
    source_incident=None,
    match_same_service_type: bool = True,
    log_late: bool = False,
    log_again: bool = False,
    now=None,
    **learning,
) -> LearningTrigger:
    """Log a serious failure confirmed at a service, match comparable services and start chain A.

    `learning` takes the optional LEARNING_FIELDS (root-cause factors, fix, learning statement …).
    A failure confirmed so long ago that steps of its case would start overdue is refused
    (`late_start.StartsOverdue`, naming them) unless `log_late` is True ("log it anyway"): the register's
    form asks the person; code recording a known history (the demo, tests of older cases) says so
    explicitly, so a caller that forgets is warned rather than starting every step overdue.
    An incident logged already is refused unless `log_again` says this is another failure from it.
    """
    now = now_or(now)
    require_perm(by, "learning_transfer.log_trigger", source_service.provider)
    _check_trigger_facts(source_service, source_incident, risk_tags, confirmed_at, now)
    unknown = set(learning) - set(LEARNING_FIELDS)
    if unknown:
        raise TypeError(f"log_trigger() got unexpected fields: {', '.join(sorted(unknown))}")
    _check_factors(learning.get("root_cause_factors", []))
    check_target_date(learning.get("target_date"), confirmed_at)
    _refuse_if_logged(source_service, confirmed_at, title)
    _refuse_if_incident_logged(source_incident, log_again)
    refuse_late_start(source_service, confirmed_at, now, log_late)
    trigger = LearningTrigger(
        provider=source_service.provider,
        source_service=source_service,
        source_incident=source_incident,
        title=title,
        theme=theme,
        risk_tags=sorted(set(risk_tags)),
        match_same_service_type=match_same_service_type,
        what_happened=what_happened,
        confirmed_at=confirmed_at,
        logged_by=by,
        logged_at=now,
        **learning,
    )
    # One transaction: a trigger never exists without its matches and its chain A case.
    try:
        with transaction.atomic():
            save_with_history(trigger, by, "Serious failure logged", at=now)
            if source_incident is not None:  # decided: off the list awaiting a decision
                review_flags.refresh_decided([source_incident.pk])
            match_services(trigger, by=by, now=now)
            chain.start(trigger, by, now=now)
    except IntegrityError:
        # Two submits raced past the check above; the database let the first one through.
        _refuse_if_logged(source_service, confirmed_at, title)
        raise
    return trigger


def _refuse_if_logged(source_service, confirmed_at, title: str) -> None:
    """A second submit of the same failure points at the first instead of logging it again."""
    existing = LearningTrigger.objects.filter(
        source_service=source_service, confirmed_at=confirmed_at, title=title
    ).first()
    if existing is not None:
        raise AlreadyDone(f"This failure was already logged as {existing.reference}.", existing)


# The action's argument, and the form's checkbox, that says "this is another failure from the incident".
LOG_AGAIN = "log_again"


def _refuse_if_incident_logged(source_incident, log_again: bool) -> None:
    """An incident logged as a serious failure already is most often the same failure logged twice (its
    link opened again): the second case would run its own deadlines and escalations, so the person says
    so before one is started."""
    if source_incident is None or log_again:
        return
    logged = [str(trigger) for trigger in source_incident.learning_triggers.order_by("pk")]
    if logged:
        refuse(
            f"Incident {source_incident.source_reference} is already logged as {join_and(logged)}: logging "
            "it again starts a second case, with its own deadlines and escalations. Open that one, or tick "
            "the box if this is another serious failure from the same incident.",
            LOG_AGAIN,
        )


# Said by the form with its other errors, and by the service for any other caller.
CONFIRMED_IN_THE_FUTURE = "The failure cannot be confirmed in the future."


def _check_trigger_facts(source_service, source_incident, risk_tags, confirmed_at, now) -> None:
    if confirmed_at > now:
        refuse(CONFIRMED_IN_THE_FUTURE, "confirmed_at")
    if not risk_tags:
        refuse(
            "Choose at least one risk tag: matching compares them with every service's profile.", "risk_tags"
        )
    if set(risk_tags) - set(RiskTag.values):
        refuse("Choose risk tags from the list.", "risk_tags")
    if source_incident is not None and source_incident.service.provider_id != source_service.provider_id:
        refuse("The incident belongs to another provider.", "source_incident")
    if source_incident is not None and source_incident.service_id != source_service.pk:
        # The trigger's source service is where the failure happened: its incident must be from there.
        refuse(
            f"This incident happened at {source_incident.service}, not {source_service}.", "source_incident"
        )
    if source_incident is not None and confirmed_at < source_incident.occurred_at:
        # A failure is confirmed from its incident, so never before the incident happened.
        happened = london(source_incident.occurred_at)
        refuse(f"The failure cannot be confirmed before its incident happened ({happened}).", "confirmed_at")


def check_target_date(target_date, confirmed_at) -> None:
    """Refuse, on the target date, a measurable target dated before the day the failure was confirmed:
    the target measures what the learning changes afterwards (the day itself is allowed)."""
    if target_date is not None and target_date < confirmed_at.astimezone(LONDON).date():
        refuse(
            f"The target date cannot be before the failure was confirmed ({london(confirmed_at)}).",
            "target_date",
        )


def _refuse_if_closed(trigger: LearningTrigger) -> None:
    """A closed trigger is the record of what was decided: nothing on it changes. One closed because no
    mandatory learning was needed is not reopened when later data would match services (its A1 and its
    case were judged on the figures of the day, and an inspector reads that record as it was): new
    evidence is a new trigger, with deadlines of its own."""
    if trigger.status == TriggerStatus.CLOSED_NO_LEARNING:
        refuse(
            "This trigger was closed: no mandatory learning needed. It is not reopened; "
            "if new evidence shows services at risk, log a new trigger."
        )
    if trigger.is_closed:
        refuse("The trigger is closed.")


def _check_factors(factors) -> None:
    if set(factors) - set(RootCauseFactor.values):
        refuse("Choose root-cause factors from the list.", "root_cause_factors")


def _baseline(trigger: LearningTrigger):
    """Rates of every provider service over the days before confirmation, the median, and the horizon
    for open actions, by A1's look-back and working days as the trigger's case runs them (before the
    case starts: as the provider runs them now, which the case then snapshots). Returns (services,
    rates indexed by service_id, median, horizon, first, last, working days)."""
    provider = trigger.provider
    values = chain.parameters(provider, trigger)
    first, last = analysis.rate_window(trigger.confirmed_at, values["rate_days"])
    services = data.services_frame(provider)
    rates, median = data.provider_rates(provider, first, last, services)
    rates = analysis.flag_above_median(rates, median).set_index("service_id")
    calendar = provider.calendar
    working_days = values["open_action_working_days"]
    horizon = calendar.clock_time_on_working_day(trigger.confirmed_at, calendar.hours.end, working_days)
    return services, rates, median, horizon, first, last, working_days


RATE_PLACES = "0.000001"  # as the model stores rates: enough for three significant figures


def _decimal(value, places: str) -> Decimal | None:
    if value is None or pd.isna(value):
        return None
    return Decimal(str(value)).quantize(Decimal(places))


def _apply_baseline(match: MatchedService, rate_row, open_actions: int, shared_tags: list[str]) -> None:
    """Copy a service's figures (`rate_row`: its incidents, care hours, rate and whether above the
    median, by name) onto its match."""
    match.shared_tags = shared_tags
    match.incidents_7d = int(rate_row["incidents"])
    match.care_hours_7d = _decimal(rate_row["care_hours"], "0.01")
    match.rate_7d = _decimal(rate_row["rate"], RATE_PLACES)
    match.above_median = bool(rate_row["above_median"])
    match.open_actions_due_5d = open_actions


def _refuse_once_issued(trigger: LearningTrigger) -> None:
    """The matching the learning went out on is what A1's decision rested on: running it again after
    the issue would rewrite the median and the rates beside the recorded decision."""
    if trigger.notices_issued_at is not None:
        refuse(
            f"The learning was issued on the matching of {london(trigger.matched_at)}, and the decision "
            "(A1) rested on it, so it stays as it was. Add a service that is now comparable by hand."
        )


def match_services(trigger: LearningTrigger, *, by=None, now=None) -> None:
    """A1: find the services whose risk profile matches the trigger and snapshot each one's baseline.

    Running it again refreshes the figures and adds newly matching services, but keeps every
    inclusion or exclusion the quality director made by hand. A person running it (`by`) must manage
    the trigger; the system (no one) may always refresh the figures.
    """
    if by is not None:
        require_perm(by, "learning_transfer.manage_trigger", trigger)
        _refuse_once_issued(trigger)
    # Not even the system: a closed trigger's figures are those its learning was judged by.
    _refuse_if_closed(trigger)
    now = now_or(now)
    services, rates, median, horizon, first, last, working_days = _baseline(trigger)
    found = analysis.matching_services(
        services, trigger.source_service_id, trigger.risk_tags, trigger.match_same_service_type
    )
    found_tags = dict(zip(found["service_id"], found["shared_tags"], strict=True))
    tags_of = dict(zip(services["service_id"], services["tags"], strict=True))
    existing = {m.service_id: m for m in trigger.matches.all()}
    open_actions = data.open_actions_due_by(set(found_tags) | set(existing), horizon)
    rate_rows = rates.to_dict("index")  # one dict a service: a DataFrame row per service is slower
    new, changed = [], []
    for service_id in sorted(set(found_tags) | set(existing)):
        match = existing.get(service_id)
        if match is None:
            match = MatchedService(trigger=trigger, service_id=service_id, included=True)
            new.append(match)
        else:
            changed.append(match)
        match.matched_by_rule = service_id in found_tags
        shared = sorted(set(trigger.risk_tags).intersection(tags_of.get(service_id, [])))
        _apply_baseline(match, rate_rows[service_id], open_actions.get(service_id, 0), shared)
    reason = "Matched by the risk-profile rule"
    with transaction.atomic():
        if new:
            MatchedService.objects.bulk_create(new)
            write_history(MatchedService, [match.pk for match in new], by, reason, at=now)
            if trigger.notices_issued_at is not None:  # before the issue, the trend figures are zeros
                # A service matched after the learning was issued counts in the trend from its issue day.
                refresh_trend_figures([match.pk for match in new])
        if changed:
            update_rows(MatchedService, changed, BASELINE_FIELDS + ["matched_by_rule"])
            write_history(MatchedService, [match.pk for match in changed], by, reason, "~", at=now)
        # The look-back and working days the figures were counted over, shown beside them.
        trigger.rates_first_day, trigger.rates_last_day = first, last
        trigger.open_actions_working_days = working_days
        trigger.provider_median_rate = _decimal(median, RATE_PLACES)
        trigger.matched_at = now
        save_with_history(trigger, by, "Matching run", at=now)


def _labels(choices):
    """How a list of choices reads in the trigger's History: "Staffing levels, Training" ("none")."""
    return lambda values: ", ".join(label_of(choices, value) for value in values) if values else "none"


# The trigger's lists of choices read by their labels in its History, not "not set → set".
READ_AS["learning_transfer.LearningTrigger"] = [
    ("Risk tags", ("risk_tags",), _labels(RiskTag)),
    ("Root cause factors", ("root_cause_factors",), _labels(RootCauseFactor)),
    ("Provider median incident rate per 100 care hours", ("provider_median_rate",), format_rate),
    ("Working days ahead counted for open action lines", ("open_actions_working_days",), value_words),
    ("Matched", ("matched_at",), london),
]


def adjust_match(
    trigger: LearningTrigger, service, include: bool, reason: str, by, now=None
) -> MatchedService:
    """Add a service the rule missed, or leave one out, always with a reason on the record.

    Asking again for what is already so (leaving out a service already left out, adding one already
    included) changes nothing, the reason on the record included: AlreadyDone says so."""
    require_perm(by, "learning_transfer.manage_trigger", trigger)
    _refuse_if_closed(trigger)
    reason = given_reason(reason, "Give the reason for adding or leaving out this service.")
    if service.provider_id != trigger.provider_id:
        refuse("Choose one of the provider's services.", "service")
    if service.pk == trigger.source_service_id:
        refuse("The source service has the local fix; it is not a matched service.", "service")
    match = trigger.matches.filter(service=service).first()
    already = _already_adjusted(service, include)
    if match is not None and match.included == include:
        raise AlreadyDone(already, match)
    if match is None and not include:
        refuse(f"{service} is not matched, so there is nothing to leave out.", "service")
    history_reason = f"{'Added' if include else 'Left out'}: {reason}"
    adding = match is None
    if adding:
        match = MatchedService(trigger=trigger, service=service, matched_by_rule=False, reason=reason)
        _baseline_for_added(trigger, match)
    try:
        with transaction.atomic():
            if adding:
                save_with_history(match, by, history_reason, at=now)
                if trigger.notices_issued_at is not None:  # its weeks around the issue day
                    refresh_trend_figures([match.pk])
            else:
                # Changed once: of two identical submits at once, the second finds it already done.
                change_once(
                    match,
                    expected={"included": not include},
                    changes={"included": include, "reason": reason},
                    by=by,
                    reason=history_reason,
                    at=now,
                    refusal=already,
                )
                if include:
                    # Nothing at the service was followed while it was left out: a verification given
                    # before then must not silently count again, so it is verified afresh.
                    withdraw(match, because=ADDED_AGAIN, by=by, now=now)
                elif match.first_notice_at is not None:
                    # Its notice went out: whoever it asked something of is told it no longer does.
                    notice_mails.tell_left_out(match, by=by, reason=reason, now=now_or(now))
            if include:
                chain.cover_matched_regions(trigger)
            else:
                chain.close_regions_left_out(trigger, by=by, reason=f"{service} left out", now=now)
    except (ChangedMeanwhile, IntegrityError) as error:
        # A second submit raced past the check above; the first one's change (or new row) stands.
        existing = trigger.matches.filter(service=service, included=include).first()
        if existing is None:
            raise
        raise AlreadyDone(already, existing) from error
    return match


# Why a verification given before the service was left out does not hold once it is added again.
ADDED_AGAIN = "the service was left out of this learning and added again"


def _already_adjusted(service, include: bool) -> str:
    """What a repeat of the same adjustment is told: it was done before, and nothing changed."""
    done = "already one of the matched services" if include else "already left out of this learning"
    return f"{service} is {done}: nothing was changed."


def _baseline_for_added(trigger: LearningTrigger, match: MatchedService) -> None:
    """The same baseline (look-back and working days) as the rule's matches, judged against the median
    already recorded."""
    services, rates, median, horizon, *_ = _baseline(trigger)
    row = rates.loc[match.service_id].copy()
    stored = trigger.provider_median_rate
    reference = float(stored) if stored is not None else median
    row["above_median"] = reference is not None and pd.notna(row["rate"]) and row["rate"] > reference
    tags = services.set_index("service_id").at[match.service_id, "tags"]
    shared = sorted(set(trigger.risk_tags).intersection(tags))
    _apply_baseline(
        match, row, data.open_actions_due_by([match.service_id], horizon).get(match.service_id, 0), shared
    )


def record_learning(
    trigger: LearningTrigger, *, by, reason: str = "Learning updated", **fields
) -> LearningTrigger:
    """Record root-cause factors and the learning statement, keeping the fix apart from the learning."""
    require_perm(by, "learning_transfer.manage_trigger", trigger)
    _refuse_if_closed(trigger)
    unknown = set(fields) - set(LEARNING_FIELDS)
    if unknown:
        raise TypeError(f"record_learning() got unexpected fields: {', '.join(sorted(unknown))}")
    _check_factors(fields.get("root_cause_factors", []))
    check_target_date(fields.get("target_date"), trigger.confirmed_at)
    for name, value in fields.items():
        setattr(trigger, name, value)
    save_with_history(trigger, by, reason)
    return trigger


def close_trigger(trigger: LearningTrigger, *, by, now=None) -> LearningTrigger:
    """Close a trigger once every included matched service has confirmed, verified implementation."""
    require_perm(by, "learning_transfer.manage_trigger", trigger)
    refusal = "Only a trigger whose learning was issued can be closed."
    if trigger.status != TriggerStatus.ISSUED:
        refuse("The trigger is already closed." if trigger.is_closed else refusal)
    with transaction.atomic():
        # Closed once: of two closes at once the second is refused; a refusal below undoes the change.
        change_once(
            trigger,
            expected={"status": TriggerStatus.ISSUED},
            changes={"status": TriggerStatus.CLOSED},
            by=by,
            reason=f"Closed {timezone.localtime(now_or(now)):%d %b %Y}",
            at=now_or(now),
            refusal="The trigger was closed or changed by someone else just now.",
        )
        waiting = [
            m.service.name for m in trigger.matches.filter(included=True, implementation_confirmed_at=None)
        ]
        if waiting:
            refuse(f"Implementation is not yet verified at: {', '.join(sorted(waiting))}.")
        verified = "Learning implemented and verified at every matched service."
        chain.close(trigger, by, verified, now=now_or(now))
    return trigger


def close_without_learning(trigger: LearningTrigger, *, by, reason: str, now=None) -> LearningTrigger:
    """Close a trigger whose A1 was recorded as "mandatory learning not required", with the quality
    director's reason. Its case closes too, so the later steps (which have nothing to check) are closed
    as no longer needed and never fall overdue or escalate.

    Not automatic when A1 is recorded: the quality director may still widen the matching or issue the
    learning anyway, so closing is their decision, said with its reason."""
    require_perm(by, "learning_transfer.manage_trigger", trigger)
    if trigger.is_closed:
        refuse("The trigger is already closed.")
    if trigger.notices_issued_at is not None:
        refuse("The learning was issued: close the trigger once implementation is verified at every service.")
    a1 = chain.step_run(trigger, "A1")
    record = a1.records.filter(is_current=True).first() if a1 else None
    if record is None:
        refuse("Record the decision on comparable services (A1) first.")
    if record.breached:
        refuse("The decision on comparable services (A1) found mandatory learning is needed: issue it.")
    reason = given_reason(reason, "Give the reason no mandatory learning is needed.")
    with transaction.atomic():
        # Closed once: of two closes at once, the second is refused and the first reason stands.
        change_once(
            trigger,
            expected={"status": TriggerStatus.LOGGED},
            changes={"status": TriggerStatus.CLOSED_NO_LEARNING, "closed_reason": reason},
            by=by,
            reason=f"Closed {timezone.localtime(now_or(now)):%d %b %Y}: no mandatory learning needed",
            at=now_or(now),
            refusal="The trigger is already closed.",
        )
        chain.close(trigger, by, f"No mandatory learning needed: {reason}", now=now_or(now))
    return trigger
