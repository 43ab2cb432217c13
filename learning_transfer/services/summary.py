"""The executive learning summary (A5) across every trigger of a provider: a fixed number of queries.

The database does the counting, so the rows read follow the number of triggers and services, never
triggers x services: one row per trigger (its matched services, how many confirmed, received in time,
high-risk lacking action, current and acknowledged notices), and one for the trend: the sums of the
weekly incidents and care hours each matched service keeps around its learning issue. Each matched
service keeps its receipt figures (first notice, first acknowledgement, current notice acknowledged)
too, so the counts read the matches alone, never their notices or the daily roll-up. Rows per
matched service and notice are read only for the last learning cycles (repeated defects) and the few
high-risk services the page names.

Its counts over the provider's history are planned afresh for each request's period and region
(`planned_for_their_values`), never from a plan kept prepared for any values.

Each trigger's receipt (and so its distribution defects) is judged by the receipt window its own case
started with (A2's snapshot), as its trigger page and A2 judge it: a provider's tuning applies to cases
started after it, never to the figures the board already has. A trigger with no case is judged by the
provider's window now (`chain.ReceiptWindows`). Defects repeat over A5's learning cycles as the provider runs
them now: the summary spans triggers whose cases started at different times.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from escalation.models import StepRun
from providers.calendar import LONDON
from providers.choices import RiskLevel
from providers.database import planned_for_their_values
from providers.models import Region

from .. import analysis, chain, live_practice
from ..choices import TriggerStatus
from ..models import ImplementationLead, LearningNotice, LearningTrigger, MatchedService
from ..models.triggers import TREND_FIGURES, TREND_WEEKS, trend_field
from .data import london_start
from .receipt_counts import (
    left_out_receipt,
    receipt_not_yet_due,
    received_in_time,
    windows,
    with_left_out_receipt,
)
from .summary_words import receipt_window_words, scope_words

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
SHOWN_TRIGGERS = 50  # rows of the summary's trigger table (a large provider logs thousands a year)
SHOWN_LACKING = 20  # high-risk services lacking action named on the page (all are counted)

# An included high-risk matched service whose implementation is not verified, in a trigger whose
# learning was issued and which is still open. Learning never issued asks nothing of a service yet, so
# a trigger still "Logged" adds nobody (its matches are only candidates).
HIGH_RISK_UNVERIFIED = Q(
    service__risk_level=RiskLevel.HIGH,
    implementation_confirmed_at__isnull=True,
    trigger__notices_issued_at__isnull=False,
) & ~Q(trigger__status=TriggerStatus.CLOSED)


def _steps_not_yet_due(code: str, now: datetime) -> QuerySet:
    """Chain A's steps `code` of learning triggers that fall due after `now`."""
    return StepRun.objects.filter(
        chain_run__chain__code=chain.CHAIN_CODE,
        chain_run__content_type=ContentType.objects.get_for_model(LearningTrigger),
        code=code,
        due_at__gt=now,
    )


def _board_check_not_yet_due(now: datetime) -> Exists:
    """The match's trigger's board-assurance step (A5) falls due after `now`: until then its services
    are still being worked on (A3 and A4 come first), so none of them is "still lacking" yet."""
    return Exists(_steps_not_yet_due("A5", now).filter(chain_run__object_id=OuterRef("trigger_id")))


def exposure_checks_to_come(provider, now: datetime) -> list[int]:
    """The provider's triggers whose exposure check (A3) falls due after `now` (ids; few, the newest
    cases): until it does a service may still be given its implementation lead, so their ownership
    defects cannot be known yet. One query apart from the per-trigger counts: asked there, the
    database would ask it of every matched service, not once per trigger."""
    steps = _steps_not_yet_due("A3", now).filter(chain_run__provider=provider)
    return list(steps.values_list("chain_run__object_id", flat=True))


def lacking_action(now: datetime) -> Q:
    """A5's "high-risk matched services still lacking verified action": unverified high-risk services
    of issued, open triggers whose own A5 has fallen due. Those of a trigger whose A5 is still to come
    are not yet due: shown, and left out of the count and the breach until it falls due."""
    return HIGH_RISK_UNVERIFIED & ~_board_check_not_yet_due(now)


