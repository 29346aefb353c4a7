"""Fixed-window rate-limit arithmetic and the IETF RateLimit headers. Pure Python.

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


def headers(quota, window, remaining, reset, limited=False):
    hdrs = {
        "RateLimit-Policy": '"%s";q=%d;w=%d' % (POLICY_NAME, quota, window),
        "RateLimit": '"%s";r=%d;t=%d' % (POLICY_NAME, remaining, reset),
    }
    if limited:
        hdrs["Retry-After"] = str(reset)
    return hdrs
