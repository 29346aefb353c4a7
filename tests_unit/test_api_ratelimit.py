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
