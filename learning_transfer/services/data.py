"""Loading what the analysis functions need into DataFrames: one query per table, never one per row.

Incidents arrive already counted per service and day, so a frame's size follows the number of services
and days asked for, never the number of incidents behind them.
"""

from datetime import date, datetime, time, timedelta

import pandas as pd
from django.db.models import Count
from django.db.models.functions import TruncDate

from providers.calendar import LONDON
from providers.models import Service, ServiceRiskTag

from ..models import CareHours, ImplementationLine, Incident


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


def daily_incidents(service_filter: dict, first_day: date, last_day: date) -> pd.DataFrame:
    """service_id, day (London date), incidents: how many incidents each filtered service had on each
    day of [first_day, last_day] (days without any are left out).

    Counted by the database (GROUP BY service and London day, served by the service/time index), so
    the frame has at most one row per service per day however many incidents there are.
    """
    rows = (
        Incident.objects.filter(
            occurred_at__gte=london_start(first_day),
            occurred_at__lt=london_start(last_day + timedelta(days=1)),
            **{f"service__{key}": value for key, value in service_filter.items()},
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=LONDON))
        .values("service_id", "day")
        .annotate(incidents=Count("pk"))
        .order_by()  # no default ordering, which would split the groups
        .values_list("service_id", "day", "incidents")
    )
    frame = pd.DataFrame(list(rows), columns=["service_id", "day", "incidents"])
    return frame.astype({"service_id": int, "incidents": int})


def care_hours_frame(service_filter: dict, first_day: date, last_day: date) -> pd.DataFrame:
    """service_id, day, hours (float) on [first_day, last_day] at the filtered services."""
    rows = CareHours.objects.filter(
        day__gte=first_day, day__lte=last_day, **{f"service__{k}": v for k, v in service_filter.items()}
    ).values_list("service_id", "day", "hours")
    frame = pd.DataFrame(list(rows), columns=["service_id", "day", "hours"])
    frame["hours"] = frame["hours"].astype(float)
    return frame


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
