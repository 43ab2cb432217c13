"""Which incidents meet a review threshold (seed 003), worked out by the database in one query.

Serious harm, a safeguarding concern, a regulatory notification and several people affected are plain
conditions on the incident. A repeat is the incident that completes `repeat_count` incidents of its
type at its service within `repeat_window_days` (both ends included), counting afresh after each
flagged one, so a busy service gets one review per cluster (the 3rd, then the 6th …) rather than one
for every incident after the third. Counting starts at the look-back period less one repeat window.

How the repeats are found without reading the incidents out:
1. `ranked`: each incident's position within its (service, type) and the time of the incident
   `repeat_count - 1` places earlier (window functions). When that earlier one is inside the window,
   the incident *completes* a cluster, counting from any point.
2. `runs`: consecutive completing positions, one row per run ("gaps and islands").
3. `clusters`: which positions of each run are flagged. Within a run every `repeat_count`-th position
   is, from the first one at least `repeat_count` after the previous flag, which may lie in the run
   before; a recursive walk over the runs (a handful per service and type) carries that over.
The query returns the newest page of flagged incidents with their reasons and how many there are.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import Lag, RowNumber

from ..choices import SERIOUS_HARM, CandidateStatus, ReviewReason
from ..models import Incident, IncidentReview, LearningTrigger, ReviewThresholds

REASONS = list(ReviewReason.values)  # each reason is also the name of its column in the query

# "This incident and the one `repeat_count - 1` places before it are at most the window apart."
WITHIN_WINDOW = {
    "postgresql": "occurred_at - cluster_start <= %s",
    "sqlite": "julianday(occurred_at) - julianday(cluster_start) <= %s",
}


@dataclass(frozen=True)
class FlaggedPage:
    """The newest flagged incidents asked for (id → reason codes, newest first) and how many in all."""

    reasons: dict[int, list[str]]
    total: int


def flagged_incidents(
    services,
    thresholds: ReviewThresholds,
    *,
    now: datetime,
    status: str = CandidateStatus.AWAITING,
    reason: str = "",
    limit: int | None = None,
    incident_id: int | None = None,
) -> FlaggedPage:
    """The incidents of `services` (one provider's, judged on its `thresholds`) that need a formal
    review, from the look-back period up to `now`: the newest `limit`, and the count of all of them.

    `status` keeps those awaiting a decision, those decided (a review outcome or a learning trigger)
    or all; `reason` keeps those with that reason; `incident_id` asks about one incident.
    """
    since = now - timedelta(days=thresholds.lookback_days)
    ranked_sql, params = _ranked(services, thresholds, since, now)
    window = timedelta(days=thresholds.repeat_window_days)
    params += [window if connection.vendor == "postgresql" else thresholds.repeat_window_days]
    params += [*SERIOUS_HARM, thresholds.people_affected, connection.ops.adapt_datetimefield_value(since)]
    keep = [_status_condition(status)]
    if reason:
        if reason not in REASONS:
            raise ValueError(f"Unknown review reason {reason!r}")
        keep.append(f"{reason} = 1")
    if incident_id is not None:
        keep.append("id = %s")
        params.append(incident_id)
    page = ""
    if limit is not None:
        page = "LIMIT %s"
        params.append(limit)
    sql = _QUERY.format(
        ranked=ranked_sql,
        within_window=WITHIN_WINDOW[connection.vendor],
        count=int(thresholds.repeat_count),
        harm_levels=", ".join(["%s"] * len(SERIOUS_HARM)),
        keep=" AND ".join(keep),
        reasons=", ".join(REASONS),
        page=page,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reasons = {row[0]: [code for code, on in zip(REASONS, row[1:-1], strict=True) if on] for row in rows}
    return FlaggedPage(reasons, rows[0][-1] if rows else 0)


def _ranked(services, thresholds: ReviewThresholds, since: datetime, now: datetime) -> tuple[str, list]:
    """SQL for the incidents counted (the look-back period and one repeat window before it), each with
    its position in its (service, type), the time of the incident `repeat_count - 1` places earlier
    and the threshold fields."""
    same_kind = {"partition_by": [F("service_id"), F("theme")], "order_by": [F("occurred_at"), F("id")]}
    rows = (
        Incident.objects.filter(
            service__in=services,
            occurred_at__gte=since - timedelta(days=thresholds.repeat_window_days),
            occurred_at__lte=now,
        )
        .annotate(
            position=Window(RowNumber(), **same_kind),
            cluster_start=Window(Lag("occurred_at", thresholds.repeat_count - 1), **same_kind),
        )
        .order_by()
        .values(
            "id",
            "service_id",
            "theme",
            "occurred_at",
            "harm_level",
            "safeguarding_concern",
            "regulatory_notification",
            "people_affected",
            "position",
            "cluster_start",
        )
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _status_condition(status: str) -> str:
    """Whether a flagged incident is decided: asked only of flagged incidents, the last filter."""
    reviews, triggers = IncidentReview._meta.db_table, LearningTrigger._meta.db_table
    decided = (
        f"(EXISTS (SELECT 1 FROM {reviews} d WHERE d.incident_id = flagged.id)"
        f" OR EXISTS (SELECT 1 FROM {triggers} d WHERE d.source_incident_id = flagged.id))"
    )
    if status == CandidateStatus.AWAITING:
        return f"NOT {decided}"
    if status == CandidateStatus.REVIEWED:
        return decided
    if status == CandidateStatus.ALL:
        return "1 = 1"
    raise ValueError(f"Unknown review status {status!r}")


# The first flagged position of a run: its start, or `count` after the previous run's last flag.
_FIRST_FLAG = "CASE WHEN n.first_position > c.next_allowed THEN n.first_position ELSE c.next_allowed END"

_QUERY = (
    """
WITH RECURSIVE
ranked AS ({ranked}),
runs AS (
    SELECT service_id, theme, MIN(position) AS first_position, MAX(position) AS last_position
    FROM (
        SELECT service_id, theme, position,
               position - ROW_NUMBER() OVER (PARTITION BY service_id, theme ORDER BY position) AS run
        FROM ranked
        WHERE cluster_start IS NOT NULL AND {within_window}
    ) completing
    GROUP BY service_id, theme, run
),
numbered AS (
    SELECT service_id, theme, first_position, last_position,
           ROW_NUMBER() OVER (PARTITION BY service_id, theme ORDER BY first_position) AS run_number
    FROM runs
),
clusters (service_id, theme, run_number, first_flag, last_position, next_allowed) AS (
    SELECT service_id, theme, run_number, first_position, last_position,
           first_position + {count} * ((last_position - first_position) / {count}) + {count}
    FROM numbered
    WHERE run_number = 1
    UNION ALL
    SELECT n.service_id, n.theme, n.run_number, FIRST_FLAG, n.last_position,
           CASE WHEN FIRST_FLAG > n.last_position THEN c.next_allowed
                ELSE FIRST_FLAG + {count} * ((n.last_position - FIRST_FLAG) / {count}) + {count} END
    FROM clusters c
    JOIN numbered n
      ON n.service_id = c.service_id AND n.theme = c.theme AND n.run_number = c.run_number + 1
),
flagged AS (
    SELECT r.id, r.occurred_at,
           CASE WHEN r.harm_level IN ({harm_levels}) THEN 1 ELSE 0 END AS serious_harm,
           CASE WHEN c.first_flag IS NULL THEN 0 ELSE 1 END AS repeated,
           CASE WHEN r.safeguarding_concern THEN 1 ELSE 0 END AS safeguarding,
           CASE WHEN r.regulatory_notification THEN 1 ELSE 0 END AS regulatory,
           CASE WHEN r.people_affected >= %s THEN 1 ELSE 0 END AS several_people
    FROM ranked r
    LEFT JOIN clusters c
      ON c.service_id = r.service_id AND c.theme = r.theme
     AND r.position BETWEEN c.first_flag AND c.last_position
     AND (r.position - c.first_flag) %% {count} = 0
    WHERE r.occurred_at >= %s
)
SELECT id, {reasons}, COUNT(*) OVER () AS total
FROM flagged
WHERE (serious_harm = 1 OR repeated = 1 OR safeguarding = 1 OR regulatory = 1 OR several_people = 1)
  AND {keep}
ORDER BY occurred_at DESC, id DESC
{page}
"""
).replace("FIRST_FLAG", _FIRST_FLAG)
