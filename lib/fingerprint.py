"""Fingerprint of a secret for display: enough to tell two secrets apart, nothing of the secret itself.

The hint shown next to a webhook secret used to be its first characters; a prefix is part of the
secret (and for ``whsec_`` secrets the first ones are the same for all). A few hex digits of its
SHA-256 identify it ("is the receiver using the current secret?") without revealing any of it.
"""
import hashlib

FINGERPRINT_PREFIX = "sha256:"
FINGERPRINT_HEX_CHARS = 4


def secret_fingerprint(secret):
    """``"sha256:" + the last 4 hex digits of SHA-256(secret)``; ``False`` for an empty secret."""
    if not secret:
        return False
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    return FINGERPRINT_PREFIX + digest[-FINGERPRINT_HEX_CHARS:]
