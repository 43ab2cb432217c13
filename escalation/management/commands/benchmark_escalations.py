"""Benchmark one tick: open step runs across many services, some of them due; time it and count queries.

By default it builds the large provider of the scale benchmark's figures, 100,000 open step runs across
500 services, and measures, in this one process:
- a tick with 1,000 of them due, against the same writes as a bare hand-written `INSERT … SELECT` on
  PostgreSQL (the ratio tick ÷ SQL is the figure to watch; each is run `--repeat` times, alternately,
  each run undone before the next, and the medians compared);
- a tick with 10,000 due;
- that the query count is the same for both.

Everything is created inside a transaction that is rolled back at the end (unless --keep), so it can run
against a real database without leaving rows behind.
"""

import statistics
import time
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import engine
from escalation.models import ChainRun, ChainTemplate, EngineHeartbeat, StepRun
from escalation.services import SNAPSHOT_FIELDS, effective_steps
from providers.choices import Role
from providers.models import Provider, Region, RoleAssignment, Service, User

PROVIDER_NAME = "Benchmark Care Ltd"
# Every role chain A escalates to, held once for the whole provider.
ROLES = [
    Role.OPERATIONS_DIRECTOR,
    Role.QUALITY_DIRECTOR,
    Role.PROVIDER_DIRECTOR,
    Role.COMPLIANCE_MANAGER,
    Role.NOMINATED_INDIVIDUAL,
]
# Open step runs fall due over two hours of deadlines, as after a busy morning: 120 distinct deadlines.
DEADLINE_SPREAD_MINUTES = 120
FUTURE = timedelta(days=3)


class Rollback(Exception):
    """Raised to undo the benchmark's rows."""


class Command(BaseCommand):
    help = "Time one escalation tick over many open step runs against bare SQL, and count its queries."

    def add_arguments(self, parser):
        parser.add_argument("--step-runs", type=int, default=100_000, help="Open step runs to build.")
        parser.add_argument("--services", type=int, default=500)
        parser.add_argument(
            "--due",
            type=int,
            nargs="+",
            default=[1_000, 10_000],
            help="How many are due, for each tick timed.",
        )
        parser.add_argument(
            "--repeat", type=int, default=3, help="Runs of each measurement (the median counts)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the rows instead of rolling back.")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.run(options["services"], options["step_runs"], options["due"], options["repeat"])
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("Benchmark rows rolled back.")

    def run(self, service_count: int, step_run_count: int, due_counts: list[int], repeat: int) -> None:
        now = timezone.now()
        services = build_services(service_count)
        total = build_step_runs(services, step_run_count, now)
        engine_has_run()
        analyse()
        self.stdout.write(
            f"Built {total} open step runs across {service_count} services on {connection.vendor}."
        )
        bare_sql = connection.vendor == "postgresql"
        for wanted in due_counts:
            due = make_due(wanted, now)
            ticks, bares = [], []
            for _ in range(repeat):
                if bare_sql:
                    bares.append(undone(lambda: bare_insert_select(now))[0])
                ticks.append(undone(lambda: engine.tick(now))[0])
            with CaptureQueriesContext(connection) as queries:  # counted apart: logging costs time
                raised = undone(lambda: engine.tick(now).count)[1]
            tick = statistics.median(ticks)
            line = (
                f"Tick with {due} due of {total} open: {tick:.3f} s, "
                f"{len(queries.captured_queries)} queries, {raised} escalations raised"
            )
            if bare_sql:
                bare = statistics.median(bares)
                line += f"; bare INSERT … SELECT {bare:.3f} s; tick ÷ SQL {tick / bare:.1f}×"
            self.stdout.write(line + ".")
        with CaptureQueriesContext(connection) as queries:
            seconds, raised = undone(lambda: engine.tick(now - timedelta(days=1)).count)
        self.stdout.write(
            f"Tick with nothing due: {seconds:.3f} s, {len(queries.captured_queries)} queries, "
            f"{raised} escalations raised."
        )


def undone(work) -> tuple[float, object]:
    """Run `work` and undo what it wrote; return its seconds and its result."""
    point = transaction.savepoint()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    transaction.savepoint_rollback(point)
    return seconds, result


