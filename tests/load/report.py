"""The load run's result in a few lines: signing in, then the steady state once everyone is signed in
(throughput, p50 and p95, the slowest pages), and the errors of the whole run.

Signing in is reported apart: 50 people signing in within seconds is a storm of deliberately slow
password checks (Argon2) that a working day spreads over hours, and it would hide how pages behave.
"""

import math
from collections import defaultdict

SIGN_IN = "sign in"
HOTTEST = 5  # slowest pages listed


def percentile(values, share: float) -> float:
    """The nearest-rank percentile (share 0.95 for p95) of the values; 0 for none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(
    samples, *, started: float, steady_from: float | None, ended: float, errors: int, hottest=5
) -> str:
    """`samples` are (time sent, request name, milliseconds); sign-in requests are named from SIGN_IN.
    The steady state runs from `steady_from` (when the last person had signed in) to `ended`."""
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
        f"errors (whole run): {errors}",
        "slowest in the steady state (p95 ms, requests, page):",
        *(f"  {percentile(ms, 0.95):6.0f}  {len(ms):5d}  {name}" for name, ms in hot),
    ]
    return "\n".join(lines)
