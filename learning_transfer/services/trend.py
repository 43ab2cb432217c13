"""Keeping each matched service's trend figures: its service's incidents and care hours in the 4 weeks
before and after its trigger's learning was issued (`MatchedService.TREND_FIGURES`).

Why kept rather than counted per request: the executive summary's trend pools every issued match of
the year, and each match's 8 weeks span the year's daily roll-up of every matched service. Read per
request at 500 services that was about 17,000 (service, issue day) pairs and 183,000 roll-up rows, about
two thirds of the 365-day summary's time; computing the weekly sums in one SQL statement instead (a
rolling 7-day window over the roll-up) took longer still. Kept on the match, the trend is one SUM over
the filtered matches, which the filters (period, theme, region, inclusion) narrow as they narrow every
other count.

`refresh_trend_figures(match_ids)` is the one function that writes them. A match's figures follow its
service, its trigger's issue day and that service's roll-up around it, so it is called wherever one of
them changes, in the same transaction: learning issued (`notices.issue_notices`), a match created
(`triggers.match_services`, `triggers.adjust_match`), every recount of the roll-up
(`rollup.after_data_saved`, for the matches whose weeks reach into the days recounted), the admin (a
trigger, a match), the benchmark's bulk builder (through its roll-up) and the migration that filled
them. It is set-based and idempotent: it works the figures out again from the roll-up, whatever they
were.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import DateField, F, IntegerField, Max, Min, Value
from django.db.models.functions import Cast, Coalesce, Round, TruncDate

from providers.calendar import LONDON
from providers.models import Service

from ..models import MatchedService, ServiceDay
from ..models.triggers import TREND_WEEKS, trend_field
from .data import DaysAfter, london_start

ORIGIN = date(2000, 1, 1)  # days are compared as whole numbers of days after this date
SPAN_BEFORE = 7 * -min(TREND_WEEKS)  # days before the issue day the first week starts
SPAN_AFTER = 7 * max(TREND_WEEKS)  # days from the issue day (included) the last week covers


def _week_start(week: int) -> int:
    """The week's first day, in days from the issue day (week -1 starts 7 days before it, week 1 on it)."""
    return 7 * week if week < 0 else 7 * (week - 1)


def refresh_trend_figures(match_ids) -> None:
    """Work out again the trend figures of the matched services `match_ids` (ids, or a queryset of
    ids) from the daily roll-up: for each week around its trigger's London issue day, its service's
    incidents and care hours (hundredths), incidents counted only in a week with care hours. A match
    whose trigger is not issued keeps zeros. Idempotent, so safe for any rows; only rows whose figures
    change are written.

    The services of issued matches are locked as `rollup.after_data_saved` locks them, so a recount of
    their days and this refresh take turns: each then reads the other's committed rows (otherwise
    learning issued while an import recounts the same days could keep the days from before it). A
    match not issued reads no day, so logging a trigger never waits for an import."""
    matches = MatchedService.objects.filter(pk__in=match_ids).order_by()
    issued = matches.filter(trigger__notices_issued_at__isnull=False)
    with transaction.atomic():
        services = Service.objects.filter(pk__in=issued.values("service_id")).order_by("pk")
        list(services.select_for_update(no_key=True).values("pk"))
        span = issued.aggregate(
            first=Min("trigger__notices_issued_at"), last=Max("trigger__notices_issued_at")
        )
        if span["first"] is None:  # nothing issued: an empty range of days, so every figure is 0
            first, last = ORIGIN, ORIGIN - timedelta(days=1)
        else:
            first = span["first"].astimezone(LONDON).date() - timedelta(days=SPAN_BEFORE)
            last = span["last"].astimezone(LONDON).date() + timedelta(days=SPAN_AFTER - 1)
        _write_weeks(matches, first, last)