def analyse() -> None:
    """Let PostgreSQL's planner know the tables' new sizes, as autovacuum would after a commit."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (StepRun, ChainRun, Service, RoleAssignment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def build_services(count: int) -> list[Service]:
    """A provider with regions of up to 100 services each, and one person per escalation role."""
    provider = Provider.objects.create(name=PROVIDER_NAME, cqc_provider_id="BENCH-1")
    regions = Region.objects.bulk_create(
        [Region(provider=provider, name=f"Region {n}") for n in range(max(1, count // 100))]
    )
    people = User.objects.bulk_create(
        [User(username=f"bench-{role}", email=f"{role}@example.org") for role in ROLES]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=role, provider=provider)
            for user, role in zip(people, ROLES, strict=True)
        ]
    )
    return Service.objects.bulk_create(
        [
            Service(
                provider=provider,
                region=regions[n % len(regions)],
                name=f"Benchmark service {n}",
                cqc_location_id=f"BENCH-{n}",
                service_type="residential",
            )
            for n in range(count)
        ]
    )


def build_step_runs(services: list[Service], count: int, now) -> int:
    """One chain A case per service, its steps repeated to make `count` step runs, all due in 3 days."""
    chain = ChainTemplate.objects.get(code="A")
    steps = effective_steps(chain, services[0].provider)
    service_type = ContentType.objects.get_for_model(Service)
    runs = ChainRun.objects.bulk_create(
        [
            ChainRun(
                chain=chain,
                provider=service.provider,
                service=service,
                content_type=service_type,
                object_id=service.pk,
                subject_label=service.name,
                anchor_at=now - timedelta(days=2),
            )
            for service in services
        ]
    )
    per_run = max(1, count // len(runs))
    rows = []
    for run in runs:
        for n in range(per_run):
            step = steps[n % len(steps)]
            rows.append(
                StepRun(
                    chain_run=run,
                    step_template=step["template"],
                    occurrence=n // len(steps) + 1,
                    due_at=now + FUTURE - timedelta(minutes=1 + len(rows) % DEADLINE_SPREAD_MINUTES),
                    **{name: step[name] for name in SNAPSHOT_FIELDS},
                )
            )
    StepRun.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def engine_has_run() -> None:
    """The engine's heartbeat row, as every minute's tick leaves it: a tick then updates it, where the
    very first tick, which creates it, reads and writes twice more (not a tick's cost)."""
    EngineHeartbeat.objects.get_or_create(name=engine.HEARTBEAT)


def make_due(count: int, now, provider_name: str = PROVIDER_NAME) -> int:
    """Bring open step runs of the benchmark provider, spread over every service, past their deadlines
    until `count` are due (those due already stay due); return how many are due now."""
    benchmark = StepRun.objects.filter(chain_run__provider__name=provider_name, state="due")
    more = count - benchmark.filter(due_at__lte=now).count()
    if more > 0:
        waiting = benchmark.filter(due_at__gt=now, due_at__lte=now + FUTURE)  # due once brought forward
        waiting = list(waiting.order_by("pk").values_list("pk", flat=True))
        ids = waiting[:: max(1, len(waiting) // more)][:more]
        StepRun.objects.filter(pk__in=ids).update(due_at=F("due_at") - FUTURE)
    return benchmark.filter(due_at__lte=now).count()


def bare_insert_select(now) -> None:
    """The tick's writes as one bare hand-written statement (PostgreSQL): claim the due step runs,
    record an overdue event each, raise an escalation each to the provider's holders of the target
    role, queue their notifications and record the raised events. Fixed words, no working calendar, no
    region or service holders: what the database alone costs."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH claimed AS (
                UPDATE escalation_steprun SET state = 'overdue', overdue_at = %(now)s
                WHERE state = 'due' AND due_at <= %(now)s
                RETURNING id, chain_run_id, code, escalate_to, threshold_rule, action, response_working_hours,
                    due_at
            ), steps AS (
                SELECT claimed.*, cr.provider_id, cr.service_id
                FROM claimed JOIN escalation_chainrun cr ON cr.id = claimed.chain_run_id
            ), overdue AS (
                INSERT INTO escalation_engineevent
                    (kind, at, provider_id, chain_run_id, step_run_id, escalation_id, actor_id, message, data)
                SELECT 'step_overdue', %(now)s, provider_id, chain_run_id, id, NULL, NULL,
                    code || ' was due and was not recorded.', '{}'
                FROM steps ORDER BY id
            ), raised AS (
                INSERT INTO escalation_escalation (step_run_id, chain_run_id, provider_id, service_id, kind,
                    "group", level, parent_id, root_id, target_role, role_gap, reason, rule, deciding, action,
                    response_working_hours, occurred_at, raised_at, acknowledge_by, follow_up_due, state,
                    acknowledged_by_id, acknowledged_at, action_taken, action_recorded_by_id,
                    action_recorded_at, resolved_by_id, resolved_at, resolution_note)
                SELECT id, chain_run_id, provider_id, service_id, 'overdue', '', 1, NULL, NULL, escalate_to,
                    false, code || ' was due and has not been recorded.', threshold_rule, '{}', action,
                    response_working_hours, due_at, %(now)s, %(now)s + interval '1 hour', true, 'raised',
                    NULL, NULL, '', NULL, NULL, NULL, NULL, ''
                FROM steps ORDER BY id
                ON CONFLICT DO NOTHING
                RETURNING id, provider_id, chain_run_id, step_run_id, target_role
            ), told AS (
                INSERT INTO escalation_notification (escalation_id, user_id, email, created_at, claim_token,
                    claimed_at, sent_at, attempts, last_error, read_at)
                SELECT raised.id, ra.user_id, u.email, %(now)s, NULL, NULL, NULL, 0, '', NULL
                FROM raised JOIN providers_roleassignment ra ON ra.provider_id = raised.provider_id
                    AND ra.role = raised.target_role AND ra.service_id IS NULL AND ra.region_id IS NULL
                JOIN providers_user u ON u.id = ra.user_id
                ORDER BY raised.id
            )
            INSERT INTO escalation_engineevent
                (kind, at, provider_id, chain_run_id, step_run_id, escalation_id, actor_id, message, data)
            SELECT 'escalation_raised', %(now)s, provider_id, chain_run_id, step_run_id, id, NULL,
                'Raised.', '{}'
            FROM raised ORDER BY id
            """,
            {"now": now},
        )
