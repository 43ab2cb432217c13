"""Benchmark the main pages on a large provider's data (PostgreSQL only).

Builds, with bulk SQL, a provider of the size the largest adult social care groups run (at --scale 1:
500 services, 2 million incidents over a year, a year of daily care hours, 5,000 issued learning
triggers with 174,000 matched services and their notices, 100,000 open step runs), then requests
each main page --requests times and prints, per page, the median and 95th-percentile time, the
queries, the time spent in SQL and the ratio of the two. A second table times three actions against
a bare baseline run in the same process: logging a trigger (matched services, rates and median)
against its own SQL, an evidence pack against bare WeasyPrint on the same HTML, and the engine tick
(1,000 due among the open step runs, then 10,000) against a hand-written INSERT … SELECT doing the
same writes. A third imports a file of new incidents (1 million rows at --scale 1, then three times
as many) beside a bare COPY of the same file (import_benchmark); `--skip-import` leaves it out.
Everything it built is rolled back at the end. `--scale 0.001` makes a small copy in seconds (CI runs
it so the command cannot rot).

To work on one part at full scale without building the data each time: `--keep` commits what it built
(measurements are still undone), and `--reuse` (with the same --scale) measures the provider a
`--keep` run left, building nothing; `--only pages` (or `actions`, `import`) times one table. Keep it
in a database of its own.
"""

import logging
import statistics
import time
import tracemalloc
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.testing import signed_in
from demo import scale_actions as actions
from demo.import_benchmark import measure_imports
from demo.scale_actions import percentile
from learning_transfer import chain
from learning_transfer.choices import IncidentTheme, TriggerStatus
from learning_transfer.models import LearningNotice, LearningTrigger, MatchedService
from learning_transfer.services.notices import refresh_notice_figures
from learning_transfer.services.rollup import after_data_saved
from providers.choices import RiskTag, Role, Scope
from providers.models import Provider, Region, RoleAssignment, Service, ServiceRiskTag, User

FULL_SCALE = {
    "services": 500,
    "incidents": 2_000_000,
    "triggers": 5_003,
    "matches_per_trigger": 35,
    "open_step_runs": 100_000,
    "imported_rows": 1_000_000,  # then three times as many
}
ACTION_RUNS = 5  # times each action is timed (each undone before the next)
DAYS = 365
PROVIDER_NAME = "Scale Benchmark Care Ltd"


class Rollback(Exception):
    """Raised to undo everything the benchmark built."""


# With DEBUG on, Django keeps every query with its values written out, which production does not do:
# logging a trigger took 277 ms instead of 164 on the same data (the page and action times, not the SQL).
DEBUG_WARNING = (
    "DEBUG is on: Django records every query with its values, so pages and actions take longer than "
    "they would in production. Measure with DEBUG=false (and a SECRET_KEY) for figures to compare."
)


