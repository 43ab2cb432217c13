"""The load run's result in a few lines: signing in, then the steady state once everyone is signed in
(throughput, p50 and p95, the slowest pages), and the errors of the whole run.

Signing in is reported apart: 50 people signing in within seconds is a storm of deliberately slow
password checks (Argon2) that a working day spreads over hours, and it would hide how pages behave.
"""

import math
import os
from collections import defaultdict

SIGN_IN = "sign in"
HOTTEST = 5  # slowest pages listed


def percentile(values, share: float) -> float:
    """The nearest-rank percentile (share 0.95 for p95) of the values; 0 for none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def cpu_seconds(pids) -> float:
    """CPU time (user and system) the processes have used so far; 0 for one that is gone."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def database_pids(url: str) -> list[int]:
    """The PostgreSQL server processes serving the other connections to the database at `url` (the web
    workers' persistent ones during a load run); none when it cannot be asked."""
    try:
        # imported here: only the load run measures the database, and the suite needs no connection for it
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchall()
    except Exception:  # a missing driver or server only leaves the database's share unreported
        return []
    return [pid for (pid,) in rows]


def summary(
    samples,
    *,
    started: float,
    steady_from,
    ended: float,
    errors: int,
    server_cpu=None,
    database_cpu=None,
    locust_cpu=None,
) -> str:
    """`samples` are (time sent, request name, milliseconds); sign-in requests are named from SIGN_IN.
    The steady state runs from `steady_from` (when the last person had signed in, or None) to `ended`;
    `server_cpu` is the CPU seconds the web server's workers used in it, when known, and
    `database_cpu` those of the database server's processes serving them, and `locust_cpu` the load
    generator's own (it shares the machine's cores with them)."""
    signing = [ms for _, name, ms in samples if name.startswith(SIGN_IN)]
    lines = [
        f"signing in: {len(signing)} requests, p95 {percentile(signing, 0.95):.0f} ms; everyone signed in "
        + (f"after {steady_from - started:.0f} s" if steady_from else "never (see the errors)"),
    ]
    steady = [(name, ms) for at, name, ms in samples if steady_from and at >= steady_from]
    seconds = ended - steady_from if steady_from else 0
    times = [ms for _, ms in steady]
    rate = len(times) / max(seconds, 1e-9)
    by_name = defaultdict(list)
    for name, ms in steady:
        by_name[name].append(ms)
    hot = sorted(by_name.items(), key=lambda item: percentile(item[1], 0.95), reverse=True)[:HOTTEST]
    lines += [
        f"steady state: {len(times)} requests in {seconds:.0f} s = {rate:.1f} req/s",
        f"steady state p50 / p95: {percentile(times, 0.5):.0f} / {percentile(times, 0.95):.0f} ms",
        *(
            _cpu_lines(server_cpu, database_cpu, locust_cpu, len(times))
            if server_cpu is not None and times
            else []
        ),
        f"errors (whole run): {errors}",
        "slowest in the steady state (p95 ms, requests, page):",
        *(f"  {percentile(ms, 0.95):6.0f}  {len(ms):5d}  {name}" for name, ms in hot),
    ]
    return "\n".join(lines)


def _cpu_lines(server_cpu: float, database_cpu, locust_cpu, requests: int) -> list[str]:
    """What a request costs the web workers and the database, whatever else the machine was running."""
    per_request = server_cpu / requests
    lines = [
        f"web workers' CPU in the steady state: {1000 * per_request:.0f} ms a request "
        f"(2 free cores would serve at most {2 / per_request:.0f} req/s, PostgreSQL's share not counted)"
    ]
    if database_cpu is not None:
        both = per_request + database_cpu / requests
        lines.append(
            f"PostgreSQL's CPU for them: {1000 * database_cpu / requests:.0f} ms a request; web and "
            f"database together {1000 * both:.0f} ms (2 free cores: at most {2 / both:.0f} req/s)"
        )
    if locust_cpu is not None:
        # On one machine the load generator's CPU is taken from the same cores as the server's.
        lines.append(f"locust's own CPU on the same cores: {1000 * locust_cpu / requests:.0f} ms a request")
    return lines
