"""Standard Webhooks (https://www.standardwebhooks.com/) signing and verification, pure Python.

Wire format: headers ``webhook-id``, ``webhook-timestamp`` (integer Unix seconds) and
``webhook-signature``: a space-separated list of ``v1,<base64 HMAC-SHA256>`` entries, the HMAC being
computed with the secret over ``"<id>.<timestamp>.<body>"``.

Secrets are ``whsec_`` + base64 of random bytes; the key used for the HMAC is the base64-decoded part
(without the prefix), as the specification says. A secret without the prefix is accepted too.

Stable API (the inbound-webhooks code imports ``verify``):
    generate_secret(nbytes=32) -> str
    sign(secret, msg_id, timestamp, body) -> "v1,<b64>"
    sign_all(secrets, msg_id, timestamp, body) -> "v1,<b64> v1,<b64>"
    verify(secrets, msg_id, timestamp, body, signature_header, tolerance=300, now=None) -> True
        (raises WebhookVerificationError with a reason otherwise)
"""
import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
import time

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = 300  # seconds, the specification's recommended 5 minutes
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64


class WebhookVerificationError(ValueError):
    """The message is not authentic (bad/missing headers, stale timestamp, no matching signature)."""


def secret_fingerprint(secret):
    """``"sha256:"`` + the last 4 hex digits of SHA-256(secret), ``False`` for none: enough to tell
    two secrets apart ("is the receiver using the current one?"), nothing of the secret itself (a
    prefix would be part of it, and all ``whsec_`` secrets start alike)."""
    if not secret:
        return False
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[-4:]


def secret_list(secrets):
    """One secret or several (current and previous during a rotation) as a list, empty ones left out."""
    if isinstance(secrets, (str, bytes, bytearray)):
        secrets = [secrets]
    return [s for s in (secrets or []) if s]


def active_secrets(current, previous, previous_until, now):
    """The secrets in use at ``now``: the current one, and the previous one until ``previous_until``
    (the rotation overlap). Datetimes compare as given (the addon passes naive UTC)."""
    return secret_list([current] + ([previous] if previous and previous_until and previous_until > now else []))


def timestamp_problem(timestamp, tolerance, now=None):
    """Why ``timestamp`` (epoch seconds) is outside ``tolerance`` seconds of ``now`` ("too old",
    "too new"), or None; ``tolerance=None`` means no check. The one replay-window check of every
    scheme that signs a timestamp."""
    if tolerance is None:
        return None
    current = time.time() if now is None else (now.timestamp() if hasattr(now, "timestamp") else float(now))
    if timestamp < current - tolerance:
        return "too old"
    if timestamp > current + tolerance:
        return "too new"
    return None


def generate_secret(nbytes=32):
    """A new secret: ``whsec_`` + base64 of ``nbytes`` (24..64) random bytes."""
    if not MIN_SECRET_BYTES <= nbytes <= MAX_SECRET_BYTES:
        raise ValueError("a Standard Webhooks secret has between 24 and 64 random bytes")
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode("ascii")


def secret_key(secret):
    """The HMAC key (bytes) of a secret given as ``whsec_<base64>``, bare ``<base64>`` or raw bytes."""
    if isinstance(secret, (bytes, bytearray)):
        key = bytes(secret)
    else:
        text = (secret or "").strip()
        if text.startswith(SECRET_PREFIX):
            text = text[len(SECRET_PREFIX):]
        try:
            # tolerate unpadded base64, as the reference libraries do
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the webhook secret is not valid base64") from exc
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def _as_bytes(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8")


def _timestamp_str(timestamp):
    if hasattr(timestamp, "timestamp"):  # datetime (aware, or naive UTC)
        if getattr(timestamp, "tzinfo", None) is None:
            import datetime as _dt
            timestamp = timestamp.replace(tzinfo=_dt.timezone.utc)
        return str(int(timestamp.timestamp()))
    return str(int(timestamp))


def signature_bytes(secret, msg_id, timestamp, body):
    """Raw HMAC-SHA256 over ``id.timestamp.body``."""
    to_sign = b".".join([_as_bytes(msg_id), _timestamp_str(timestamp).encode("ascii"), _as_bytes(body)])
    return hmac.new(secret_key(secret), to_sign, hashlib.sha256).digest()


def sign(secret, msg_id, timestamp, body):
    """The ``v1,<base64>`` signature of one message with one secret."""
    digest = signature_bytes(secret, msg_id, timestamp, body)
    return "%s,%s" % (SIGNATURE_VERSION, base64.b64encode(digest).decode("ascii"))


def sign_all(secrets, msg_id, timestamp, body):
    """The ``webhook-signature`` header value: one signature per secret, space-separated."""
    if isinstance(secrets, (str, bytes, bytearray)):
        secrets = [secrets]
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets if s)


def parse_signature_header(header):
    """``[(version, raw_signature_bytes)]`` for every well-formed entry; malformed entries are skipped."""
    result = []
    for item in (header or "").split():
        version, sep, b64 = item.partition(",")
        if not sep or not b64:
            continue
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            continue
        result.append((version, raw))
    return result


def verify(secrets, msg_id, timestamp, body, signature_header, tolerance=DEFAULT_TOLERANCE, now=None):
    """Check a received message; return True or raise :class:`WebhookVerificationError`.

    ``secrets``: one secret or a list (e.g. the current and the previous one during rotation).
    ``timestamp``: the ``webhook-timestamp`` header (string or int). ``body``: the raw body bytes.
    ``signature_header``: the ``webhook-signature`` header (space-separated ``v1,<b64>`` list).
    ``tolerance``: maximum distance in seconds between ``timestamp`` and ``now`` (None: no check).
    Every candidate is compared in constant time (``hmac.compare_digest``).
    """
    secrets = secret_list(secrets)
    if not secrets:
        raise WebhookVerificationError("no secret configured")
    if not msg_id or not signature_header or timestamp in (None, ""):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        raise WebhookVerificationError("invalid webhook-timestamp") from None
    problem = timestamp_problem(ts, tolerance, now)
    if problem:
        raise WebhookVerificationError("webhook-timestamp " + problem)
    received = [raw for version, raw in parse_signature_header(signature_header)
                if version == SIGNATURE_VERSION]
    if not received:
        raise WebhookVerificationError("no v1 signature in webhook-signature")
    matched = False
    for secret in secrets:
        try:
            expected = signature_bytes(secret, msg_id, ts, body)
        except ValueError:
            continue
        for raw in received:
            # no early exit: every pair is compared, each in constant time
            matched |= hmac.compare_digest(expected, raw)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    return True


def legacy_signature(secret, body):
    """``sha256=<hex HMAC-SHA256 of the body>`` for the ``X-Odoo-Signature`` header.

    The key is the same decoded secret bytes as for the Standard Webhooks signature.
    """
    return "sha256=" + hmac.new(secret_key(secret), _as_bytes(body), hashlib.sha256).hexdigest()


def verify_legacy(secrets, body, header):
    """Constant-time check of an ``X-Odoo-Signature`` header against one or several secrets."""
    if isinstance(secrets, (str, bytes, bytearray)):
        secrets = [secrets]
    matched = False
    for secret in secrets or []:
        if secret:
            matched |= hmac.compare_digest(legacy_signature(secret, body).encode(), (header or "").encode())
    return matched
