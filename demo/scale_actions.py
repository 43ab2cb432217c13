"""The actions `benchmark_scale` times against a bare baseline run in the same process, on its data.

Each action runs inside a savepoint that is rolled back, so every run starts from the same rows and
the baseline does exactly the same work on exactly the same rows:
* logging a trigger (matched services, their rates and the provider median, chain A started) against
  the SQL it runs;
* an evidence pack (its HTML rendered, then its PDF) against bare WeasyPrint on the same HTML;
* the engine tick with each of `TICK_DUE` step runs due among the open ones (as many as are open, at
  most), through the engine's public `tick`, against a hand-written UPDATE … RETURNING + INSERT …
  SELECT making the same escalations for the same due rows.
"""

import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from escalation import engine
from escalation.management.commands.benchmark_escalations import (
    ROLES,
    bare_insert_select,
    build_step_runs,
    engine_has_run,
    make_due,
)
from learning_transfer import services
from learning_transfer.choices import IncidentTheme
from providers.choices import RiskTag
from providers.models import RoleAssignment, Service, User
from reporting_control import packs
from reporting_control import services as reporting
from reporting_control.choices import Audience, LineKind

PACK_SERVICES = 60  # named services in the benchmark's evidence pack, one line each
TICK_DUE = (1_000, 10_000)  # step runs due at each tick timed (a tenth of those open at most at first)


class _Timed:
    """Wall time, SQL time and queries of one block of work."""

    def __init__(self):
        self.sql: list[float] = []
        self.seconds = 0.0

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self._time_sql)
        self._wrapper.__enter__()
        self._began = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.perf_counter() - self._began
        self._wrapper.__exit__(*exc_info)

    def _time_sql(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql.append(time.perf_counter() - began)


def _undone(work, runs: int) -> list[_Timed]:
    """Run `work()` `runs` times, each inside a savepoint rolled back afterwards, timing each."""
    timings = []
    for _ in range(runs):
        savepoint = transaction.savepoint()
        try:
            with _Timed() as timed:
                work()
            timings.append(timed)
        finally:
            transaction.savepoint_rollback(savepoint)
    return timings


def _alternately(work, baseline, runs: int) -> tuple[list[_Timed], list[_Timed]]:
    """Time `work` and `baseline` turn about, each run undone: every rolled-back run leaves dead rows
    behind, so taking turns has both meet the same ones."""
    timings, baselines = [], []
    for _ in range(runs):
        baselines += _undone(baseline, 1)
        timings += _undone(work, 1)
    return timings, baselines


def percentile(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


def _row(label: str, timings: list[_Timed], against: str, baseline_ms: float) -> str:
    times = [t.seconds * 1000 for t in timings]
    p50 = statistics.median(times)
    queries = len(timings[-1].sql)
    ratio = p50 / baseline_ms if baseline_ms else 0
    return (
        f"| {label} | {p50:.0f} | {percentile(times, 95):.0f} | {queries} | {against} | "
        f"{baseline_ms:.0f} | {ratio:.1f}× |"
    )


def measure_actions(people: dict, trigger, sizes: dict, runs: int) -> list[str]:
    """One table row per action: its times and queries, the baseline's time and the ratio."""
    return [
        _trigger_logged(people["quality"], trigger, sizes, runs),
        _evidence_pack(people["ni"], trigger, runs),
        *_engine_ticks(trigger.provider, sizes, runs),
    ]


def _trigger_logged(quality_director, trigger, sizes: dict, runs: int) -> str:
    """A quality director logs a failure: the services are matched, with rates and the median."""
    now = timezone.now()

    def log():
        services.log_trigger(
            by=quality_director,
            source_service=trigger.source_service,
            title="Benchmark: unwitnessed fall",
            theme=IncidentTheme.FALL,
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=now - timedelta(hours=1),
            now=now,
            log_late=True,  # timed as logged, whether or not a step's deadline has just passed
        )

    timings = _undone(log, runs)
    sql_ms = statistics.median(sum(t.sql) * 1000 for t in timings)
    label = f"trigger logged → {sizes['services'] - 1} services matched, rates and median"
    return _row(label, timings, "its SQL", sql_ms)


def _evidence_pack(editor, trigger, runs: int) -> str:
    """A pack of an update with a line per named service, against WeasyPrint alone on its HTML."""
    provider = trigger.provider
    named = list(Service.objects.filter(provider=provider).order_by("pk")[:PACK_SERVICES])
    update = reporting.plan_update(
        by=editor,
        provider=provider,
        title="Benchmark update",
        audience=Audience.REGULATOR,
        issue_at=timezone.now() + timedelta(days=14),
        triggers=[trigger],
        services=named,
    )
    reporting.add_line(
        update,
        by=editor,
        claim="Learning adopted provider-wide.",
        kind=LineKind.PROVIDER_WIDE,
        services=named,
    )
    for service in named:
        reporting.add_line(
            update,
            by=editor,
            claim=f"Falls checks in place at {service.name}.",
            kind=LineKind.NAMED_SERVICE,
            services=[service],
        )
    html = packs.render_pack_html(update)
    packs.html_to_pdf(html)  # load fonts once, as a worker that built a pack before would have

    pages = []

    def bare():
        from weasyprint import HTML  # imported here: loading Pango is a cost only this measurement pays

        document = HTML(string=html).render()
        pages.append(len(document.pages))
        document.write_pdf()

    bare_ms = statistics.median(t.seconds * 1000 for t in _undone(bare, runs))
    timings = _undone(lambda: packs.html_to_pdf(packs.render_pack_html(update)), runs)
    return _row(f"evidence pack, {pages[0]} pages", timings, "bare WeasyPrint, same HTML", bare_ms)


def _engine_ticks(provider, sizes: dict, runs: int) -> list[str]:
    """A tick with each of TICK_DUE step runs due among the open ones, against the bare SQL on the same
    due rows."""
    for role in ROLES:  # someone to tell at every level, as at a real provider
        if not RoleAssignment.objects.filter(provider=provider, role=role).exists():
            person = User.objects.create(username=f"scale-{role}", email=f"{role}@example.org")
            RoleAssignment.objects.create(user=person, role=role, provider=provider)
    engine_has_run()
    now = timezone.now()
    services_ = list(Service.objects.filter(provider=provider).order_by("pk"))
    total = build_step_runs(services_, sizes["open_step_runs"], now)
    first, *more = TICK_DUE
    rows = []
    for wanted in (min(first, total // 10), *(min(count, total) for count in more)):
        due = make_due(wanted, now, provider_name=provider.name)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE escalation_steprun")
        timings, bare = _alternately(lambda: engine.tick(now), lambda: bare_insert_select(now), runs)
        bare_ms = statistics.median(t.seconds * 1000 for t in bare)
        label = f"engine tick, {due:,} due of {total:,} open"
        rows.append(_row(label, timings, "bare INSERT … SELECT", bare_ms))
    return rows
