"""The benchmark harness's statistics (bench/stats.py): percentiles, summaries, ratios, rate buckets."""
from bench.stats import per_second, percentile, ratio, summarize


def test_percentile_interpolates_like_numpy():
    xs = list(range(1, 101))  # 1..100
    assert percentile(xs, 50) == 50.5
    assert abs(percentile(xs, 90) - 90.1) < 1e-9
    assert abs(percentile(xs, 99) - 99.01) < 1e-9
    assert percentile([7], 99) == 7.0
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 0) == 1.0 and percentile([3, 1, 2], 100) == 3.0


def test_summarize_reports_rate_and_milliseconds():
    s = summarize([0.010, 0.020, 0.030, 0.040], elapsed=2.0, errors=1)
    assert s["requests"] == 4 and s["errors"] == 1
    assert s["rps"] == 2.0
    assert s["p50_ms"] == 25.0 and s["max_ms"] == 40.0
    assert summarize([], elapsed=1.0)["p99_ms"] is None


def test_ratio_and_missing_sides():
    assert ratio(300, 200) == 1.5
    assert ratio(None, 200) is None and ratio(100, 0) is None


def test_per_second_buckets_include_empty_seconds():
    assert per_second([10.0, 10.2, 12.5]) == [(0.0, 2), (1.0, 0), (2.0, 1)]
    assert per_second([]) == []


def test_merge_runs_pools_latencies_and_time():
    from bench.stats import merge_runs
    s = merge_runs([([0.010, 0.030], 1.0, 0), ([0.020, 0.040], 1.0, 2)])
    assert s["requests"] == 4 and s["errors"] == 2
    assert s["rps"] == 2.0                     # 4 requests over 2 s of measuring
    assert s["p50_ms"] == 25.0 and s["max_ms"] == 40.0
    assert merge_runs([])["requests"] == 0