def action_not_yet_due(now: datetime) -> Q:
    """Unverified high-risk services of triggers whose A5 is still to come (shown, never counted)."""
    return HIGH_RISK_UNVERIFIED & Q(_board_check_not_yet_due(now))


def own_action_not_yet_due(trigger: LearningTrigger, now: datetime) -> list[str]:
    """The names of the trigger's own included high-risk matched services lacking verified action while
    its board check (A5) is still to come: its A5 recorded before then judges them as not yet lacking."""
    rows = trigger.matches.filter(action_not_yet_due(now), included=True).order_by("service__name")
    return list(rows.values_list("service__name", flat=True))


@dataclass(frozen=True)
class SummaryFilters:
    """What the nominated individual narrowed the summary to."""

    region: Region | None = None
    theme: str = ""
    period: str = "365"


def _trigger_lookups(provider, filters: SummaryFilters, now: datetime) -> dict:
    """The provider, theme and period filters, as lookups on a trigger."""
    lookups = {"provider": provider}
    if filters.theme:
        lookups["theme"] = filters.theme
    days = PERIODS.get(filters.period)
    if days:
        lookups["confirmed_at__gte"] = now - timedelta(days=days)
    return lookups


def _triggers(provider, filters: SummaryFilters, now: datetime) -> QuerySet:
    """The filtered triggers, newest first (a queryset: the escalation counts use it as a subquery).
    A region keeps the triggers with an included matched service there (`scope_words`): every figure
    of a region's summary counts only its matched services there, so a trigger whose source service
    is in the region but none of whose matched services is has nothing to count."""
    triggers = LearningTrigger.objects.filter(**_trigger_lookups(provider, filters, now))
    if filters.region:
        in_region = MatchedService.objects.filter(
            trigger=OuterRef("pk"), included=True, service__region=filters.region
        )
        triggers = triggers.filter(Exists(in_region))
    return triggers.select_related("source_service").order_by("-confirmed_at", "-pk")


def _matches(provider, filters: SummaryFilters, now: datetime, which: Q | None = None) -> QuerySet:
    """The included matched services (or those `which` says) of the filtered triggers (in the region,
    if filtered), as a queryset. The trigger's filters are a join, not a subquery, so the database reads
    each match once; a match in the region is itself what keeps its trigger in a region's summary."""
    lookups = {f"trigger__{key}": value for key, value in _trigger_lookups(provider, filters, now).items()}
    rows = MatchedService.objects.filter(which or Q(included=True), **lookups)
    if filters.region:
        rows = rows.filter(service__region=filters.region)
    return rows.order_by()  # unordered: the queries below group it or use it as a subquery


def implementation_not_yet_due(now: datetime) -> Q:
    """Matched services not verified yet whose current notice's implementation due date is still to
    come: not late yet, so left out of the confirmation rates until it falls due. A service that has
    verified counts at once, however early (a notice without a due date is taken as due)."""
    due_later = LearningNotice.objects.filter(
        matched_service=OuterRef("pk"), superseded_at__isnull=True, due_at__gt=now
    )
    return Q(implementation_confirmed_at__isnull=True) & Q(Exists(due_later))


PER_TRIGGER_COLUMNS = (
    "trigger_id",
    "issued_count",
    "services",
    "confirmed",
    "lacking",
    "received",
    "current_notices",
    "acknowledged_notices",
    "receipt_pending",
    "action_pending",
    "implementation_pending",
    "receipt_hours",
)


