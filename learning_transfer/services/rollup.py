"""Keeping the daily roll-up (`ServiceDay`) and the review flags (`ReviewFlag`) up to date.

`after_data_saved(service_ids, first_day, last_day)` is the one function every path that writes
incidents or care hours calls, in the same transaction as its rows (imports, manual entry, the admin,
the demo, the benchmark). It is set-based and idempotent: it recounts the days asked for from the raw
rows (DELETE, then INSERT … SELECT … GROUP BY), whatever was there before, works out again the trend
figures of the matched services whose weeks around learning issue reach into those days
(`trend.refresh_trend_figures`), and the services' review flags, so calling it twice, or over a wider
range than needed, is always safe.

Two saves touching the same services at once are put one after the other by a row lock on each service
(`FOR NO KEY UPDATE`, which does not stop incidents being written for that service meanwhile): the
second recount then sees the first one's committed rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, IntegerField, Value
from django.db.models.functions import TruncDate

from providers.calendar import LONDON
from providers.models import Service

from ..models import CareHours, Incident, ServiceDay
from . import review_flags, trend
from .common import Phases
from .data import london_start


def after_data_saved(
    service_ids,
    first_day: date | None = None,
    last_day: date | None = None,
    *,
    incidents_changed: bool = True,
    phases: Phases | None = None,
) -> None:
    """Bring the roll-up of these services up to date after their incidents or care hours were saved,
    changed or deleted on London days [first_day, last_day] (None: every day).

    `incidents_changed=False` (a care-hours import) skips the review flags, which only incidents move.
    An incident moved from one day to another needs both days inside the range. `phases`, when given,
    times the roll-up and the review flags.
    """
    ids = sorted({int(pk) for pk in service_ids})
    if not ids:
        return
    phases = phases or Phases()
    with transaction.atomic():
        with phases("roll-up"):
            # One save at a time per service, always locked in the same order so two never deadlock.
            services = Service.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
            list(services.values("pk"))
            _recount_days(ids, first_day, last_day)
        with phases("trend"):
            # The matched services whose weeks around learning issue reach into the recounted days.
            trend.refresh_trend_figures(trend.matches_around(ids, first_day, last_day))
        if incidents_changed:
            with phases("review flags"):
                # Flags only look back: those before the first day saved stay as they are.
                review_flags.refresh_flags(ids, None if first_day is None else london_start(first_day))


def refresh_provider(provider) -> None:
    """Recount everything of one provider (its thresholds changed, or a backfill)."""
    after_data_saved(Service.objects.filter(provider=provider).values_list("pk", flat=True))


@dataclass
class Touched:
    """The services and London days a save touches, gathered chunk by chunk, refreshed once at the end."""

    service_ids: set = field(default_factory=set)
    first_day: date | None = None
    last_day: date | None = None

    def add(self, service_ids, days) -> None:
        """Note rows saved: their service ids, and the London days they were saved on."""
        days = [day for day in days if day is not None]
        if not days:
            return
        self.service_ids.update(int(pk) for pk in pd.unique(pd.Series(service_ids)))
        self.first_day = min([*days, self.first_day] if self.first_day else days)
        self.last_day = max([*days, self.last_day] if self.last_day else days)

    def add_instants(self, service_ids, instants) -> None:
        """Note incidents saved: service ids and the aware instants they occurred at. A later instant
        is never on an earlier London day, so only the first and last become days (turning a
        million instants into days one by one takes seconds)."""
        instants = pd.to_datetime(pd.Series(instants), utc=True).dropna()
        if not instants.empty:
            ends = [instants.min(), instants.max()]
            self.add(service_ids, [moment.tz_convert(LONDON).date() for moment in ends])

    def refresh(self, *, incidents_changed: bool = True, phases: Phases | None = None) -> None:
        after_data_saved(
            self.service_ids,
            self.first_day,
            self.last_day,
            incidents_changed=incidents_changed,
            phases=phases,
        )


def _recount_days(ids: list[int], first_day: date | None, last_day: date | None) -> None:
    """Replace the services' ServiceDay rows on [first_day, last_day] with a fresh count."""
    days = ServiceDay.objects.filter(service_id__in=ids)
    incidents = Incident.objects.filter(service_id__in=ids)
    hours = CareHours.objects.filter(service_id__in=ids)
    if first_day is not None:
        days = days.filter(day__gte=first_day)
        incidents = incidents.filter(occurred_at__gte=london_start(first_day))
        hours = hours.filter(day__gte=first_day)
    if last_day is not None:
        days = days.filter(day__lte=last_day)
        incidents = incidents.filter(occurred_at__lt=london_start(last_day + timedelta(days=1)))
        hours = hours.filter(day__lte=last_day)
    days._raw_delete(days.db)  # derived rows: nothing refers to them, no signal listens
    no_hours = Value(None, output_field=DecimalField(max_digits=8, decimal_places=2))
    counted = (
        incidents.annotate(day=TruncDate("occurred_at", tzinfo=LONDON))
        .values("service_id", "day")
        .annotate(incidents=Count("pk"), care_hours=no_hours)
        .order_by()
        .values_list("service_id", "day", "incidents", "care_hours")
    )
    recorded = hours.annotate(incidents=Value(0, output_field=IntegerField()), care_hours=F("hours"))
    recorded = recorded.order_by().values_list("service_id", "day", "incidents", "care_hours")
    counted_sql, counted_params = counted.query.sql_with_params()
    recorded_sql, recorded_params = recorded.query.sql_with_params()
    table = connection.ops.quote_name(ServiceDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (service_id, day, incidents, care_hours)
            SELECT service_id, day, SUM(incidents), SUM(care_hours)
            FROM ({counted_sql} UNION ALL {recorded_sql}) figures
            GROUP BY service_id, day
            """,
            [*counted_params, *recorded_params],
        )
