import hashlib

from lib.standard_webhooks import secret_fingerprint


def test_fingerprint_is_last_hex_digits_of_sha256():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    expected = "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[-4:]
    assert secret_fingerprint(secret) == expected


def test_fingerprint_contains_no_part_of_the_secret():
    for secret in ("whsec_abcdefghijklmnop", "mgr-secret", "0123456789abcdef"):
        fp = secret_fingerprint(secret)
        shown = fp.removeprefix("sha256:")
        assert len(shown) == 4
        assert not secret.startswith(shown) and secret[:3] not in fp


def test_fingerprint_differs_between_secrets_and_is_stable():
    assert secret_fingerprint("a-secret") == secret_fingerprint("a-secret")
    assert secret_fingerprint("a-secret") != secret_fingerprint("b-secret")


def test_fingerprint_of_empty_secret_is_false():
    assert secret_fingerprint("") is False
    assert secret_fingerprint(None) is False
