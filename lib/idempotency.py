"""Fingerprint of a request for Idempotency-Key checks. Pure Python.

Two requests are "the same" when method, path, query and JSON body are equal; the body is
canonicalised (sorted keys, no whitespace) so formatting differences do not matter.
"""
import hashlib
import json
import re

_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}\Z")


def valid_key(key):
    return bool(key) and bool(_KEY_RE.match(key))


def canonical_body(body):
    if not body:
        return b""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        # not JSON, or nested too deeply to decode (the body check answers 400 for it): the bytes
        return bytes(body)


def request_fingerprint(method, path, query, body):
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), (query or "").encode(), canonical_body(body)):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()
