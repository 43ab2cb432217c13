"""The load run's result in a few lines: throughput, p95 (with and without signing in), errors, hot pages."""

import math
from collections import defaultdict

SIGN_IN = "sign in"


def percentile(values, share: float) -> float:
    """The nearest-rank percentile (share 0.95 for p95) of the values; 0 for none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(samples, seconds: float, errors: int, hottest: int = 5) -> str:
    """`samples` are (request name, milliseconds); sign-in requests are those named from SIGN_IN."""
    every = [ms for _, ms in samples]
    pages = [ms for name, ms in samples if not name.startswith(SIGN_IN)]
    by_name = defaultdict(list)
    for name, ms in samples:
        by_name[name].append(ms)
    hot = sorted(by_name.items(), key=lambda item: percentile(item[1], 0.95), reverse=True)[:hottest]
    lines = [
        f"requests: {len(every)} in {seconds:.0f} s = {len(every) / max(seconds, 1e-9):.1f} req/s",
        f"p50 / p95, every request: {percentile(every, 0.5):.0f} / {percentile(every, 0.95):.0f} ms",
        f"p50 / p95, pages after signing in: {percentile(pages, 0.5):.0f} / {percentile(pages, 0.95):.0f} ms",
        f"errors: {errors}",
        "slowest (p95 ms, requests):",
        *(f"  {percentile(times, 0.95):6.0f}  {len(times):5d}  {name}" for name, times in hot),
    ]
    return "\n".join(lines)
