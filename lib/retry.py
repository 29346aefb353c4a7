"""Retry policy of outbound webhook deliveries (Standard Webhooks schedule), pure Python.

Attempt 1 goes out immediately; after a failed attempt ``n`` the next one waits ``SCHEDULE[n]``
seconds (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), so a delivery gets at most
``MAX_ATTEMPTS`` = 10 attempts over about three days before it is dead. Each delay gets a random
jitter of +/- ``JITTER`` (so retries of many deliveries that failed together spread out), and a
``Retry-After`` answer from the receiver is honoured: the next attempt is never earlier than it says
(capped at ``MAX_RETRY_AFTER``).
"""
import datetime
import email.utils
import math
import random

# Delay before attempt n+1 (index n-1 after a failed attempt n); the first attempt is immediate.
SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1
MAX_RETRY_AFTER = 24 * 3600
# Answers whose Retry-After speaks for the whole receiver (RFC 9110: 503 Service Unavailable; RFC 6585:
# 429 Too Many Requests): every delivery of the endpoint waits, not only the one that got it.
PAUSE_STATUSES = (429, 503)

SUCCESS, RETRY, GONE = "success", "retry", "gone"


def classify(status_code):
    """What an HTTP answer means for the delivery: 2xx success, 410 gone (disable), else retry.

    ``status_code`` None (no answer: connection error, timeout, refused destination) is a retry.
    3xx is a failure too: redirects are not followed.
    """
    if status_code is not None and 200 <= status_code < 300:
        return SUCCESS
    if status_code == 410:
        return GONE
    return RETRY


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    return max(0, int((when - now).total_seconds()))


def next_delay(attempts_done, retry_after=None, jitter=JITTER, rand=random.random):
    """Seconds to wait before the next attempt after ``attempts_done`` failed attempts, or None.

    None means the schedule is exhausted: the delivery is dead.
    """
    if attempts_done < 1:
        return 0.0
    if attempts_done >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE[attempts_done - 1]
    delay = base * (1 + jitter * (2 * rand() - 1))
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
    return delay


def pause_seconds(status_code, retry_after):
    """How long the whole endpoint waits after this answer (whole seconds), or None: only a 429 or
    503 with a ``Retry-After`` (seconds, as ``parse_retry_after`` gives them) pauses it, capped at
    ``MAX_RETRY_AFTER``."""
    if retry_after is None or status_code not in PAUSE_STATUSES:
        return None
    return math.ceil(min(float(retry_after), MAX_RETRY_AFTER))


def should_disable(failing_since, now, disable_after_seconds):
    """True when an endpoint has been failing (no success) for at least ``disable_after_seconds``."""
    if failing_since is None or not disable_after_seconds:
        return False
    return (now - failing_since).total_seconds() >= disable_after_seconds
