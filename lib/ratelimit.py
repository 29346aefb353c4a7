"""Sliding-window rate-limit arithmetic and the IETF RateLimit headers. Pure Python.

Counters are kept per fixed window; the sliding estimate weighs the previous window's count by the
part of it that still lies within the last ``window`` seconds (as Cloudflare and nginx-style
limiters do), so a burst at the end of one window and the start of the next cannot double the quota.

Headers follow draft-ietf-httpapi-ratelimit-headers (structured fields)::

    RateLimit-Policy: "default";q=100;w=60
    RateLimit: "default";r=42;t=17
"""
import math

POLICY_NAME = "default"


def window_start(now, window):
    """Start (epoch seconds, int) of the fixed window of ``window`` seconds containing ``now``."""
    window = max(int(window), 1)
    return int(math.floor(now / window) * window)


def reset_after(now, window):
    """Whole seconds until the current window ends (at least 1)."""
    start = window_start(now, window)
    return max(int(math.ceil(start + max(int(window), 1) - now)), 1)


def decide(count, quota):
    """``(allowed, remaining)`` after the ``count``-th request of the window."""
    quota = max(int(quota), 0)
    return count <= quota, max(quota - count, 0)


def sliding_count(previous, current, now, window):
    """Requests in the ``window`` seconds before ``now``, estimated from the counts of the previous
    and the current fixed window (the previous one weighted by its part still inside)."""
    window = max(int(window), 1)
    elapsed = (now - window_start(now, window)) / window
    return previous * (1.0 - elapsed) + current


def sliding_decide(previous, current, quota, now, window):
    """``(allowed, remaining, seconds until one more request is allowed)`` after the request that
    made ``current``; the wait is 0 when one more is allowed now."""
    quota = max(int(quota), 0)
    window = max(int(window), 1)
    estimate = sliding_count(previous, current, now, window)
    allowed = estimate <= quota + 1e-9
    remaining = max(int(math.floor(quota - estimate + 1e-9)), 0)
    return allowed, remaining, _wait(previous, current, quota, now, window)


def _wait(previous, current, quota, now, window):
    elapsed = (now - window_start(now, window)) / window
    if previous * (1.0 - elapsed) + current + 1 <= quota:
        return 0
    if current + 1 <= quota:  # the previous window's weight decays enough before this one ends
        needed = 1.0 - (quota - current - 1) / previous
        return max(int(math.ceil((needed - elapsed) * window)), 1)
    if quota < 1:
        return window
    # only in the next window, once this window's weight has decayed enough
    needed = 1.0 - (quota - 1) / current
    return max(int(math.ceil((1.0 - elapsed + needed) * window)), 1)


def headers(quota, window, remaining, reset, limited=False):
    hdrs = {
        "RateLimit-Policy": '"%s";q=%d;w=%d' % (POLICY_NAME, quota, window),
        "RateLimit": '"%s";r=%d;t=%d' % (POLICY_NAME, remaining, reset),
    }
    if limited:
        hdrs["Retry-After"] = str(reset)
    return hdrs