class Command(BaseCommand):
    help = "Build a large provider's data on PostgreSQL, time the main pages, then drop it all."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Share of the full dataset (0-1].")
        parser.add_argument("--requests", type=int, default=20, help="Requests per page.")
        parser.add_argument(
            "--skip-import", action="store_true", help="Leave out the import of new incidents."
        )
        parser.add_argument(
            "--only", choices=["pages", "actions", "import"], help="Time one table and no other."
        )
        kept = parser.add_mutually_exclusive_group()
        kept.add_argument("--keep", action="store_true", help="Commit the built data for --reuse.")
        kept.add_argument("--reuse", action="store_true", help="Measure the data a --keep run left.")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_scale needs PostgreSQL (set DATABASE_URL).")
        logging.getLogger("axes").setLevel(logging.WARNING)  # one sign-in per page is not news
        if settings.DEBUG:
            self.stderr.write(DEBUG_WARNING)
        sizes = {name: max(4, round(value * options["scale"])) for name, value in FULL_SCALE.items()}
        if options["reuse"]:  # give the --scale it was kept at: the actions' sizes follow it
            people, trigger = kept_data()
            # An earlier run's actions analysed 100,000 step runs it then rolled back, and PostgreSQL
            # keeps a table's size estimate from an ANALYZE even when its rows are undone: plan for
            # the rows the kept database holds. An earlier import's rolled-back millions of rows stay
            # in the tables as dead rows until a VACUUM: pages read after it took 2-3 times as long.
            # (VACUUM cannot run inside a transaction, as in the suite's tests: ANALYZE alone there.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        elif options["keep"]:
            with transaction.atomic():
                people, trigger = self.build_all(sizes)
        parts = {options["only"]} if options["only"] else {"pages", "actions", "import"}
        if options["skip_import"]:
            parts.discard("import")
        try:
            with transaction.atomic():
                if not (options["keep"] or options["reuse"]):
                    people, trigger = self.build_all(sizes)
                self.run(people, trigger, sizes, options["requests"], parts)
                raise Rollback
        except Rollback:
            kept = " (the built data was kept)" if options["keep"] or options["reuse"] else ""
            self.stdout.write(f"Everything the benchmark changed was rolled back{kept}.")

    def build_all(self, sizes: dict) -> tuple[dict, LearningTrigger]:
        """Build the provider, roll it up and analyse it; print how long that took."""
        started = time.perf_counter()
        people, trigger = build(sizes, timezone.now())
        built = time.perf_counter()
        # The daily roll-up and review flags of every service, as the backfill migration makes them.
        after_data_saved(Service.objects.filter(provider=trigger.provider).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            # The built rows' foreign-key checks, deferred to a commit that never comes: run them now,
            # or the first thing timed that runs them (the import) would pay for the whole build.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        rolled_up = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Built {sizes['services']} services with their staff, {sizes['incidents']} incidents, "
            f"{sizes['triggers']} triggers in {built - started:.1f} s; their daily roll-up, review flags "
            f"and foreign-key checks in {rolled_up - built:.1f} s."
        )
        return people, trigger

    def run(self, people: dict, trigger: LearningTrigger, sizes: dict, requests: int, parts: set) -> None:
        if "pages" in parts:
            self.time_pages(people, trigger, requests)
        if "actions" in parts:
            self.stdout.write("| action | p50 ms | p95 ms | queries | against | its ms (p50) | ratio |")
            self.stdout.write("|---|---:|---:|---:|---|---:|---:|")
            for row in actions.measure_actions(people, trigger, sizes, ACTION_RUNS):
                self.stdout.write(row)
            self.stdout.write("")
        if "import" in parts:
            provider = trigger.provider
            cqc_ids = list(provider.services.order_by("pk").values_list("cqc_location_id", flat=True))
            for line in measure_imports(
                provider, people["quality"], cqc_ids, sizes["imported_rows"], timezone.now()
            ):
                self.stdout.write(line)

    def time_pages(self, people: dict, trigger: LearningTrigger, requests: int) -> None:
        self.stdout.write("| page | p50 ms | p95 ms | queries | SQL ms (p50) | page ÷ SQL |")
        self.stdout.write("|---|---:|---:|---:|---:|---:|")
        for label, username, url in pages(people, trigger):
            self.stdout.write(measure(label, people[username], url, requests))
        self.stdout.write("")
        for label, username, url in pages(people, trigger):
            if "summary" in label:
                self.stdout.write(peak_memory(label, people[username], url))
        self.stdout.write("")


def kept_data() -> tuple[dict, LearningTrigger]:
    """The people and newest trigger of the provider a `--keep` run left."""
    provider = Provider.objects.filter(name=PROVIDER_NAME).first()
    if provider is None:
        raise CommandError("No kept benchmark provider: run with --keep first.")
    people = {name: User.objects.get(username=f"scale-{name}") for name in ("quality", "ni")}
    people["operations"] = operations_director(provider)
    trigger = provider.learning_triggers.order_by("-confirmed_at", "-pk").first()
    return people, trigger


def operations_director(provider) -> User:
    """The provider's operations director (one of the staff `add_staff` made)."""
    return User.objects.filter(
        role_assignments__provider=provider, role_assignments__role=Role.OPERATIONS_DIRECTOR
    ).first()


