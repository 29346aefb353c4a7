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


def test_round_ratios_pair_rounds_and_give_the_interval():
    from bench.stats import rates, round_ratios
    # ours 100, 110, 90 req/s against json2 100 in each round: ratios 1.0, 1.1, 0.9
    r = round_ratios([100, 110, 90], [100, 100, 100])
    assert r["rounds"] == 3 and r["min"] == 0.9 and r["max"] == 1.1
    lo, hi = r["ci95"]
    assert lo < 1.0 < hi                              # the geometric mean 0.997 lies inside
    # log ratios 0, 0.0953, -0.1054: sd 0.1004, t(2) 4.303 -> half-width 0.2494 around -0.0034
    assert (lo, hi) == (0.78, 1.28)
    assert round_ratios([200, 200], [100, 100])["ci95"] == [2.0, 2.0]
    # a round without a rate is left out; one pair is not enough for an interval
    assert round_ratios([100, None], [100, 100]) is None
    assert round_ratios([], []) is None
    # the rate of a load run: 50 requests in 0.5 s is 100 req/s; no request, no rate
    assert rates([([0.01] * 50, 0.5, 0), ([], 1.0, 0)]) == [100.0, None]


def test_t_quantiles_match_the_tables():
    from bench.stats import _t95
    assert _t95(5) == 2.571
    for df, exact in ((11, 2.201), (15, 2.131), (30, 2.042), (120, 1.980)):
        assert abs(_t95(df) - exact) < 0.003


def test_report_shows_the_interval_then_the_range():
    from bench.report import by_round
    assert by_round({"rounds": 6, "min": 0.86, "max": 1.06, "ci95": [0.9, 1.08]}) == "0.9–1.08 (0.86–1.06)"
    assert by_round(None) == "–"                       # a run without rounds (or a skipped side)


def test_balanced_order_puts_every_item_after_every_other_equally_often():
    from collections import Counter

    from bench.stats import balanced_order
    for n in range(2, 7):
        items = "ABCDEFG"[:n]
        cycle = n if n % 2 == 0 else 2 * n
        rows = [balanced_order(items, r) for r in range(cycle)]
        assert all(sorted(row) == list(items) for row in rows)
        # each item in each position the same number of times
        for pos in range(n):
            assert Counter(row[pos] for row in rows) == Counter({x: cycle // n for x in items})
        # each ordered pair (a right before b) the same number of times: the plain rotation fails this
        pairs = Counter((row[i], row[i + 1]) for row in rows for i in range(n - 1))
        assert len(pairs) == n * (n - 1) and len(set(pairs.values())) == 1, (n, pairs)
        assert balanced_order(items, cycle) == rows[0]
    assert [balanced_order("ABC", r) for r in range(6)] == [
        list("ABC"), list("BCA"), list("CAB"), list("CBA"), list("ACB"), list("BAC")]
    assert balanced_order("A", 3) == ["A"]
