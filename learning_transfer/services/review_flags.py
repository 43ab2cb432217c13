"""Which incidents meet a review threshold (seed 003), worked out by the database.

Serious harm, a safeguarding concern, a regulatory notification and several people affected are plain
conditions on the incident. A repeat is the incident
that completes `repeat_count` incidents of its type at its service within `repeat_window_days` (both
ends included), counting afresh after each flagged one, from the first incident on record, so a busy
service gets one review per cluster (the 3rd, then the 6th …) rather than one for every incident after
the third, and an incident once flagged stays flagged as time passes.

Flags are worked out when incidents are saved (`refresh_flags`, called by `rollup.after_data_saved`)
and stored as `ReviewFlag` rows; the review list then reads only the flagged incidents of the
look-back period. How the repeats are found without reading the incidents out:
1. `ranked`: each incident's position within its (service, type) and the time of the incident
   `repeat_count - 1` places earlier (window functions). When that earlier one is inside the window,
   the incident *completes* a cluster, counting from any point.
2. `runs`: consecutive completing positions, one row per run ("gaps and islands").
3. `clusters`: which positions of each run are flagged. Within a run every `repeat_count`-th position
   is, from the first one at least `repeat_count` after the previous flag, which may lie in the run
   before; a recursive walk over the runs (a handful per service and type) carries that over.
   When only incidents from some instant on are worked out again, `seeds` starts that walk from the
   last stored repeat flag of the window before it (see `refresh_flags`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, QuerySet, Window
from django.db.models.functions import Lag, RowNumber

from providers.models import Provider, Service

from ..choices import SERIOUS_HARM, CandidateStatus, ReviewReason
from ..models import Incident, IncidentReview, LearningTrigger, ReviewFlag, ReviewThresholds

REASONS = list(ReviewReason.values)  # each reason is also the name of its column in the query
NEW_FLAGS = "review_flags_worked_out"  # a temporary table: the flags as they should be

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
    lookbacks: list[tuple[QuerySet, datetime]],
    *,
    now: datetime,
    status: str = CandidateStatus.AWAITING,
    reason: str = "",
    limit: int | None = None,
    offset: int = 0,
    incident_id: int | None = None,
) -> FlaggedPage:
    """The incidents that need a formal review in the look-back periods `lookbacks` (pairs of one
    provider's services and the start of its period) up to `now`: the `limit` from the `offset`-th
    newest (None: all), and the count of all of them. One query, whichever providers the pairs mix.

    `status` keeps those awaiting a decision, those decided (a review outcome or a learning trigger)
    or all; `reason` keeps those with that reason; `incident_id` asks about one incident.
    """
    if not lookbacks:
        return FlaggedPage({}, 0)
    adapt = connection.ops.adapt_datetimefield_value
    scopes, params = [], []
    for services, since in lookbacks:
        services_sql, services_params = services.order_by().values("pk").query.sql_with_params()
        scopes.append(f"(f.service_id IN ({services_sql}) AND f.occurred_at >= %s)")
        params += [*services_params, adapt(since)]
    keep = [f"({' OR '.join(scopes)})", "f.occurred_at <= %s", _status_condition(status)]
    params.append(adapt(now))
    if reason:
        if reason not in REASONS:
            raise ValueError(f"Unknown review reason {reason!r}")
        keep.append(f"f.{reason}")
    if incident_id is not None:
        keep.append("f.incident_id = %s")
        params.append(incident_id)
    page, page_params = "", []
    if limit is not None:
        page, page_params = "LIMIT %s OFFSET %s", [limit, offset]
    sql = _FLAGGED.format(
        flags=connection.ops.quote_name(ReviewFlag._meta.db_table),
        keep=" AND ".join(keep),
        reasons=", ".join(f"f.{code}" for code in REASONS),
        page=page,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, *page_params])
        rows = cursor.fetchall()
    page = [row for row in rows if row[1] is not None]  # none when the page is past the last
    reasons = {row[1]: [code for code, on in zip(REASONS, row[2:], strict=True) if on] for row in page}
    return FlaggedPage(reasons, rows[0][0])


def refresh_flags(service_ids: list[int], since: datetime | None = None) -> None:
    """Work out the review flags of these services again, each service on its provider's thresholds,
    for their incidents from `since` on (None: all of them), and store only the difference.

    Nothing before `since` changed, so neither did its flags, which only look back. Those after it
    are worked out from the incidents of one repeat window earlier on (the most a cluster reaches back)
    and from the last stored repeat flag in that window, which says where the count starts afresh
    (see `_FLAGS`): the same flags as a recount from the first incident on record.

    The flags are worked out set-based (one INSERT … SELECT per provider) into a temporary table, and
    only the difference is stored (`_store_differences`), with whether each incident is decided.
    """
    by_provider: dict[int, list[int]] = {}
    for pk, provider_id in Service.objects.filter(pk__in=service_ids).values_list("pk", "provider_id"):
        by_provider.setdefault(provider_id, []).append(pk)
    flags = connection.ops.quote_name(ReviewFlag._meta.db_table)
    names = ["incident_id", "service_id", "occurred_at", *REASONS]
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW_FLAGS} AS SELECT {columns} FROM {flags} WHERE 1 = 0")
        for provider_id, ids in by_provider.items():
            thresholds = ReviewThresholds.for_provider(Provider(pk=provider_id))
            sql, params = _flags_sql(ids, thresholds, since)
            cursor.execute(f"INSERT INTO {NEW_FLAGS} ({columns}) {sql}", params)
        _store_differences(cursor, service_ids, since)
        cursor.execute(f"DROP TABLE {NEW_FLAGS}")


def _store_differences(cursor, service_ids: list[int], since: datetime | None) -> None:
    """Make the stored flags of these services from `since` on (None: all) those worked out in the
    temporary table: delete the ones no longer flagged, update the ones whose reasons or decision
    changed, insert the new ones. A flag that stays as it was is not touched at all: an import adding a
    month of incidents to a year of them leaves most flags alone. (An upsert of every flag worked out
    would lock each unchanged one, a write per flag.) Whether each incident is decided comes from one
    join to the decided incidents (a probe per flag of a year's recount would cost a second per
    700,000 flags)."""
    flags = connection.ops.quote_name(ReviewFlag._meta.db_table)
    stored = ["service_id", "occurred_at", *REASONS]
    params = list(service_ids)
    recounted = ""
    if since is not None:
        recounted = "AND occurred_at >= %s"
        params.append(connection.ops.adapt_datetimefield_value(since))
    cursor.execute(f"ANALYZE {NEW_FLAGS}")  # a temporary table has no statistics until asked
    cursor.execute(
        f"DELETE FROM {flags} WHERE service_id IN ({', '.join(['%s'] * len(service_ids))}) {recounted}"
        f" AND NOT EXISTS (SELECT 1 FROM {NEW_FLAGS} new WHERE new.incident_id = {flags}.incident_id)",
        params,
    )
    worked_out = (
        f"{NEW_FLAGS} new LEFT JOIN ({_decided_incidents_sql()}) d ON d.incident_id = new.incident_id"
    )
    decided = "(d.incident_id IS NOT NULL)"
    changed = " OR ".join([*(f"{flags}.{c} <> new.{c}" for c in stored), f"{flags}.decided <> {decided}"])
    cursor.execute(
        f"UPDATE {flags} SET {', '.join(f'{c} = new.{c}' for c in stored)}, decided = {decided}"
        f" FROM {worked_out} WHERE new.incident_id = {flags}.incident_id AND ({changed})"
    )
    columns = ["incident_id", *stored]
    # New flags go in by time: the order of the awaiting index and, for an export in time order, of
    # the primary key. In the order worked out (service, type, time) each landed on another leaf of
    # both: a year-long import's 770,000 new flags took 7-11 s, reading and writing up to a million
    # pages, against 5 s in time order.
    cursor.execute(
        f"INSERT INTO {flags} ({', '.join(columns)}, decided)"
        f" SELECT {', '.join(f'new.{c}' for c in columns)}, {decided} FROM {worked_out}"
        f" WHERE NOT EXISTS (SELECT 1 FROM {flags} stored WHERE stored.incident_id = new.incident_id)"
        " ORDER BY new.occurred_at, new.incident_id"
    )


def _flags_sql(
    service_ids: list[int], thresholds: ReviewThresholds, since: datetime | None
) -> tuple[str, list]:
    """The SELECT of the services' flags on these thresholds (incident, service, time, reasons), of
    the incidents from `since` on (None: all)."""
    window = timedelta(days=thresholds.repeat_window_days)
    ranked_sql, params = _ranked(service_ids, thresholds, None if since is None else since - window)
    # With no `since`, every condition on it reads "any time": an instant before every incident.
    since_value = connection.ops.adapt_datetimefield_value(since or datetime(1, 1, 2, tzinfo=UTC))
    params.append(since_value)  # seeds: the stored repeat flags before `since`
    params.append(window if connection.vendor == "postgresql" else thresholds.repeat_window_days)
    params.append(since_value)  # runs: only those from `since` on
    params += [*SERIOUS_HARM, thresholds.people_affected, since_value]
    sql = _FLAGS.format(
        flags=connection.ops.quote_name(ReviewFlag._meta.db_table),
        reasons=", ".join(REASONS),
        ranked=ranked_sql,
        within_window=WITHIN_WINDOW[connection.vendor],
        count=int(thresholds.repeat_count),
        harm_levels=", ".join(["%s"] * len(SERIOUS_HARM)),
    )
    return sql, params


def _ranked(service_ids: list[int], thresholds: ReviewThresholds, start: datetime | None) -> tuple[str, list]:
    """SQL for every incident of the services from `start` on (None: all), each with its position in its
    (service, type) counted from there, the time of the incident `repeat_count - 1` places earlier
    and the threshold fields."""
    same_kind = {"partition_by": [F("service_id"), F("theme")], "order_by": [F("occurred_at"), F("id")]}
    incidents = Incident.objects.filter(service_id__in=service_ids)
    if start is not None:
        incidents = incidents.filter(occurred_at__gte=start)
    rows = (
        incidents.annotate(
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


def refresh_decided(incident_ids) -> None:
    """Store whether each of these incidents' flags is decided (a review outcome or a learning trigger
    exists), after a review was recorded or a trigger logged, moved or deleted. One UPDATE; an
    incident that is not flagged has nothing to store."""
    ids = [int(pk) for pk in incident_ids if pk is not None]
    if not ids:
        return
    flags = connection.ops.quote_name(ReviewFlag._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {flags} SET decided = {_decided_sql(flags)}"
            f" WHERE incident_id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )


def _decided_sql(alias: str) -> str:
    """SQL: the flag `alias` (any row with an incident_id) has a review outcome or a learning trigger,
    asked of each flag through the reviews' and triggers' indexes: for a few flags."""
    reviews, triggers = IncidentReview._meta.db_table, LearningTrigger._meta.db_table
    return (
        f"(EXISTS (SELECT 1 FROM {reviews} d WHERE d.incident_id = {alias}.incident_id)"
        f" OR EXISTS (SELECT 1 FROM {triggers} d WHERE d.source_incident_id = {alias}.incident_id))"
    )


def _decided_incidents_sql() -> str:
    """SQL: the same question the other way round, the ids of the incidents with a review outcome or
    a learning trigger, each once: joined to many flags at a time."""
    reviews, triggers = IncidentReview._meta.db_table, LearningTrigger._meta.db_table
    return (
        f"SELECT incident_id FROM {reviews}"
        f" UNION SELECT source_incident_id FROM {triggers} WHERE source_incident_id IS NOT NULL"
    )


def _status_condition(status: str) -> str:
    """Which flags the status keeps, read from the stored `decided` (its partial index serves those
    awaiting a decision)."""
    if status == CandidateStatus.AWAITING:
        return "NOT f.decided"
    if status == CandidateStatus.REVIEWED:
        return "f.decided"
    if status == CandidateStatus.ALL:
        return "1 = 1"
    raise ValueError(f"Unknown review status {status!r}")


# The first flagged position of a run: its start, or `count` after the previous run's last flag.
_FIRST_FLAG = "CASE WHEN n.first_position > c.next_allowed THEN n.first_position ELSE c.next_allowed END"

_FLAGS = (
    """