def pages(people: dict, trigger: LearningTrigger) -> list[tuple[str, str, str]]:
    """(label, who asks, address) for each main page."""
    region = trigger.source_service.region_id
    return [
        ("learning-transfer register", "quality", "/learning/"),
        ("trigger (matched services, rates)", "quality", f"/learning/triggers/{trigger.pk}/"),
        ("incidents awaiting review", "quality", "/learning/review/"),
        ("incidents, newest first", "quality", "/learning/incidents/"),
        ("organisation (services by region)", "quality", "/organisation/"),
        ("quality director's dashboard", "quality", f"/dashboard/{Role.QUALITY_DIRECTOR}/"),
        ("nominated individual's dashboard", "ni", f"/dashboard/{Role.NOMINATED_INDIVIDUAL}/"),
        ("operations director's dashboard", "operations", f"/dashboard/{Role.OPERATIONS_DIRECTOR}/"),
        ("learning notices", "quality", "/learning/notices/"),
        ("executive summary (365 days)", "ni", "/learning/summary/"),
        ("executive summary (90 days)", "ni", "/learning/summary/?period=90"),
        ("executive summary (365 days, one region)", "ni", f"/learning/summary/?region={region}"),
    ]


def measure(label: str, user, url: str, requests: int) -> str:
    """One table row: the page's times, queries and SQL time over `requests` requests."""
    client = signed_in(Client(), user)  # provider-level people pass the second step too
    client.get(url)  # warm caches, as a page seen before would be
    page_ms, sql_ms, queries = [], [], 0
    for _ in range(requests):
        timings: list[float] = []

        def timed(execute, sql, params, many, context, timings=timings):
            begun = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(time.perf_counter() - begun)

        begun = time.perf_counter()
        with connection.execute_wrapper(timed):
            response = client.get(url)
        page_ms.append((time.perf_counter() - begun) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        sql_ms.append(sum(timings) * 1000)
        queries = len(timings)
    p50, p95 = statistics.median(page_ms), percentile(page_ms, 95)
    sql = statistics.median(sql_ms)
    return f"| {label} | {p50:.0f} | {p95:.0f} | {queries} | {sql:.0f} | {p50 / sql if sql else 0:.1f}× |"


def peak_memory(label: str, user, url: str) -> str:
    """The most Python memory held at once while one request of the page is answered (tracemalloc
    counts pandas' and numpy's arrays too), asked once after the timed requests: tracing slows it."""
    client = signed_in(Client(), user)
    tracemalloc.start()
    try:
        client.get(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return f"{label}: at most {peak / 2**20:.0f} MB of Python memory in one request."


def build(sizes: dict, now) -> tuple[dict, LearningTrigger]:
    """The provider, its people, services, incidents, care hours, triggers, matches and notices."""
    provider = Provider.objects.create(name=PROVIDER_NAME, cqc_provider_id="SCALE-1")
    regions = Region.objects.bulk_create([Region(provider=provider, name=f"Region {n}") for n in range(5)])
    services = Service.objects.bulk_create(
        Service(
            provider=provider,
            region=regions[n % len(regions)],
            name=f"Scale service {n:04d}",
            cqc_location_id=f"SCALE-{n}",
            service_type="residential",
        )
        for n in range(sizes["services"])
    )
    ServiceRiskTag.objects.bulk_create(ServiceRiskTag(service=s, tag=RiskTag.FALLS) for s in services)
    people = {}
    for username, role in (("quality", Role.QUALITY_DIRECTOR), ("ni", Role.NOMINATED_INDIVIDUAL)):
        people[username] = User.objects.create(username=f"scale-{username}", is_active=True)
        RoleAssignment.objects.create(user=people[username], role=role, provider=provider)
    add_staff(provider, regions, services)
    people["operations"] = operations_director(provider)
    service_ids = [s.pk for s in services]
    insert_incidents(service_ids, sizes["incidents"], now)
    insert_care_hours(service_ids, now)
    trigger = build_triggers(provider, services, sizes, people["quality"], now)
    chain.start(trigger, people["quality"])  # the trigger page shows its chain A case
    return people, trigger


# The colleagues a large provider has beside the two who are timed: a page that names who acts on a
# step, or a tick that tells the holders of a role, tries every one of them.
STAFF_ROLES = {
    Scope.PROVIDER: [
        Role.PROVIDER_DIRECTOR,
        Role.OPERATIONS_DIRECTOR,
        Role.COMPLIANCE_MANAGER,
        Role.GOVERNANCE_OFFICER,
        Role.PERFORMANCE_ANALYST,
        Role.RESIDENT_EXPERIENCE_LEAD,
    ],
    Scope.REGION: [Role.DEPUTY_REGIONAL_MANAGER],
    Scope.SERVICE: [Role.REGISTERED_MANAGER, Role.CLINICAL_LEAD],
}


def add_staff(provider, regions, services) -> None:
    """One person in each of the provider's other roles: each provider-wide role, a deputy for each
    region, and a registered manager and a clinical lead for each service (about 1,000 at 500)."""
    places = [(role, {}) for role in STAFF_ROLES[Scope.PROVIDER]]
    places += [(role, {"region": r}) for role in STAFF_ROLES[Scope.REGION] for r in regions]
    places += [(role, {"service": s}) for role in STAFF_ROLES[Scope.SERVICE] for s in services]
    users = User.objects.bulk_create(
        User(username=f"scale-staff-{n}", first_name="Staff", last_name=str(n), is_active=True)
        for n in range(len(places))
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, provider=provider, **place)
        for user, (role, place) in zip(users, places, strict=True)
    )
    managers = {
        place["service"].pk: user
        for user, (role, place) in zip(users, places, strict=True)
        if role == Role.REGISTERED_MANAGER
    }
    for service in services:
        service.registered_manager = managers[service.pk]
    Service.objects.bulk_update(services, ["registered_manager"])


def insert_incidents(service_ids: list[int], count: int, now) -> None:
    """`count` incidents spread over the last year: mostly harmless, a few of each review reason."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO learning_transfer_incident (service_id, source_reference, occurred_at, theme,
                harm_level, safeguarding_concern, regulatory_notification, people_affected, description)
            SELECT (%(services)s::bigint[])[1 + g %% cardinality(%(services)s::bigint[])], 'S-' || g,
                   %(now)s - random() * interval '365 days',
                   (%(themes)s::text[])[1 + g %% cardinality(%(themes)s::text[])],
                   CASE WHEN g %% 500 = 0 THEN 'severe' ELSE 'none' END,
                   g %% 400 = 0, g %% 700 = 0, CASE WHEN g %% 300 = 0 THEN 2 ELSE 1 END, ''
            FROM generate_series(1, %(count)s) g
            """,
            {"services": service_ids, "themes": list(IncidentTheme.values), "now": now, "count": count},
        )


