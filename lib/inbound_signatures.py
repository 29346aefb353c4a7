"""Verification of inbound webhook signatures, pure Python (no odoo import).

Schemes (the ``scheme`` value of a ``webhook.source``):

``standard``  Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``
              (delegated to :mod:`.standard_webhooks`, the one implementation of that scheme).
``stripe``    ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]``, HMAC-SHA256 hex over
              ``"<t>.<body>"``, key = the endpoint secret string as given (``whsec_...``, not decoded).
``shopify``   ``X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>``, key = the app secret.
``github``    ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``, key = the webhook secret.
``hmac``      generic HMAC-SHA256 of the body in a configurable header, hex or base64, an optional
              ``sha256=`` prefix tolerated.

Every function takes one secret or a list (two are accepted during a rotation), compares every
candidate in constant time (``hmac.compare_digest``, no early exit) and raises
:class:`SignatureError` with a short reason on failure. ``now`` (Unix seconds or a datetime) is
injectable for the schemes that sign a timestamp; ``tolerance`` is in seconds.

``headers`` is any mapping; header names are looked up case-insensitively.
"""
import base64
import binascii
import hashlib
import hmac
import json
from urllib.parse import parse_qs

from . import standard_webhooks
from .standard_webhooks import _as_bytes

DEFAULT_TOLERANCE = 300  # seconds

STRIPE_HEADER = "Stripe-Signature"
SHOPIFY_HEADER = "X-Shopify-Hmac-Sha256"
GITHUB_HEADER = "X-Hub-Signature-256"
DEFAULT_HMAC_HEADER = "X-Signature"

# where each scheme's event id comes from by default: ("header", name...) or ("json", path)
DEFAULT_EVENT_ID = {
    "standard": ("header", ("webhook-id",)),
    "stripe": ("json", "id"),
    "shopify": ("header", ("X-Shopify-Event-Id", "X-Shopify-Webhook-Id")),
    "github": ("header", ("X-GitHub-Delivery",)),
    "hmac": ("body_hash", None),
}


class SignatureError(ValueError):
    """The request is not authentic: missing/malformed header, stale timestamp or no matching HMAC."""


# --------------------------------------------------------------------------------------- helpers
def _secret_list(secrets):
    result = standard_webhooks.secret_list(secrets)
    if not result:
        raise SignatureError("no secret configured")
    return result


def _hmac(secret, message):
    return hmac.new(_as_bytes(secret), _as_bytes(message), hashlib.sha256).digest()


def _check_tolerance(timestamp, tolerance, now):
    problem = standard_webhooks.timestamp_problem(timestamp, tolerance, now)
    if problem:
        raise SignatureError("timestamp " + problem)


def _match_any(secrets, message, candidates):
    """True when one candidate equals the HMAC of ``message`` under one of the secrets; every pair
    is compared (no early exit), each in constant time."""
    matched = False
    for secret in secrets:
        expected = _hmac(secret, message)
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    return matched


def _decode_hex(text):
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        return None


def _decode_b64(text):
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def get_header(headers, name):
    """Case-insensitive header lookup in any mapping; '' when absent."""
    if headers is None:
        return ""
    value = headers.get(name)
    if value is None:
        lower = name.lower()
        for key, val in headers.items():
            if key.lower() == lower:
                value = val
                break
    return value or ""


# --------------------------------------------------------------------------------------- signing
# (what senders do; used by the tests, the benchmark and the README examples)
def sign_stripe(secret, body, timestamp):
    """The ``Stripe-Signature`` header value for ``body`` at ``timestamp`` (Unix seconds)."""
    ts = int(timestamp)
    digest = _hmac(secret, b"%d." % ts + _as_bytes(body)).hex()
    return "t=%d,v1=%s" % (ts, digest)


def sign_shopify(secret, body):
    return base64.b64encode(_hmac(secret, body)).decode("ascii")


def sign_github(secret, body):
    return "sha256=" + _hmac(secret, body).hex()


def sign_hmac(secret, body, encoding="hex"):
    digest = _hmac(secret, body)
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


# --------------------------------------------------------------------------------------- verifying
def parse_stripe_header(header):
    """``(timestamp:int|None, [v1 signature bytes])`` from a ``Stripe-Signature`` value."""
    timestamp, sigs = None, []
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == "v1":
            raw = _decode_hex(value)
            if raw is not None:
                sigs.append(raw)
    return timestamp, sigs


def verify_stripe(secrets, body, header, tolerance=DEFAULT_TOLERANCE, now=None):
    """Check a ``Stripe-Signature`` header; returns the signed timestamp."""
    secrets = _secret_list(secrets)
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    timestamp, sigs = parse_stripe_header(header)
    if timestamp is None:
        raise SignatureError("no timestamp in Stripe-Signature")
    if not sigs:
        raise SignatureError("no v1 signature in Stripe-Signature")
    _check_tolerance(timestamp, tolerance, now)
    if not _match_any(secrets, b"%d." % timestamp + _as_bytes(body), sigs):
        raise SignatureError("no matching signature")
    return timestamp


