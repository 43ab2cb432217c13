"""The executive learning summary (A5) across every trigger of a provider: a fixed number of queries.

Loads the triggers, their included matched services and notices once each (plus the daily roll-up of
incidents and care hours for the trend), then lets the analysis functions do the rest. A distribution
defect is judged by A2's receipt window and repeats over A5's learning cycles as the provider runs them
now (its tuning, else the defaults): the summary spans triggers whose cases started at different times.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.db.models import Exists, OuterRef, Q

from providers.choices import RiskLevel
from providers.models import Region

from .. import analysis, chain
from ..choices import TriggerStatus
from ..models import ImplementationLead, LearningNotice, LearningTrigger, MatchedService
from . import data

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
TREND_WEEKS = 4
SHOWN_TRIGGERS = 50  # rows of the summary's trigger table (a large provider logs thousands a year)


@dataclass(frozen=True)
class SummaryFilters:
    """What the nominated individual narrowed the summary to."""

    region: Region | None = None
    theme: str = ""
    period: str = "365"


def _triggers(provider, filters: SummaryFilters, now: datetime):
    """The filtered triggers, newest first (a queryset: the other loads use it as a subquery)."""
    triggers = LearningTrigger.objects.filter(provider=provider)
    if filters.theme:
        triggers = triggers.filter(theme=filters.theme)
    days = PERIODS.get(filters.period)
    if days:
        triggers = triggers.filter(confirmed_at__gte=now - timedelta(days=days))
    if filters.region:
        in_region = MatchedService.objects.filter(
            trigger=OuterRef("pk"), included=True, service__region=filters.region
        )
        triggers = triggers.filter(Q(source_service__region=filters.region) | Q(Exists(in_region)))
    return triggers.select_related("source_service").order_by("-confirmed_at", "-pk")


def _matches(triggers, filters: SummaryFilters):
    """The included matched services of the triggers (in the region, if filtered), as a queryset."""
    rows = MatchedService.objects.filter(trigger__in=triggers.values("pk"), included=True)
    if filters.region:
        rows = rows.filter(service__region=filters.region)
    return rows


def _matches_frame(matches) -> pd.DataFrame:
    has_lead = ImplementationLead.objects.filter(matched_service=OuterRef("pk"))
    rows = matches.annotate(has_lead=Exists(has_lead))
    columns = {
        "pk": "match_id",
        "trigger_id": "trigger_id",
        "trigger__confirmed_at": "confirmed_at",
        "trigger__notices_issued_at": "issued_at",
        "trigger__status": "status",
        "service_id": "service_id",
        "service__name": "service",
        "service__risk_level": "risk_level",
        "implementation_confirmed_at": "confirmed_impl_at",
        "has_lead": "has_lead",
    }
    frame = pd.DataFrame(list(rows.values_list(*columns)), columns=list(columns.values()))
    frame["confirmed"] = frame["confirmed_impl_at"].notna()
    return frame


def _notices_frame(matches) -> pd.DataFrame:
    columns = ["match_id", "issued_at", "owner_id", "due_at", "acknowledged_at", "superseded_at"]
    rows = LearningNotice.objects.filter(matched_service__in=matches.values("pk")).values_list(
        "matched_service_id", "issued_at", "owner_id", "due_at", "acknowledged_at", "superseded_at"
    )
    return pd.DataFrame(list(rows), columns=columns)


def _trend(issued: pd.DataFrame) -> pd.DataFrame:
    """Weekly pooled incident rate in matched services, 4 weeks either side of each learning issue."""
    if issued.empty:
        empty = pd.DataFrame({"trigger_id": [], "service_id": [], "issued_day": []})
        return analysis.before_after_rates(empty, empty, empty, TREND_WEEKS)
    issued_day = pd.to_datetime(issued["issued_at"], utc=True).dt.tz_convert("Europe/London").dt.date
    pairs = pd.DataFrame(
        {"trigger_id": issued["trigger_id"], "service_id": issued["service_id"], "issued_day": issued_day}
    )
    first = min(issued_day) - timedelta(days=7 * TREND_WEEKS)
    last = max(issued_day) + timedelta(days=7 * TREND_WEEKS - 1)
    scope = {"pk__in": sorted(set(pairs["service_id"]))}
    incidents, care_hours = data.daily_figures(scope, first, last)
    return analysis.before_after_rates(pairs, incidents, care_hours, TREND_WEEKS)


def _trigger_rows(triggers, matches: pd.DataFrame, cycles: pd.DataFrame) -> list[dict]:
    """One line per trigger for the summary table, from the frames (no query per trigger)."""
    rates = analysis.confirmation_rates(matches[["trigger_id", "confirmed"]]).set_index("trigger_id")
    rates = rates.to_dict("index")
    received = {}
    if not cycles.empty:
        received = (~cycles["distribution_defect"]).groupby(cycles["trigger_id"]).sum().to_dict()
    rows = []
    for trigger in triggers:
        figures = rates.get(trigger.pk, {})
        rows.append(
            {
                "trigger": trigger,
                "services": int(figures.get("services", 0)),
                "confirmed": int(figures.get("confirmed", 0)),
                "rate": figures.get("rate"),
                "received_in_time": int(received[trigger.pk]) if trigger.pk in received else None,
            }
        )
    return rows


@dataclass(frozen=True)
class _Loaded:
    """The filtered triggers and the frames every figure is computed from (loaded once)."""

    triggers: list
    matches: pd.DataFrame  # included matched services of the triggers (in the region, if filtered)
    notices: pd.DataFrame  # every round of their notices
    issued: pd.DataFrame  # the matches of triggers whose learning was issued
    cycles: pd.DataFrame  # `issued` with each service's distribution and ownership defects
    parameters: dict  # chain A's parameters as the provider runs them now (chain.parameters)


def load(provider, now: datetime, filters: SummaryFilters | None = None) -> _Loaded:
    """The frames A5's figures are computed from (default: the summary's default filters): what the A5
    step's computations load once between them, exactly as the executive summary loads them."""
    return _load(provider, filters or SummaryFilters(), now)


