"""Benchmark one tick: N open step runs across M services; report its seconds and queries.

Everything is created inside a transaction that is rolled back at the end (unless --keep), so it can
run against a real database without leaving rows behind. The figure to compare is the query count:
it stays the same whatever the number of due rows (on PostgreSQL; SQLite splits bulk inserts into
batches of at most 999 parameters).
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import engine
from escalation.models import ChainRun, ChainTemplate, Notification, StepRun
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


class Rollback(Exception):
    """Raised to undo the benchmark's rows."""


class Command(BaseCommand):
    help = "Time one escalation tick over many open step runs and count its queries."

    def add_arguments(self, parser):
        parser.add_argument("--step-runs", type=int, default=10_000)
        parser.add_argument("--services", type=int, default=500)
        parser.add_argument(
            "--due", type=float, default=0.5, help="Share of step runs already overdue (0-1)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the rows instead of rolling back.")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.run(options["services"], options["step_runs"], options["due"])
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("Benchmark rows rolled back.")

    def run(self, service_count: int, step_run_count: int, due_share: float) -> None:
        now = timezone.now()
        services = build_services(service_count)
        total, due = build_step_runs(services, step_run_count, due_share, now)
        where = f"across {service_count} services on {connection.vendor}"
        self.stdout.write(f"Built {total} open step runs ({due} overdue) {where}.")
        for label in ("First tick", "Second tick (nothing new)"):
            with CaptureQueriesContext(connection) as queries:
                report = engine.tick(now)
            self.stdout.write(
                f"{label}: {report.seconds:.2f} s, {len(queries.captured_queries)} queries, "
                f"{len(report.raised)} escalations raised."
            )
        queued = Notification.objects.filter(escalation__provider__name=PROVIDER_NAME).count()
        self.stdout.write(f"Notifications queued: {queued}")


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


def build_step_runs(services: list[Service], count: int, due_share: float, now) -> tuple[int, int]:
    """One chain A case per service, its steps repeated to make `count` step runs; the first share overdue."""
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
    due_count = int(count * due_share)
    rows = []
    for run in runs:
        for n in range(per_run):
            step = steps[n % len(steps)]
            rows.append(
                StepRun(
                    chain_run=run,
                    step_template=step["template"],
                    occurrence=n // len(steps) + 1,
                    due_at=now - timedelta(minutes=5) if len(rows) < due_count else now + timedelta(days=3),
                    **{name: step[name] for name in SNAPSHOT_FIELDS},
                )
            )
    StepRun.objects.bulk_create(rows, batch_size=2000)
    return len(rows), min(due_count, len(rows))
