"""Loading what the analysis functions need into DataFrames: one query per table, never one per row.

Incidents and care hours are read from the daily roll-up, so a frame's size follows the number of
services and days asked for, never the number of incidents behind them.
"""

from datetime import date, datetime, time

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, DateField, F, Func, IntegerField, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round

from providers.calendar import LONDON
from providers.models import Service, ServiceRiskTag

from .. import analysis
from ..models import ImplementationLine, ServiceDay


def london_start(day: date) -> datetime:
    """The instant a London day begins (midnight wall time)."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def services_frame(provider) -> pd.DataFrame:
    """service_id, name, service_type, risk_level, region_id, tags (list) for each provider service."""
    rows = list(
        Service.objects.filter(provider=provider).values_list(
            "pk", "name", "service_type", "risk_level", "region_id"
        )
    )
    tags: dict[int, list[str]] = {}
    for service_id, tag in ServiceRiskTag.objects.filter(service__provider=provider).values_list(
        "service_id", "tag"
    ):
        tags.setdefault(service_id, []).append(tag)
    frame = pd.DataFrame(rows, columns=["service_id", "name", "service_type", "risk_level", "region_id"])
    frame["tags"] = frame["service_id"].map(lambda pk: sorted(tags.get(pk, [])))
    return frame


class DaysAfter(Func):
    """Whole days from a date to the row's day, counted by the database (an integer, not an interval)."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date - date is a number of days

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


NO_FIGURE = -1  # care hours of a day with incidents but no recorded figure, while read as integers


def daily_figures(service_filter: dict, first_day: date, last_day: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filtered services' incidents and care hours on each London day of [first_day, last_day],
    read from the daily roll-up (`ServiceDay`, kept current by `rollup.after_data_saved`) in one query.

    Returns two frames: service_id, day, incidents (days without any incident left out), and
    service_id, day, hours (float; days without a recorded figure left out). Their size follows the
    number of services and days asked for, never the number of incidents behind them. `day` holds
    dates. The rows are read as integers (day numbers, hundredths of an hour), with no Python object per
    value: a year of 500 services is 180,000 rows.
    """
    rows = (
        ServiceDay.objects.filter(
            day__gte=first_day,
            day__lte=last_day,
            **{f"service__{key}": value for key, value in service_filter.items()},
        )
        .order_by()
        .values_list(
            "service_id",
            DaysAfter(F("day"), Value(first_day, output_field=DateField())),
            "incidents",
            Coalesce(Cast(Round(F("care_hours") * 100), IntegerField()), Value(NO_FIGURE)),
        )
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        numbers = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 4)
    days = np.datetime64(first_day, "D") + numbers[:, 1].astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "service_id": numbers[:, 0],
            "day": days.astype("datetime64[ns]"),
            "incidents": numbers[:, 2],
            "hours": numbers[:, 3] / 100,
        }
    )
    frame["day"] = frame["day"].dt.date
    incidents = frame.loc[frame["incidents"] > 0, ["service_id", "day", "incidents"]]
    hours = frame.loc[numbers[:, 3] != NO_FIGURE, ["service_id", "day", "hours"]]
    return incidents.reset_index(drop=True), hours.reset_index(drop=True)


def incidents_on_record(services, up_to: date | None = None) -> int:
    """How many incidents `services` (a query of services) have on record, on London days up to
    `up_to` if given, summed from the daily roll-up, which counts every incident on its London day:
    one row a service a day, however many incidents. Counting a large provider's 2 million incidents
    themselves took 0.15 s a page."""
    days = ServiceDay.objects.filter(service__in=services)
    if up_to is not None:
        days = days.filter(day__lte=up_to)
    return days.aggregate(total=Coalesce(Sum("incidents"), 0))["total"]


def provider_rates(provider, first_day: date, last_day: date, services: pd.DataFrame | None = None):
    """Every service's incidents, care hours and rate per 100 care hours over [first_day, last_day] and
    the provider median of those rates: what A1 judges the matched services against (`services`, the
    provider's `services_frame`, when the caller has it). Returns (rates frame, median or None)."""
    services = services_frame(provider) if services is None else services
    incidents, care_hours = daily_figures({"provider": provider}, first_day, last_day)
    named = services[["service_id", "name"]]
    rates = analysis.incident_rates(named, incidents, care_hours, first_day, last_day)
    return rates, analysis.provider_median(rates)


def open_actions_due_by(service_ids, horizon: datetime) -> dict[int, int]:
    """How many open action lines each service has due by the horizon (overdue ones included:
    an open action past its due time is still an open action due)."""
    rows = (
        ImplementationLine.objects.filter(
            service_id__in=list(service_ids), completed_at__isnull=True, due_at__lte=horizon
        )
        .values("service_id")
        .annotate(open_lines=Count("pk"))
    )
    return {row["service_id"]: row["open_lines"] for row in rows}