WITH RECURSIVE
ranked AS ({ranked}),
seeds AS (
    SELECT r.service_id, r.theme, MAX(r.position) + {count} AS next_allowed
    FROM ranked r JOIN {flags} f ON f.incident_id = r.id
    WHERE f.repeated AND r.occurred_at < %s
    GROUP BY r.service_id, r.theme
),
runs AS (
    SELECT service_id, theme, MIN(position) AS first_position, MAX(position) AS last_position
    FROM (
        SELECT service_id, theme, position,
               position - ROW_NUMBER() OVER (PARTITION BY service_id, theme ORDER BY position) AS run
        FROM ranked
        WHERE cluster_start IS NOT NULL AND {within_window} AND occurred_at >= %s
    ) completing
    GROUP BY service_id, theme, run
),
numbered AS (
    SELECT service_id, theme, first_position, last_position,
           ROW_NUMBER() OVER (PARTITION BY service_id, theme ORDER BY first_position) AS run_number
    FROM runs
),
clusters (service_id, theme, run_number, first_flag, last_position, next_allowed) AS (
    SELECT kinds.service_id, kinds.theme, CAST(0 AS BIGINT), CAST(NULL AS BIGINT), CAST(0 AS BIGINT),
           CAST(COALESCE(s.next_allowed, 0) AS BIGINT)
    FROM (SELECT DISTINCT service_id, theme FROM numbered) kinds
    LEFT JOIN seeds s ON s.service_id = kinds.service_id AND s.theme = kinds.theme
    UNION ALL
    SELECT n.service_id, n.theme, n.run_number, FIRST_FLAG, n.last_position,
           CASE WHEN FIRST_FLAG > n.last_position THEN c.next_allowed
                ELSE FIRST_FLAG + {count} * ((n.last_position - FIRST_FLAG) / {count}) + {count} END
    FROM clusters c
    JOIN numbered n
      ON n.service_id = c.service_id AND n.theme = c.theme AND n.run_number = c.run_number + 1
)
SELECT id, service_id, occurred_at, {reasons}
FROM (
    SELECT r.id, r.service_id, r.occurred_at,
           r.harm_level IN ({harm_levels}) AS serious_harm,
           c.first_flag IS NOT NULL AS repeated,
           r.safeguarding_concern AS safeguarding,
           r.regulatory_notification AS regulatory,
           r.people_affected >= %s AS several_people
    FROM ranked r
    LEFT JOIN clusters c
      ON c.service_id = r.service_id AND c.theme = r.theme
     AND r.position BETWEEN c.first_flag AND c.last_position
     AND (r.position - c.first_flag) %% {count} = 0
    WHERE r.occurred_at >= %s
) judged
WHERE serious_harm OR repeated OR safeguarding OR regulatory OR several_people
"""
).replace("FIRST_FLAG", _FIRST_FLAG)


# The flagged incidents kept, newest first: the count of all of them beside each row of the page,
# and once, with no row, when the page is past the last. Each part is read from an index on its own:
# the count from the partial index alone, the page by walking it from the newest.
_FLAGGED = """
SELECT total.n, f.incident_id, {reasons}
FROM (SELECT COUNT(*) AS n FROM {flags} f WHERE {keep}) total
LEFT JOIN (
    SELECT f.incident_id, f.occurred_at, {reasons}
    FROM {flags} f
    WHERE {keep}
    ORDER BY f.occurred_at DESC, f.incident_id DESC
    {page}
) f ON 1 = 1
ORDER BY f.occurred_at DESC, f.incident_id DESC
"""