def _load(provider, filters: SummaryFilters, now: datetime) -> _Loaded:
    # The triggers' ids go to the other loads as subqueries, never as lists of parameters.
    chosen = _triggers(provider, filters, now)
    triggers = list(chosen)
    matched = _matches(chosen, filters)
    matches = _matches_frame(matched)
    notices = _notices_frame(matched)
    issued = matches[matches["issued_at"].notna()]
    parameters = chain.parameters(provider)
    cycles = analysis.cycle_defects(
        issued.drop(columns=["status", "risk_level", "confirmed_impl_at", "confirmed"]),
        notices,
        parameters["receipt_window_hours"],
    )
    return _Loaded(triggers, matches, notices, issued, cycles, parameters)


def average_confirmation_rate(loaded: _Loaded) -> float | None:
    """A5: the average confirmation rate over the triggers with learning issued (None: none issued)."""
    rates = analysis.confirmation_rates(loaded.issued[["trigger_id", "confirmed"]])
    return round(float(rates["rate"].mean()), 1) if not rates.empty else None


def repeated_defects(loaded: _Loaded, cycles_back: int) -> list[dict]:
    """A5: distribution or ownership defects at one service in each of the last `cycles_back` cycles."""
    return analysis.repeated_defects(loaded.cycles, cycles_back).to_dict("records")


def high_risk_lacking(loaded: _Loaded) -> pd.DataFrame:
    """A5: high-risk matched services lacking verified action, in triggers still open."""
    matches = loaded.matches
    return matches[
        (matches["risk_level"] == RiskLevel.HIGH)
        & ~matches["confirmed"]
        & (matches["status"] != TriggerStatus.CLOSED)
    ]


def _a5_figures(loaded: _Loaded) -> dict:
    """A5's three figures with their detail, repeats counted over the provider's learning cycles."""
    return {
        "avg_confirmation_rate": average_confirmation_rate(loaded),
        "repeated_defects": repeated_defects(loaded, loaded.parameters["defect_cycles"]),
        "lacking": high_risk_lacking(loaded),
    }


def _a5_measures(figures: dict) -> dict:
    """The A5 step's figures from `_a5_figures`, keyed by the computations A5's measures name."""
    return {
        "average_confirmation_rate": figures["avg_confirmation_rate"],
        "repeated_defects": len(figures["repeated_defects"]),
        "high_risk_lacking_action": len(figures["lacking"]),
    }


def executive_summary(provider, filters: SummaryFilters, now: datetime) -> dict:
    """Every figure of the executive learning summary for one provider, with the filters applied."""
    loaded = _load(provider, filters, now)
    triggers, notices, issued, cycles = loaded.triggers, loaded.notices, loaded.issued, loaded.cycles
    a5 = _a5_figures(loaded)
    by_id = {t.pk: t for t in triggers}
    current = notices[notices["superseded_at"].isna()]
    measures = _a5_measures(a5)  # judged on the very values the A5 step form is given
    if measures["average_confirmation_rate"] is None:  # the rule evaluator reads "cannot compute" as NaN
        measures["average_confirmation_rate"] = float("nan")
    return {
        "triggers": triggers,
        # The page lists the newest few; the register lists every trigger, a page at a time.
        "trigger_rows": _trigger_rows(triggers[:SHOWN_TRIGGERS], loaded.matches, cycles),
        "issued_triggers": int(issued["trigger_id"].nunique()),
        "avg_confirmation_rate": a5["avg_confirmation_rate"],
        "repeated_defects": a5["repeated_defects"],
        "defect_cycles": loaded.parameters["defect_cycles"],
        "receipt_window_hours": loaded.parameters["receipt_window_hours"],
        "high_risk_lacking": [
            {"trigger": by_id[row.trigger_id], "service": row.service}
            for row in a5["lacking"].itertuples(index=False)
        ],
        "notices_current": len(current),
        "notices_acknowledged": int(current["acknowledged_at"].notna().sum()),
        "services_received_in_time": int((~cycles["distribution_defect"]).sum()) if not cycles.empty else 0,
        "services_issued": len(cycles),
        "trend": _trend(issued).to_dict("records"),
        # Only the escalations of the triggers shown, so the filters apply to these counts too.
        "escalations": chain.escalation_counts(provider, now, triggers=triggers),
        "a5": chain.judge_a5(provider, measures),
    }
