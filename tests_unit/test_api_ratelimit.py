from lib import ratelimit


def test_window_start_and_reset():
    assert ratelimit.window_start(1000.5, 60) == 960
    assert ratelimit.reset_after(1000.5, 60) == 20
    assert ratelimit.reset_after(959.99, 60) == 1
    assert ratelimit.window_start(5, 0) == 5  # window < 1 behaves as 1 s


def test_decide():
    assert ratelimit.decide(1, 2) == (True, 1)
    assert ratelimit.decide(2, 2) == (True, 0)
    assert ratelimit.decide(3, 2) == (False, 0)
    assert ratelimit.decide(1, 0) == (False, 0)


def test_headers_ietf_structured_fields():
    hdrs = ratelimit.headers(100, 60, 42, 17)
    assert hdrs == {"RateLimit-Policy": '"default";q=100;w=60', "RateLimit": '"default";r=42;t=17'}
    assert ratelimit.headers(100, 60, 0, 17, limited=True)["Retry-After"] == "17"


def test_sliding_count_weighs_the_previous_window():
    assert ratelimit.sliding_count(100, 10, 960.0, 60) == 110          # window just started
    assert ratelimit.sliding_count(100, 10, 990.0, 60) == 60           # half of it is left
    assert ratelimit.sliding_count(100, 10, 1019.999, 60) < 10.01


def test_sliding_decide_refuses_a_burst_across_the_window_edge():
    # 10 requests at the end of one window, then a burst right after the edge: quota 10
    allowed, remaining, wait = ratelimit.sliding_decide(10, 1, 10, 960.5, 60)
    assert (allowed, remaining) == (False, 0)
    assert 1 <= wait <= 60
    # fixed windows alone would have allowed it
    assert ratelimit.decide(1, 10)[0] is True


def test_sliding_decide_wait_is_when_one_more_fits():
    quota, window = 10, 60
    allowed, _remaining, wait = ratelimit.sliding_decide(10, 5, quota, 960.0, window)
    assert not allowed and wait > 0
    # after waiting, the estimate for one more request is within the quota
    later = 960.0 + wait
    assert ratelimit.sliding_count(10, 5, later, window) + 1 <= quota + 1e-9
    assert ratelimit.sliding_count(10, 5, later - 1, window) + 1 > quota


def test_sliding_decide_wait_crosses_into_the_next_window():
    allowed, _remaining, wait = ratelimit.sliding_decide(0, 30, 10, 1000.0, 60)
    assert not allowed
    # next window starts at 1020; 30 * (1 - f) + 1 <= 10 needs f >= 0.7 -> 42 s into it
    assert wait == 20 + 42


def test_sliding_decide_allows_within_quota_and_counts_down():
    assert ratelimit.sliding_decide(0, 1, 2, 960.0, 60)[:2] == (True, 1)
    assert ratelimit.sliding_decide(0, 2, 2, 960.0, 60)[:2] == (True, 0)
    assert ratelimit.sliding_decide(0, 3, 2, 960.0, 60)[0] is False