def _verify_body_hmac(secrets, body, header, header_name, decode, encoding_name):
    """The schemes that sign the raw body alone: one header carrying HMAC-SHA256(body), decoded by
    ``decode`` (None when malformed); compared in constant time under every secret."""
    secrets = _secret_list(secrets)
    if not header:
        raise SignatureError("missing %s header" % header_name)
    raw = decode(header)
    if raw is None:
        raise SignatureError("%s is not %s" % (header_name, encoding_name))
    if not _match_any(secrets, body, [raw]):
        raise SignatureError("no matching signature")
    return True


def _github_digest(header):
    algo, sep, hexdigest = header.strip().partition("=")
    return _decode_hex(hexdigest) if sep and algo == "sha256" else None


def _prefixed_digest(decode):
    def digest(header):
        value = header.strip()
        return decode(value[len("sha256="):] if value.lower().startswith("sha256=") else value)
    return digest


def verify_shopify(secrets, body, header):
    return _verify_body_hmac(secrets, body, header, "X-Shopify-Hmac-Sha256", _decode_b64, "base64")


def verify_github(secrets, body, header):
    return _verify_body_hmac(secrets, body, header, "X-Hub-Signature-256", _github_digest, "'sha256=<hex>'")


def verify_hmac(secrets, body, header, encoding="hex", header_name=DEFAULT_HMAC_HEADER):
    """Generic HMAC-SHA256 of the body; ``encoding`` is 'hex' or 'base64'; a ``sha256=`` prefix
    is tolerated."""
    decode = _prefixed_digest(_decode_hex if encoding == "hex" else _decode_b64)
    return _verify_body_hmac(secrets, body, header, header_name, decode, encoding)


def verify_request(scheme, secrets, body, headers, tolerance=DEFAULT_TOLERANCE, now=None,
                   hmac_header=DEFAULT_HMAC_HEADER, hmac_encoding="hex"):
    """Verify a request of ``scheme`` given its raw ``body`` (bytes) and ``headers`` (mapping).

    Returns True or raises :class:`SignatureError`.
    """
    if scheme == "standard":
        try:
            return standard_webhooks.verify(
                _secret_list(secrets), get_header(headers, "webhook-id"),
                get_header(headers, "webhook-timestamp"), body,
                get_header(headers, "webhook-signature"), tolerance=tolerance, now=now)
        except standard_webhooks.WebhookVerificationError as exc:
            raise SignatureError(str(exc)) from None
    if scheme == "stripe":
        verify_stripe(secrets, body, get_header(headers, STRIPE_HEADER), tolerance, now)
        return True
    if scheme == "shopify":
        return verify_shopify(secrets, body, get_header(headers, SHOPIFY_HEADER))
    if scheme == "github":
        return verify_github(secrets, body, get_header(headers, GITHUB_HEADER))
    if scheme == "hmac":
        name = hmac_header or DEFAULT_HMAC_HEADER
        return verify_hmac(secrets, body, get_header(headers, name), hmac_encoding, name)
    raise SignatureError("unknown signature scheme %r" % (scheme,))


# --------------------------------------------------------------------------------------- event ids
def json_path(payload, path):
    """Value at a dotted path (``data.object.id``; list indexes as numbers) or None."""
    node = payload
    for part in (path or "").split("."):
        if not part:
            continue
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
        if node is None:
            return None
    return node


def event_id(scheme, headers, payload, body, source="default", name=None):
    """The event id used for dedupe, as a string, or None when the request carries none.

    ``source``: 'default' (the scheme's own, see DEFAULT_EVENT_ID), 'header' (header ``name``),
    'json' (dotted path ``name`` in the payload) or 'body_hash' (SHA-256 of the raw body).
    """
    if source == "default":
        source, name = DEFAULT_EVENT_ID.get(scheme, ("body_hash", None))
    if source == "header":
        names = (name,) if isinstance(name, str) else tuple(name or ())
        for header in names:
            value = get_header(headers, header).strip()
            if value:
                return value[:255]
        return None
    if source == "json":
        value = json_path(payload, name)
        if value is None or isinstance(value, (dict, list)) or value == "":
            return None
        return str(value)[:255]
    if source == "body_hash":
        return "sha256:" + hashlib.sha256(_as_bytes(body)).hexdigest()
    return None


EVENT_TYPE_HEADERS = ("X-Shopify-Topic", "X-GitHub-Event")


def event_type(headers, payload):
    """A short event type for display and handler routing: the payload's ``type`` (Standard
    Webhooks, Stripe) or the topic/event header (Shopify, GitHub)."""
    if isinstance(payload, dict) and isinstance(payload.get("type"), str):
        return payload["type"][:128]
    for name in EVENT_TYPE_HEADERS:
        value = get_header(headers, name)
        if value:
            return value[:128]
    return None


def parse_json(body):
    """Decoded JSON of the raw body; raises ValueError when it is not (UTF-8) JSON."""
    try:
        return json.loads(_as_bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("the body is not valid JSON: %s" % exc) from None


def parse_payload(body, mimetype=None):
    """The event's JSON: the body itself, or for a form post (GitHub's
    ``application/x-www-form-urlencoded`` content type) the JSON in its ``payload`` field."""
    if mimetype == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(_as_bytes(body).decode("utf-8"), strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise ValueError("the form body cannot be parsed") from None
        if len(fields.get("payload", ())) != 1:
            raise ValueError("the form body has no single 'payload' field")
        return parse_json(fields["payload"][0])
    return parse_json(body)
