"""Turning raw telemetry into the window metrics that criteria and KPIs are written in.

Raw metrics sent by IT infrastructure and what they become for a window:

- ``latency_ms`` (one point per request or sample) -> ``latency_p50_ms``, ``latency_p95_ms``
- ``requests`` (counts) -> ``requests`` (sum) and ``throughput_rps`` (sum / window seconds)
- ``errors`` (counts) -> ``errors`` (sum) and ``error_rate`` (errors / requests)
- ``cost_eur`` (amounts) -> ``cost_eur`` (sum) and ``cost_per_1k_requests_eur``
- anything else (``quality_score``, ``accuracy``, ...) -> its mean
"""

import math
from collections import defaultdict
from collections.abc import Iterable

SUMMED = ("requests", "errors", "cost_eur")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile, the definition SLOs are usually written against."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def window_metrics(points: Iterable[tuple[str, float]], seconds: float) -> dict[str, float]:
    by_metric: dict[str, list[float]] = defaultdict(list)
    for metric, value in points:
        by_metric[metric].append(value)

    result: dict[str, float] = {}
    latencies = by_metric.pop("latency_ms", [])
    if latencies:
        result["latency_p50_ms"] = percentile(latencies, 50)
        result["latency_p95_ms"] = percentile(latencies, 95)
    totals = {name: sum(by_metric.pop(name, [])) for name in SUMMED}
    result.update(totals)
    if totals["requests"]:
        result["throughput_rps"] = totals["requests"] / max(seconds, 1.0)
        result["error_rate"] = totals["errors"] / totals["requests"]
        result["cost_per_1k_requests_eur"] = totals["cost_eur"] / totals["requests"] * 1000
    for metric, values in by_metric.items():
        result[metric] = sum(values) / len(values)
    return {name: round(value, 6) for name, value in result.items()}
