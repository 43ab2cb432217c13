"""Loading what the analysis functions need into DataFrames: one query per table, never one per row.

Incidents and care hours are read from the daily roll-up, so a frame's size follows the number of
services and days asked for, never the number of incidents behind them.
"""

from datetime import date, datetime, time

import pandas as pd
from django.db.models import Count

from providers.calendar import LONDON
from providers.models import Service, ServiceRiskTag

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


def daily_figures(service_filter: dict, first_day: date, last_day: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filtered services' incidents and care hours on each London day of [first_day, last_day],
    read from the daily roll-up (`ServiceDay`, kept current by `rollup.after_data_saved`) in one query.

    Returns two frames: service_id, day, incidents (days without any incident left out), and
    service_id, day, hours (float; days without a recorded figure left out). Their size follows the
    number of services and days asked for, never the number of incidents behind them.
    """
    rows = (
        ServiceDay.objects.filter(
            day__gte=first_day,
            day__lte=last_day,
            **{f"service__{key}": value for key, value in service_filter.items()},
        )
        .order_by()
        .values_list("service_id", "day", "incidents", "care_hours")
    )
    frame = pd.DataFrame(list(rows), columns=["service_id", "day", "incidents", "hours"])
    incidents = frame.loc[frame["incidents"] > 0, ["service_id", "day", "incidents"]]
    hours = frame.loc[frame["hours"].notna(), ["service_id", "day", "hours"]]
    return (
        incidents.astype({"service_id": int, "incidents": int}).reset_index(drop=True),
        hours.astype({"service_id": int, "hours": float}).reset_index(drop=True),
    )


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
