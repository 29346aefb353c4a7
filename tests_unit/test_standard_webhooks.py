import base64
import datetime

import pytest

from lib import standard_webhooks
from lib.standard_webhooks import (
    WebhookVerificationError,
    generate_secret,
    legacy_signature,
    secret_key,
    sign,
    sign_all,
    verify,
    verify_legacy,
)

# The specification's own published test vector (standard-webhooks reference libraries).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_spec_vector_sign():
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY) == SPEC_SIG
    assert sign(SPEC_SECRET, SPEC_ID, str(SPEC_TS), SPEC_BODY.encode()) == SPEC_SIG
    aware = datetime.datetime.fromtimestamp(SPEC_TS, tz=datetime.timezone.utc)
    assert sign(SPEC_SECRET, SPEC_ID, aware, SPEC_BODY) == SPEC_SIG
    assert sign(SPEC_SECRET, SPEC_ID, aware.replace(tzinfo=None), SPEC_BODY) == SPEC_SIG


def test_spec_vector_prefix_optional():
    assert sign(SPEC_SECRET[len("whsec_"):], SPEC_ID, SPEC_TS, SPEC_BODY) == SPEC_SIG


def test_spec_vector_verify():
    assert verify(SPEC_SECRET, SPEC_ID, str(SPEC_TS), SPEC_BODY.encode(), SPEC_SIG, now=SPEC_TS + 10)


def test_verify_rejects_one_bit_change():
    bad = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="  # last byte differs
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, bad, now=SPEC_TS)


def test_verify_rejects_tampered_body_and_id():
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, SPEC_ID, SPEC_TS, '{"test": 2432232315}', SPEC_SIG, now=SPEC_TS)
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, SPEC_ID + "x", SPEC_TS, SPEC_BODY, SPEC_SIG, now=SPEC_TS)


def test_verify_timestamp_tolerance():
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, now=SPEC_TS + 301)
    with pytest.raises(WebhookVerificationError, match="too new"):
        verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, now=SPEC_TS - 301)
    assert verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, now=SPEC_TS + 300)
    assert verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, tolerance=None)


def test_verify_missing_or_invalid_headers():
    for args in [(None, SPEC_TS, SPEC_SIG), (SPEC_ID, None, SPEC_SIG), (SPEC_ID, SPEC_TS, ""),
                 (SPEC_ID, "hello", SPEC_SIG)]:
        with pytest.raises(WebhookVerificationError):
            verify(SPEC_SECRET, args[0], args[1], SPEC_BODY, args[2], now=SPEC_TS)


def test_verify_signature_list_with_other_versions_and_garbage():
    header = " ".join([
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        "v2," + SPEC_SIG.split(",")[1],   # right bytes, wrong version: ignored
        "garbage", "v1,%%%",
        SPEC_SIG,
    ])
    assert verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, header, now=SPEC_TS)
    only_v2 = "v2," + SPEC_SIG.split(",")[1]
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, only_v2, now=SPEC_TS)


def test_rotation_several_secrets():
    old, new = generate_secret(), generate_secret()
    header = sign_all([new, old], "msg_1", 1000, b"{}")
    sigs = header.split(" ")
    assert len(sigs) == 2
    assert verify(old, "msg_1", 1000, b"{}", header, now=1000)
    assert verify(new, "msg_1", 1000, b"{}", header, now=1000)
    # a receiver holding both secrets accepts a header signed with only one of them
    assert verify([new, old], "msg_1", 1000, b"{}", sigs[1], now=1000)
    with pytest.raises(WebhookVerificationError):
        verify(generate_secret(), "msg_1", 1000, b"{}", header, now=1000)


def test_generate_secret_shape():
    s = generate_secret()
    assert s.startswith("whsec_")
    assert len(secret_key(s)) == 32
    assert len(secret_key(generate_secret(24))) == 24
    assert generate_secret() != generate_secret()
    with pytest.raises(ValueError):
        generate_secret(16)


def test_secret_key_rejects_bad_secret():
    with pytest.raises(ValueError):
        secret_key("whsec_")
    with pytest.raises(ValueError):
        secret_key("whsec_not base64!")
    assert secret_key("whsec_" + base64.b64encode(b"k" * 24).decode().rstrip("=")) == b"k" * 24


def test_verify_without_secret():
    with pytest.raises(WebhookVerificationError):
        verify([], SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, now=SPEC_TS)


def test_legacy_signature():
    import hashlib
    import hmac
    expected = hmac.new(secret_key(SPEC_SECRET), SPEC_BODY.encode(), hashlib.sha256).hexdigest()
    assert legacy_signature(SPEC_SECRET, SPEC_BODY) == "sha256=" + expected
    assert verify_legacy([generate_secret(), SPEC_SECRET], SPEC_BODY, "sha256=" + expected)
    assert not verify_legacy([SPEC_SECRET], SPEC_BODY + " ", "sha256=" + expected)


def test_active_secrets_keep_the_previous_one_only_during_the_overlap():
    now = datetime.datetime(2026, 11, 29, 12, 0)
    later = now + datetime.timedelta(hours=1)
    assert standard_webhooks.active_secrets("new", "old", later, now) == ["new", "old"]
    assert standard_webhooks.active_secrets("new", "old", now, now) == ["new"]
    assert standard_webhooks.active_secrets("new", None, later, now) == ["new"]
    assert standard_webhooks.active_secrets(None, "old", later, now) == ["old"]


def test_timestamp_problem_is_the_one_tolerance_check():
    assert standard_webhooks.timestamp_problem(1000, 300, now=1200) is None
    assert standard_webhooks.timestamp_problem(1000, 300, now=1301) == "too old"
    assert standard_webhooks.timestamp_problem(1000, 300, now=699) == "too new"
    assert standard_webhooks.timestamp_problem(0, None, now=10 ** 9) is None
