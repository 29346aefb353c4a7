import datetime

from lib.retry import (
    GONE,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    RETRY,
    SCHEDULE,
    SUCCESS,
    classify,
    next_delay,
    parse_retry_after,
    pause_seconds,
    should_disable,
)


def test_schedule_is_standard_webhooks():
    assert SCHEDULE == (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
    assert MAX_ATTEMPTS == 10


def test_classify():
    assert classify(200) == SUCCESS and classify(204) == SUCCESS and classify(299) == SUCCESS
    assert classify(410) == GONE
    for code in (None, 100, 301, 302, 400, 404, 429, 500, 503):
        assert classify(code) == RETRY


def test_next_delay_without_jitter():
    delays = [next_delay(n, jitter=0) for n in range(1, MAX_ATTEMPTS)]
    assert delays == [float(s) for s in SCHEDULE]
    assert next_delay(MAX_ATTEMPTS, jitter=0) is None
    assert next_delay(0) == 0


def test_jitter_bounds():
    assert next_delay(2, rand=lambda: 0.0) == 300 * 0.9
    assert next_delay(2, rand=lambda: 1.0) == 300 * 1.1
    values = {next_delay(3) for _ in range(50)}
    assert len(values) > 1 and all(1620 <= v <= 1980 for v in values)


def test_retry_after_is_honoured_and_capped():
    assert next_delay(1, retry_after=120, jitter=0) == 120
    assert next_delay(3, retry_after=10, jitter=0) == 1800      # never earlier than the schedule
    assert next_delay(1, retry_after=10 ** 9, jitter=0) == 86400
    assert next_delay(MAX_ATTEMPTS, retry_after=5) is None


def test_parse_retry_after():
    now = datetime.datetime(2026, 11, 23, 8, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 23 Nov 2026 08:02:00 GMT", now=now) == 120
    assert parse_retry_after("Mon, 23 Nov 2026 07:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None
    assert parse_retry_after("-5") is None


def test_should_disable():
    t0 = datetime.datetime(2026, 1, 1)
    assert not should_disable(None, t0, 3600)
    assert not should_disable(t0, t0 + datetime.timedelta(days=4, hours=23), 5 * 86400)
    assert should_disable(t0, t0 + datetime.timedelta(days=5), 5 * 86400)


def test_pause_seconds_only_for_429_and_503_with_retry_after():
    assert pause_seconds(429, 120) == 120
    assert pause_seconds(503, 7.2) == 8  # whole seconds, never earlier than asked
    assert pause_seconds(503, 10 ** 9) == MAX_RETRY_AFTER
    assert pause_seconds(429, None) is None
    assert pause_seconds(500, 120) is None
    assert pause_seconds(None, 120) is None  # no answer at all
