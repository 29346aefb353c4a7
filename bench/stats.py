"""Small statistics helpers for the benchmark harness (pure Python, no Odoo)."""
import math


def percentile(values, p):
    """The p-th percentile (0..100) of ``values`` by linear interpolation between closest ranks
    (the same definition as numpy's default). None for an empty list."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    k = (len(xs) - 1) * (p / 100.0)
    lo, hi = math.floor(k), math.ceil(k)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (k - lo))


def summarize(latencies, elapsed, errors=0):
    """Summary of one load run: latencies in seconds, wall time in seconds -> dict in milliseconds."""
    n = len(latencies)
    ms = [x * 1000.0 for x in latencies]
    return {
        "requests": n,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "rps": round(n / elapsed, 1) if elapsed > 0 else None,
        "p50_ms": _r(percentile(ms, 50)),
        "p90_ms": _r(percentile(ms, 90)),
        "p99_ms": _r(percentile(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
    }


def merge_runs(runs):
    """One summary of several load runs of the same API, each given as (latencies in seconds,
    elapsed seconds, errors): requests/s over their summed time, percentiles over all latencies."""
    lat, elapsed, errors = [], 0.0, 0
    for run_lat, run_elapsed, run_errors in runs:
        lat.extend(run_lat)
        elapsed += run_elapsed
        errors += run_errors
    return summarize(lat, elapsed, errors)


def ratio(ours, native):
    """ours / native, rounded; None when either side is missing or zero."""
    if not ours or not native:
        return None
    return round(ours / native, 2)


def per_second(timestamps, start=None, bucket=1.0):
    """Counts of events per ``bucket`` seconds from ``start`` (default: the first event):
    [(t_offset, count), ...] with empty buckets included."""
    if not timestamps:
        return []
    t0 = min(timestamps) if start is None else start
    n = int((max(timestamps) - t0) // bucket) + 1
    counts = [0] * n
    for t in timestamps:
        i = int((t - t0) // bucket)
        if 0 <= i < n:
            counts[i] += 1
    return [(round(i * bucket, 3), c) for i, c in enumerate(counts)]


def _r(x):
    return None if x is None else round(x, 2)
