"""The numbers of chain A, as pandas functions that take DataFrames and return DataFrames (or plain values).

No function here touches the database: services load the rows (one query per table), call these,
and store or show the result. That keeps every figure testable against a hand-worked example.

Conventions:
* A rate is incidents per 100 care hours. A service with no care hours recorded has no rate (NaN,
  shown as "no care hours recorded"); a service with care hours and no incidents has a rate of 0.
* The provider median is the median of the services' rates, ignoring services without a rate.
* "Above the median" is strictly greater: a rate equal to the median is not above it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from django.utils import timezone

from escalation import computations, rules
from providers.numbers import format_rate

RATE_DECIMALS = 6  # rounding before comparing, so equal rates never differ by float noise
RATE_WINDOW_DAYS = 7


def rate_window(confirmed_at: datetime, days: int = RATE_WINDOW_DAYS) -> tuple[date, date]:
    """The previous `days` whole days before the day of confirmation (London dates), first and last.

    Whole days keep incidents and care hours (recorded per day) over exactly the same period.
    """
    confirmed_day = timezone.localtime(confirmed_at).date()
    return confirmed_day - timedelta(days=days), confirmed_day - timedelta(days=1)


def incident_rates(
    services: pd.DataFrame, incidents: pd.DataFrame, care_hours: pd.DataFrame, first_day: date, last_day: date
) -> pd.DataFrame:
    """Incidents, care hours and rate per 100 care hours for each service over [first_day, last_day].

    services: service_id, name.  incidents: service_id, day, incidents (a count per service and day).
    care_hours: service_id, day, hours.
    Returns services' columns plus incidents (int), care_hours (float) and rate (float or NaN).
    """
    in_window = incidents[(incidents["day"] >= first_day) & (incidents["day"] <= last_day)]
    counts = in_window.groupby("service_id")["incidents"].sum().rename("incidents")
    hours_in_window = care_hours[(care_hours["day"] >= first_day) & (care_hours["day"] <= last_day)]
    hours = hours_in_window.groupby("service_id")["hours"].sum().astype(float).rename("care_hours")
    result = services.set_index("service_id").join(counts).join(hours)
    result["incidents"] = result["incidents"].fillna(0).astype(int)
    result["care_hours"] = result["care_hours"].fillna(0.0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (result["incidents"] * 100 / result["care_hours"]).round(RATE_DECIMALS)
    result["rate"] = rate.where(result["care_hours"] > 0)
    return result.reset_index()


def provider_median(rates: pd.DataFrame) -> float | None:
    """The median rate across the provider's services that have a rate; None when none has one."""
    known = rates["rate"].dropna()
    if known.empty:
        return None
    return round(float(known.median()), RATE_DECIMALS)


def flag_above_median(rates: pd.DataFrame, median: float | None) -> pd.DataFrame:
    """Add `above_median`: True only when the rate is strictly greater than the median."""
    flagged = rates.copy()
    if median is None:
        flagged["above_median"] = False
    else:
        flagged["above_median"] = (flagged["rate"] > median).fillna(False).astype(bool)
    return flagged


def matching_services(
    services: pd.DataFrame, source_service_id: int, trigger_tags: list[str], same_type_only: bool
) -> pd.DataFrame:
    """The services whose risk profile matches the trigger's: at least one shared risk tag and, when asked,
    the same service type as the source service. The source service itself is never a match.

    services: service_id, name, service_type, tags (list of tag codes).  Adds `shared_tags`.
    """
    wanted = set(trigger_tags)
    source_type = services.loc[services["service_id"] == source_service_id, "service_type"]
    shared = services["tags"].map(lambda tags: sorted(wanted.intersection(tags)))
    matches = services.assign(shared_tags=shared)
    keep = (matches["service_id"] != source_service_id) & (matches["shared_tags"].map(len) > 0)
    if same_type_only and not source_type.empty:
        keep &= matches["service_type"] == source_type.iloc[0]
    return matches[keep].reset_index(drop=True)


@dataclass(frozen=True)
class A1Decision:
    """Step A1's decision, made by the engine's evaluator on the case's own threshold rule (the seed's
    "matched services > 2 and any rate above the median", or the provider's tuning of it)."""

    matched_count: int
    above_median_count: int
    median: float | None
    mandatory: bool
    rule_text: str
    # Found: leaving out by hand the only service above the median turned the decision off unsaid.
    left_out_words: str = ""
    # The included services' rates: the median is written to as many places as tell it from them, as
    # the table beside it writes it (found: "0.051" in the decision, "0.0514" in the table).
    rates: tuple = ()

    @property
    def explanation(self) -> str:
        verdict = (
            "Mandatory learning must be issued today" if self.mandatory else "Mandatory learning not required"
        )
        return f"{verdict}: {self.grounds}"

    @property
    def grounds(self) -> str:
        """What the decision rests on: the counts, the median and the rule."""
        services = f"{self.matched_count} matched service{'s' if self.matched_count != 1 else ''}"
        if self.median is None:
            # Without care hours there is no median to be above ("0 above the no provider median").
            return f"{services}; no provider median (no care hours recorded). The rule: {self.rule_text}."
        median = f"provider median {format_rate(self.median, self.rates)} per 100 care hours"
        left_out = f" {self.left_out_words}." if self.left_out_words else ""
        return (
            f"{services}, {self.above_median_count} above the {median}. The rule: {self.rule_text}.{left_out}"
        )