def per_trigger(matches: QuerySet, receipt: "chain.ReceiptWindows | int", now: datetime) -> pd.DataFrame:
    """One row per trigger with matched services in `matches`, newest trigger first: trigger_id,
    receipt_hours (the receipt window it is judged by, `receipt`: its case's, or one for all),
    issued (learning issued), services, confirmed (implementation verified), lacking (`lacking_action`
    at `now`), action_pending (`action_not_yet_due`), implementation_pending
    (`implementation_not_yet_due`), received (in time; 0 when not issued),
    receipt_pending (`receipt_not_yet_due`; 0 when not issued), current_notices and
    acknowledged_notices (current notices, and those acknowledged), counted by the database from the
    matches (each keeps its receipt figures); only the few unverified high-risk ones read their
    trigger's A5 deadline."""
    # Grouped by trigger alone and ordered by each group's confirmation time, so the database sorts
    # one row per trigger (ordering by the trigger's field would group, and sort, every match by it).
    # The rows are plain integers, read straight from the cursor: no time per trigger is loaded, and
    # no converter runs on each of the thousands of values.
    rows = (
        matches.values("trigger_id")
        .annotate(
            confirmed_at=Max("trigger__confirmed_at"),
            issued_count=Count("trigger__notices_issued_at"),  # every match of an issued trigger, or none
            services=Count("pk"),
            confirmed=Count("implementation_confirmed_at"),
            lacking=Count("pk", filter=lacking_action(now)),
            received=Count("pk", filter=received_in_time(receipt)),
            current_notices=Count("pk", filter=Q(has_current_notice=True)),
            acknowledged_notices=Count("pk", filter=Q(current_notice_acknowledged=True)),
            receipt_pending=Count("pk", filter=receipt_not_yet_due(receipt, now)),
            action_pending=Count("pk", filter=action_not_yet_due(now)),
            implementation_pending=Count("pk", filter=implementation_not_yet_due(now)),
            receipt_hours=Max(windows(receipt).hours()),
        )
        .order_by("-confirmed_at", "-trigger_id")
    )
    sql, params = rows.values_list(*PER_TRIGGER_COLUMNS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        frame = pd.DataFrame(cursor.fetchall(), columns=PER_TRIGGER_COLUMNS, dtype="int64")
    frame["issued"] = frame["issued_count"] > 0
    frame["received"] = frame["received"].where(frame["issued"], 0)
    frame["receipt_pending"] = frame["receipt_pending"].where(frame["issued"], 0)
    return frame.drop(columns=["issued_count"])


DEFECTS = {"distribution": "distribution_defect", "ownership": "ownership_defect"}


def _with_defects(matches: QuerySet, receipt: chain.ReceiptWindows, now: datetime) -> QuerySet:
    """The matched services, each marked with its defects.
    A distribution defect: not received in time (`received_in_time`, on the figures each match keeps,
    by its trigger's window) once that window has closed (`receipt_not_yet_due`: not a defect yet).
    An ownership defect: its current notice lacks an owner or a due date (or it has none), or it has
    no implementation lead."""
    owned = LearningNotice.objects.filter(
        matched_service=OuterRef("pk"),
        superseded_at__isnull=True,
        owner__isnull=False,
        due_at__isnull=False,
    )
    has_lead = ImplementationLead.leading(OuterRef("pk"))
    return matches.annotate(
        # Not received in time, including never acknowledged (the comparison is then unknown: NULL).
        distribution_defect=Case(
            When(received_in_time(receipt), then=Value(False)),
            When(receipt_not_yet_due(receipt, now), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        ),
        ownership_defect=~(Exists(owned) & Exists(has_lead)),
    )


def closed_cycles(per_trigger: pd.DataFrame) -> pd.Series:
    """Whether each trigger (a row of `per_trigger`) is a closed learning cycle, one whose defects can
    be known: learning issued, no matched service still inside its receipt window without the
    learning (a distribution defect is judged only once it closes) and its exposure check (A3, by
    which every service needs an implementation lead) fallen due (ownership defects). Learning just
    issued is not a cycle yet, so it never pushes out a repeat of the cycles before it."""
    return per_trigger["issued"] & (per_trigger["receipt_pending"] == 0) & ~per_trigger["leads_pending"]


def compared_cycles(counted: "Counted", cycles_back: int) -> list[int]:
    """The trigger ids of the last `cycles_back` closed learning cycles (`closed_cycles`), newest
    first: the cycles A5's repeated defects compare (fewer when fewer have closed)."""
    per_trigger = counted.per_trigger
    return list(per_trigger.loc[closed_cycles(per_trigger), "trigger_id"].head(cycles_back))


def cycle_status(counted: "Counted", cycles_back: int) -> dict:
    """What the page says of the learning cycles compared: the triggers compared and the issued ones
    newer than them not closed yet (each newest first), read in one query of those few triggers."""
    per_trigger = counted.per_trigger
    compared = compared_cycles(counted, cycles_back)
    ids = per_trigger["trigger_id"].tolist()
    newer = per_trigger.iloc[: ids.index(compared[-1])] if compared else per_trigger
    waiting = list(newer.loc[newer["issued"] & ~closed_cycles(newer), "trigger_id"])
    by_id = LearningTrigger.objects.in_bulk(compared + waiting)
    return {
        "defect_cycles_compared": [by_id[pk] for pk in compared],
        "defect_cycles_not_closed": [by_id[pk] for pk in waiting],
    }


@planned_for_their_values()
def repeated_defects(counted: "Counted", cycles_back: int) -> list[dict]:
    """A5: defects repeated at a service in each of the last `cycles_back` closed learning cycles
    (`compared_cycles`): the services with the same defect in as many of those triggers, counted in
    one query over those triggers' matched services."""
    # Fewer cycles than `cycles_back` give no service that many (asked anyway: one query, whatever
    # the data).
    last = compared_cycles(counted, cycles_back)
    matches = _with_defects(counted.matches.filter(trigger_id__in=last), counted.receipt, counted.now)
    cycles_with = {
        defect: Count("trigger_id", distinct=True, filter=Q(**{column: True}))
        for defect, column in DEFECTS.items()
    }
    rows = list(
        matches.values("service_id", "service__name")
        .annotate(**cycles_with)
        .filter(Q(distribution=cycles_back) | Q(ownership=cycles_back))
        .order_by("service_id")
        .values_list("service_id", "service__name", *DEFECTS)
    )
    return [
        {"service_id": service_id, "service": name, "defect": defect}
        for n, defect in enumerate(DEFECTS)
        for service_id, name, *cycles in rows
        if cycles[n] == cycles_back
    ]


def _trend(matches: QuerySet, now: datetime) -> pd.DataFrame:
    """Weekly pooled incident rate in matched services, 4 weeks either side of each learning issue
    (`analysis.weekly_rates`): one SUM over the filtered matches of the weekly figures each keeps
    (`trend.refresh_trend_figures`; a match of a trigger not issued keeps zeros), and in the same
    query how many issued triggers and matched services each week holds (`_weeks_held`).

    Every issued trigger has its weeks before learning, but a week after learning holds only the
    triggers whose learning has reached it, so each week carries triggers, services and all_triggers
    (the issued triggers in the filter): a week with fewer triggers than all is not yet reached by
    every one. A week that one of the issues is in the middle of (begun, not ended: today's figures
    are not complete) is a part week, marked and never read as a whole week. A week an issue has not
    reached yet holds no figures of it, so it does not make the pooled week a part one."""
    today = now.astimezone(LONDON).date()
    counts = _weeks_held(today)
    sums = matches.aggregate(**{name: Sum(name) for name in TREND_FIGURES}, **counts)
    incidents = [sums[trend_field(week, "incidents")] or 0 for week in TREND_WEEKS]
    hours = [sums[trend_field(week, "hour_hundredths")] or 0 for week in TREND_WEEKS]
    frame = analysis.weekly_rates(list(TREND_WEEKS), incidents, hours)
    begun = {week: _held(sums, "begun", max(week, 1)) for week in TREND_WEEKS}
    frame["triggers"] = [begun[week][0] for week in frame["week"]]
    frame["services"] = [begun[week][1] for week in frame["week"]]
    frame["all_triggers"] = _held(sums, "begun", 1)[0]
    # Begun and not yet ended by one of the issues: that issue is in the middle of the week.
    frame["part_week"] = [
        week > 0 and _held(sums, "begun", week)[1] > _held(sums, "ended", week)[1] for week in frame["week"]
    ]
    return frame


def _weeks_held(today) -> dict:
    """Aggregates counting, for each week after learning, the issued matched services (and their
    triggers) whose learning has begun that week by `today`, and those that have ended it: week k
    (week 1 is the London issue day and the 6 after) begins 7(k-1) days after the issue day and ends
    7k-1 days after. Every issued trigger has begun week 1, so its counts are every issued one."""
    counts = {}
    for week in (w for w in TREND_WEEKS if w > 0):
        for kind, days in (("begun", 7 * (week - 1)), ("ended", 7 * week)):
            # Issued on or before the last issue day that has reached this point of the week.
            issued_by = Q(trigger__notices_issued_at__lt=london_start(today - timedelta(days=days - 1)))
            counts[f"{kind}_{week}_services"] = Count("pk", filter=issued_by)
            counts[f"{kind}_{week}_triggers"] = Count("trigger_id", distinct=True, filter=issued_by)
    return counts


def _held(sums: dict, kind: str, week: int) -> tuple[int, int]:
    """The triggers and matched services that have `kind` ("begun" or "ended") week `week`."""
    return sums[f"{kind}_{week}_triggers"], sums[f"{kind}_{week}_services"]


@dataclass(frozen=True)
class Counted:
    """The filtered triggers and matched services (querysets, not loaded), the per-trigger counts every
    figure is computed from, chain A's parameters as the provider runs them now, and the receipt
    window each trigger is judged by (its case's)."""

    triggers: QuerySet
    matches: QuerySet
    per_trigger: pd.DataFrame  # `per_trigger`, with leads_pending (`exposure_checks_to_come`)
    parameters: dict  # chain.parameters(provider)
    now: datetime  # the instant the windows are judged at (not yet due until they close)
    receipt: chain.ReceiptWindows


@planned_for_their_values()
def load(provider, now: datetime, filters: SummaryFilters | None = None) -> Counted:
    """The counts A5's figures are computed from (default: the summary's default filters): what the A5
    step's computations share, exactly as the executive summary counts them."""
    # The triggers go to the escalation counts as a subquery, never as a list of parameters.
    filters = filters or SummaryFilters()
    parameters = chain.parameters(provider)
    triggers = _triggers(provider, filters, now)
    matches = _matches(provider, filters, now)
    receipt = chain.ReceiptWindows.read(provider, parameters["receipt_window_hours"])
    left_out = _matches(provider, filters, now, MatchedService.LEFT_OUT_AFTER_ITS_NOTICE)
    counts = per_trigger(matches, receipt, now)
    counts = with_left_out_receipt(counts, left_out_receipt(left_out, receipt, now))
    counts["leads_pending"] = counts["trigger_id"].isin(exposure_checks_to_come(provider, now))
    return Counted(triggers, matches, counts, parameters, now, receipt)


def implementation_due(counts: pd.DataFrame) -> pd.DataFrame:
    """The per-trigger counts with `services` narrowed to those whose implementation is due (or
    verified), the base of a confirmation rate; triggers with none due yet are left out."""
    due = counts.assign(services=counts["services"] - counts["implementation_pending"])
    return due[due["services"] > 0]


def average_confirmation_rate(counted: Counted) -> float | None:
    """A5 (and the summary and dashboards): the average confirmation rate over the triggers with
    learning issued, each over its services whose implementation is due (`implementation_due`), from
    the exact rates and rounded once (`analysis.average_rate`). None: nothing issued is due yet."""
    issued = counted.per_trigger[counted.per_trigger["issued"]]
    return analysis.average_rate(implementation_due(issued)[["services", "confirmed"]])


def high_risk_lacking_count(counted: Counted) -> int:
    """A5: how many high-risk matched services lack verified action that is due (`lacking_action`)."""
    return int(counted.per_trigger["lacking"].sum())


def _a5_figures(counted: Counted) -> dict:
    """A5's three figures, repeats counted over the provider's learning cycles."""
    return {
        "avg_confirmation_rate": average_confirmation_rate(counted),
        "repeated_defects": repeated_defects(counted, counted.parameters["defect_cycles"]),
        "lacking": high_risk_lacking_count(counted),
    }


def _a5_measures(figures: dict) -> dict:
    """The A5 step's figures from `_a5_figures`, keyed by the computations A5's measures name."""
    return {
        "average_confirmation_rate": figures["avg_confirmation_rate"],
        "repeated_defects": len(figures["repeated_defects"]),
        "high_risk_lacking_action": figures["lacking"],
    }


@planned_for_their_values()
def headline(provider, now: datetime) -> dict:
    """The summary's headline figures for the last 12 months (the nominated individual's dashboard
    panel): computed as the page computes them, without the trend, the table or the notices."""
    counted = load(provider, now)
    a5 = _a5_figures(counted)
    issued = counted.per_trigger[counted.per_trigger["issued"]]
    return {
        "defect_cycles": counted.parameters["defect_cycles"],
        "trigger_count": counted.triggers.count(),
        "avg_confirmation_rate": a5["avg_confirmation_rate"],
        "services_implementation_not_yet_due": int(issued["implementation_pending"].sum()),
        "high_risk_lacking_count": a5["lacking"],
        # As the page says it: a board check still to come leaves its services "not yet due" (tester 18).
        "high_risk_not_yet_due": int(counted.per_trigger["action_pending"].sum()),
        "repeated_defects": a5["repeated_defects"],
    }


def _trigger_rows(triggers: list, counts: pd.DataFrame, receipt: chain.ReceiptWindows) -> list[dict]:
    """One line per trigger shown in the summary table, from the per-trigger counts (of those shown
    only: turning thousands of rows into dictionaries took tens of milliseconds), each with the
    receipt window it is judged by."""
    counts = counts[counts["trigger_id"].isin([trigger.pk for trigger in triggers])]
    # A trigger's rate is over its services whose implementation is due, as the average's is.
    rates = analysis.confirmation_rates(implementation_due(counts)[["trigger_id", "services", "confirmed"]])
    rate_of = dict(zip(rates["trigger_id"].tolist(), rates["rate"].tolist(), strict=True))
    by_id = counts.set_index("trigger_id").to_dict("index")
    rows = []
    for trigger in triggers:
        figures = by_id.get(trigger.pk, {})
        services, pending = int(figures.get("services", 0)), int(figures.get("receipt_pending", 0))
        receipt_services = int(figures.get("receipt_services", 0))
        not_due = int(figures.get("implementation_pending", 0))
        # Learning not issued asks nothing of a service yet: no receipt, and no rate (not a 0% one).
        issued = trigger.notices_issued_at is not None
        rows.append(
            {
                "trigger": trigger,
                "issued": issued,
                "services": services,
                "confirmed": int(figures.get("confirmed", 0)),
                "rate": rate_of.get(trigger.pk) if issued else None,
                "received_in_time": int(figures.get("received", 0)) if issued else None,
                "receipt_hours": int(figures.get("receipt_hours", receipt.now_hours)),
                # Receipt and implementation are judged only once due; the rest are not yet due.
                "receipt_due": receipt_services - pending,
                "receipt_left_out": int(figures.get("receipt_left_out", 0)),
                "receipt_not_yet_due": pending,
                "implementation_due": services - not_due,
                "implementation_not_yet_due": not_due,
            }
        )
    return rows


def _count_and_newest(counted: Counted, filters: SummaryFilters) -> tuple[int, int, list]:
    """How many triggers the filters keep, how many of them have learning issued, and the newest
    `SHOWN_TRIGGERS` of them: all three of the one set of triggers (`_triggers`).

    A region keeps exactly the triggers with an included matched service there, which are the
    per-trigger counts' triggers (newest first), already counted: asked of the database again, the
    count and the newest would each pass over every match once more. Without a region a trigger with
    no included matched service is still a trigger, so its count is asked of the triggers."""
    if filters.region:
        counts = counted.per_trigger
        newest_ids = counts["trigger_id"].head(SHOWN_TRIGGERS).tolist()
        newest = LearningTrigger.objects.filter(pk__in=newest_ids).select_related("source_service")
        newest = list(newest.order_by("-confirmed_at", "-pk"))
        return len(counts), int(counts["issued"].sum()), newest
    totals = counted.triggers.aggregate(count=Count("pk"), issued=Count("notices_issued_at"))
    return totals["count"], totals["issued"], list(counted.triggers[:SHOWN_TRIGGERS])


@planned_for_their_values()
def executive_summary(provider, filters: SummaryFilters, now: datetime) -> dict:
    """Every figure of the executive learning summary for one provider, with the filters applied."""
    counted = load(provider, now, filters)
    counts, matches = counted.per_trigger, counted.matches
    trigger_count, issued_count, newest = _count_and_newest(counted, filters)
    a5 = _a5_figures(counted)
    issued = counts[counts["issued"]]
    receipt_hours, receipt_words = receipt_window_words(counted)
    lacking = matches.filter(lacking_action(now)).select_related("trigger", "service")
    trend = _trend(matches, now).to_dict("records")
    measures = _a5_measures(a5)  # judged on the very values the A5 step form is given
    if measures["average_confirmation_rate"] is None:  # the rule evaluator reads "cannot compute" as NaN
        measures["average_confirmation_rate"] = float("nan")
    shown_lacking = [
        {"trigger": match.trigger, "service": match.service.name}
        for match in lacking.order_by("service__name", "-trigger__confirmed_at", "pk")[:SHOWN_LACKING]
    ]
    return {
        "triggers": counted.triggers,  # a queryset, not loaded: the page shows the count and the newest
        "trigger_count": trigger_count,
        "region": filters.region,
        "scope": scope_words(filters),  # which triggers the count, the table and the figures read
        # The page lists the newest few; the register lists every trigger, a page at a time.
        "trigger_rows": _trigger_rows(newest, counts, counted.receipt),
        "issued_triggers": issued_count,
        "avg_confirmation_rate": a5["avg_confirmation_rate"],
        "repeated_defects": a5["repeated_defects"],
        "defect_cycles": counted.parameters["defect_cycles"],
        **cycle_status(counted, counted.parameters["defect_cycles"]),
        # One window when every issued trigger counted has it, else None: each row says its own.
        "receipt_window_hours": receipt_hours,
        "receipt_window_words": receipt_words,
        "high_risk_lacking": shown_lacking,  # the first few by service name
        "high_risk_lacking_count": a5["lacking"],
        "high_risk_lacking_more": a5["lacking"] - len(shown_lacking),
        "notices_current": int(counts["current_notices"].sum()),
        "notices_acknowledged": int(counts["acknowledged_notices"].sum()),
        "high_risk_not_yet_due": int(counts["action_pending"].sum()),
        # Verified, but the checks on the shifts since go-live are off track: the board is told.
        "verified_off_track": live_practice.verified_off_track(matches, now, SHOWN_LACKING),
        "services_received_in_time": int(issued["received"].sum()),
        # The receipt rate's base: services whose window has closed (or who received it already).
        "services_issued": int(issued["receipt_services"].sum() - issued["receipt_pending"].sum()),
        "services_receipt_left_out": int(issued["receipt_left_out"].sum()),
        "services_receipt_not_yet_due": int(issued["receipt_pending"].sum()),
        "services_implementation_not_yet_due": int(issued["implementation_pending"].sum()),
        "trend": trend,
        # The page leaves out weeks with no care hours (nothing to rate), and names them.
        "trend_weeks": [row for row in trend if row["care_hours"] > 0],
        "trend_weeks_without_hours": [row["week"] for row in trend if not row["care_hours"] > 0],
        # Only the escalations of the filtered triggers (a subquery) and of the filtered region, so the
        # filters apply here too.
        "escalations": chain.escalation_counts(provider, now, counted.triggers, filters.region),
        "a5": chain.judge_a5(provider, measures),
        # What the board last recorded (its figures may differ from these: a typed figure says why),
        # whatever the filters: the board's check is judged across every trigger of the provider.
        "a5_recorded": chain.latest_a5_record(LearningTrigger.objects.filter(provider=provider)),
    }
