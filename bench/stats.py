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


# Two-sided 95 % quantiles of Student's t for 1-10 degrees of freedom; above that, the Cornish-Fisher
# expansion around the normal quantile (within 0.003 of the exact value from 11 on).
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def _t95(df):
    if df in _T95:
        return _T95[df]
    z = 1.959964
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def rates(runs):
    """Requests/s of each load run, given as (latencies, elapsed seconds, errors); None for an empty
    one."""
    return [len(lat) / elapsed if lat and elapsed > 0 else None for lat, elapsed, _ in runs]


def round_ratios(ours, native):
    """How much one run's ratio can be trusted. ``ours`` and ``native``: the rates (req/s, orders/s)
    of the rounds of a side-by-side scenario, the i-th of both measured in the same rotation. Each pair
    gives one ratio; the answer is their count, min and max and the 95 % interval of their geometric
    mean (Student's t over the log ratios), or None with fewer than two pairs. A round without a rate
    on either side is left out."""
    logs = [math.log(a / b) for a, b in zip(ours, native, strict=True) if a and b]
    if len(logs) < 2:
        return None
    n = len(logs)
    mean = sum(logs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
    half = _t95(n - 1) * sd / math.sqrt(n)
    return {"rounds": n, "min": round(math.exp(min(logs)), 2), "max": round(math.exp(max(logs)), 2),
            "ci95": [round(math.exp(mean - half), 2), round(math.exp(mean + half), 2)]}


def balanced_order(items, r):
    """The order of round ``r`` in a Williams design over ``items``: over a full cycle of rounds (n
    rounds for an even count n of items, 2n for an odd one) every item runs in every position equally
    often AND right after every other item equally often. A plain rotation (A B C, B C A, C A B) gives
    the first but not the second: A always runs right after C there, never after B, so whatever C leaves
    behind (log rows to flush, connections closing, dead tuples) always lands on A."""
    n = len(items)
    if n < 2:
        return list(items)
    # first row 0, 1, n-1, 2, n-2, ...; row k adds k (mod n); odd n also needs every row reversed
    base = [0] + [(j + 1) // 2 if j % 2 else n - j // 2 for j in range(1, n)]
    k, back = r % n, (r // n) % 2 == 1 and n % 2 == 1
    row = [items[(b + k) % n] for b in base]
    return row[::-1] if back else row
