"""Opaque, tamper-evident pagination cursors (keyset: last sort value + last id).

A cursor is ``base64url(json payload) + "." + hmac``; the payload names the sort it belongs to so a
cursor from one sort cannot be replayed against another. Pure Python, no Odoo import.
"""
import base64
import hashlib
import hmac
import json


class CursorError(ValueError):
    """The cursor is malformed, tampered with, or belongs to another sort."""


def _sign(secret, data):
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()[:32]


def encode_cursor(secret, sort, last_value, last_id):
    payload = json.dumps([sort, last_value, int(last_id)], separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return body + "." + _sign(secret, payload)


def decode_cursor(secret, token, sort):
    """Return ``(last_value, last_id)``; raise CursorError on any problem."""
    try:
        body, sig = token.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        cur_sort, value, last_id = json.loads(payload)
    except (ValueError, TypeError) as exc:
        raise CursorError("malformed cursor") from exc
    if not hmac.compare_digest(_sign(secret, payload), sig):
        raise CursorError("cursor signature mismatch")
    if cur_sort != sort:
        raise CursorError("cursor was issued for sort %r, not %r" % (cur_sort, sort))
    if not isinstance(last_id, int):
        raise CursorError("malformed cursor")
    return value, last_id