def _write_weeks(matches, first_day: date, last_day: date) -> None:
    """One UPDATE: the weekly sums of each (service, issue day) pair, computed once for the matches
    that share it, given to each match (zeros when not issued), writing only the rows that change."""
    origin = Value(ORIGIN, output_field=DateField())
    # Days as whole numbers (issue day NULL when not issued), in named columns, so the statement below
    # reads them by name and adds days the same way on PostgreSQL and SQLite.
    day_number = DaysAfter(TruncDate("trigger__notices_issued_at", tzinfo=LONDON), origin)
    matches = matches.annotate(match_id=F("pk"), issue_day=day_number)
    matches = matches.values_list("match_id", "service_id", "issue_day")
    days = (
        ServiceDay.objects.filter(
            service_id__in=matches.values("service_id"), day__gte=first_day, day__lte=last_day
        )
        .order_by()
        .annotate(
            day_number=DaysAfter(F("day"), origin),
            hundredths=Coalesce(Cast(Round(F("care_hours") * 100), IntegerField()), Value(0)),
        )
        .values_list("service_id", "day_number", "incidents", "hundredths")
    )
    matches_sql, matches_params = matches.query.sql_with_params()
    days_sql, days_params = days.query.sql_with_params()
    sums, figures, columns = [], [], []
    for week in TREND_WEEKS:
        start = _week_start(week)
        in_week = f"d.day_number >= p.issue_day + {start} AND d.day_number < p.issue_day + {start + 7}"
        incidents, hours = trend_field(week, "incidents"), trend_field(week, "hour_hundredths")
        sums.append(f"SUM(CASE WHEN {in_week} THEN d.incidents ELSE 0 END) AS {incidents}")
        sums.append(f"SUM(CASE WHEN {in_week} THEN d.hundredths ELSE 0 END) AS {hours}")
        # A week without care hours does not count: its incidents are kept as 0.
        figures.append(f"CASE WHEN weekly.{hours} > 0 THEN weekly.{incidents} ELSE 0 END AS {incidents}")
        figures.append(f"COALESCE(weekly.{hours}, 0) AS {hours}")
        columns += [incidents, hours]
    table = connection.ops.quote_name(MatchedService._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET {", ".join(f"{column} = w.{column}" for column in columns)}
            FROM (
                SELECT m.match_id, {", ".join(figures)}
                FROM ({matches_sql}) m
                LEFT JOIN (
                    SELECT p.service_id, p.issue_day, {", ".join(sums)}
                    FROM (
                        SELECT DISTINCT service_id, issue_day FROM ({matches_sql}) q
                        WHERE issue_day IS NOT NULL
                    ) p
                    JOIN ({days_sql}) d
                      ON d.service_id = p.service_id
                     AND d.day_number >= p.issue_day - {SPAN_BEFORE}
                     AND d.day_number < p.issue_day + {SPAN_AFTER}
                    GROUP BY p.service_id, p.issue_day
                ) weekly ON weekly.service_id = m.service_id AND weekly.issue_day = m.issue_day
            ) w
            WHERE {table}.id = w.match_id
              AND ({", ".join(f"{table}.{column}" for column in columns)})
                  <> ({", ".join(f"w.{column}" for column in columns)})
            """,
            [*matches_params, *matches_params, *days_params],
        )


def matches_around(service_ids, first_day: date | None, last_day: date | None):
    """The matched services (a queryset of ids) of these services whose trend weeks reach into the
    London days [first_day, last_day] (None: every day): their issue day is at most 4 weeks after the
    last day and their last week ends on or after the first day."""
    matches = MatchedService.objects.filter(
        service_id__in=service_ids, trigger__notices_issued_at__isnull=False
    )
    if first_day is not None:
        earliest = first_day - timedelta(days=SPAN_AFTER - 1)
        matches = matches.filter(trigger__notices_issued_at__gte=london_start(earliest))
    if last_day is not None:
        latest = last_day + timedelta(days=SPAN_BEFORE)
        matches = matches.filter(trigger__notices_issued_at__lt=london_start(latest + timedelta(days=1)))
    return matches.order_by().values("pk")