def a1_decision(matched: pd.DataFrame, median: float | None, rule: dict, measures: list[dict]) -> A1Decision:
    """Decide A1 from the included matched services (columns: rate, above_median) with the step's rule.

    The rule is evaluated by the engine's one evaluator on the figures the step's measures name by
    computation, so the page and the recorded step never disagree. Without a median no rate can be
    above it (NaN compares false)."""
    rates = matched["rate"].dropna() if len(matched) else pd.Series(dtype=float)
    return a1_decision_of(
        len(matched),
        {str(label): float(rate) for label, rate in rates.items()},
        int(matched["above_median"].sum()) if len(matched) else 0,
        median,
        rule,
        measures,
    )


def a1_decision_of(
    matched_count: int,
    rates: dict[str, float],
    above_median_count: int,
    median: float | None,
    rule: dict,
    measures: list[dict],
) -> A1Decision:
    """A1's decision as `a1_decision` makes it, from the included matched services already counted:
    their number, the rates of those with one (by service name) and how many are above the median.
    A trigger's page has them at hand; building a frame of its 35 services only to count them again
    cost half a millisecond a page."""
    values = computations.by_computation(
        measures,
        {
            "matched_service_count": matched_count,
            "matched_service_incident_rates": rates,
            "provider_median_incident_rate": float("nan") if median is None else median,
        },
    )
    return A1Decision(
        matched_count=matched_count,
        above_median_count=above_median_count,
        median=median,
        mandatory=rules.evaluate(rule, values, measures).breached,
        rule_text=rules.describe_rule(rule, measures),
        rates=tuple(rates.values()),
    )


def confirmation_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Per trigger, the % of included matched services whose implementation is confirmed.

    counts: trigger_id, services, confirmed (one row per trigger, counted by the database).
    Adds rate, to one decimal place.
    """
    if counts.empty:
        return pd.DataFrame({"trigger_id": [], "services": [], "confirmed": [], "rate": []})
    rates = counts.copy()
    rates["rate"] = [
        percentage(Fraction(int(confirmed) * 100, int(services)))
        for confirmed, services in zip(rates["confirmed"], rates["services"], strict=True)
    ]
    return rates


def percentage(exact: Fraction) -> float:
    """An exact percentage to one decimal place, a half rounded up (16.65 is 16.7): rounding a float
    would give 16.6, as 16.65 is stored a little below itself."""
    tenths = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(tenths)


def average_rate(counts: pd.DataFrame) -> float | None:
    """The average of the rows' confirmation rates (columns services, confirmed), from the exact rates
    and rounded once: averaging rates already rounded gave 16.6% for 0% and 33.3%, not 16.7%.
    None when there is no row."""
    if counts.empty:
        return None
    exact = sum(
        (
            Fraction(int(confirmed) * 100, int(services))
            for confirmed, services in zip(counts["confirmed"], counts["services"], strict=True)
        ),
        Fraction(0),
    )
    return percentage(exact / len(counts))


def weekly_rates(week_numbers: list[int], incidents, hour_hundredths) -> pd.DataFrame:
    """Pooled incident rate per 100 care hours in matched services, week by week around learning issue,
    from the week's totals over the matches (`incidents`, and care hours in hundredths of an hour, in
    the order of `week_numbers`; each match keeps its own, `trend.refresh_trend_figures`).

    Week -1 is the 7 London days before the issue day, week 1 the issue day and the 6 after, and so on.
    A service's week counts only if it has care hours that week, so a service that recorded none
    cannot inflate the rate with incidents over no hours: the totals already leave such weeks out.
    Returns week, period ("before"/"after"), incidents, care_hours, rate (NaN without care hours).
    """
    frame = pd.DataFrame({"week": week_numbers})
    frame["period"] = np.where(frame["week"] < 0, "before", "after")
    frame["incidents"] = np.asarray(incidents, dtype=np.int64).astype(int)
    frame["care_hours"] = np.asarray(hour_hundredths, dtype=np.int64) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (frame["incidents"] * 100 / frame["care_hours"]).round(3)
    frame["rate"] = rate.where(frame["care_hours"] > 0)
    return frame