def insert_care_hours(service_ids: list[int], now) -> None:
    """A figure for every service on every day of the last year."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO learning_transfer_carehours (service_id, day, hours)
            SELECT s, d::date, round((300 + random() * 100)::numeric, 2)
            FROM unnest(%(services)s::bigint[]) s,
                 generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
            """,
            {"services": service_ids, "first": (now - timedelta(days=DAYS)).date(), "last": now.date()},
        )


def build_triggers(provider, services, sizes: dict, by, now) -> LearningTrigger:
    """Issued triggers over the year, each matched to the next services in turn, one notice each
    (half acknowledged). Returns the newest trigger."""
    per_trigger = min(sizes["matches_per_trigger"], len(services) - 1)
    triggers = LearningTrigger.objects.bulk_create(
        LearningTrigger(
            provider=provider,
            title=f"Scale failure {n}",
            source_service=services[n % len(services)],
            theme=IncidentTheme.FALL,
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=now - timedelta(days=DAYS * n / sizes["triggers"], hours=2),
            notices_issued_at=now - timedelta(days=DAYS * n / sizes["triggers"], hours=1),
            status=TriggerStatus.ISSUED,
            logged_by=by,
        )
        for n in range(sizes["triggers"])
    )
    matches = MatchedService.objects.bulk_create(
        (
            MatchedService(trigger=t, service=services[(n + k + 1) % len(services)], rate_7d=1)
            for n, t in enumerate(triggers)
            for k in range(per_trigger)
        ),
        batch_size=5000,
    )
    LearningNotice.objects.bulk_create(
        (
            LearningNotice(
                matched_service=m,
                owner=by,
                issued_at=m.trigger.notices_issued_at,
                issued_by=by,
                due_at=m.trigger.notices_issued_at + timedelta(hours=72),
                acknowledged_at=m.trigger.notices_issued_at + timedelta(hours=1) if n % 2 else None,
            )
            for n, m in enumerate(matches)
        ),
        batch_size=5000,
    )
    refresh_notice_figures(MatchedService.objects.filter(trigger__provider=provider).values("pk"))
    return triggers[0]
