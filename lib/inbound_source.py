"""What checking and storing an inbound delivery needs of a ``webhook.source``, as plain data.

Read with one plain query per request (models/webhook_source.py ``_request_config``) instead of
loading the record through the ORM. Pure Python (no Odoo import): unit-testable.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import inbound_signatures, standard_webhooks

# Schemes that sign the body only, without a timestamp, and take the event id from an unsigned
# header (Shopify, GitHub; generic HMAC when configured so): a captured request can be replayed with a
# new event id. For them a source may refuse a body already received within its replay window.
REPLAY_WINDOW_SCHEMES = ("shopify", "github", "hmac")


@dataclass(frozen=True)
class SourceConfig:
    id: int
    scheme: str
    secret: str | None
    previous_secret: str | None
    previous_secret_expires_at: datetime | None
    tolerance: int
    hmac_header: str | None
    hmac_encoding: str | None
    max_body_bytes: int
    event_id_source: str | None
    event_id_name: str | None
    replay_window_days: int = 0

    def secrets(self, now):
        """Accepted secrets at ``now`` (naive UTC): the current one, and the previous one while its
        overlap lasts."""
        return standard_webhooks.active_secrets(self.secret, self.previous_secret,
                                                self.previous_secret_expires_at, now)

    def verify(self, body, headers, now):
        """Raise inbound_signatures.SignatureError unless the raw ``body`` is signed for this source."""
        inbound_signatures.verify_request(
            self.scheme, self.secrets(now), body, headers, tolerance=self.tolerance,
            hmac_header=self.hmac_header, hmac_encoding=self.hmac_encoding or "hex")

    def event_id(self, headers, payload, body):
        return inbound_signatures.event_id(self.scheme, headers, payload, body,
                                           self.event_id_source or "default", self.event_id_name)

    def replay_window(self):
        """The replay window as a timedelta, or None when off (or meaningless for the scheme:
        Standard Webhooks and Stripe sign a timestamp and an event id the sender cannot change)."""
        if self.scheme in REPLAY_WINDOW_SCHEMES and (self.replay_window_days or 0) > 0:
            return timedelta(days=self.replay_window_days)
        return None

    def body_hash(self, body):
        """SHA-256 (hex) of the raw signed body when the replay window is on, else None: the second
        dedupe key, stored with the event."""
        if self.replay_window() is None:
            return None
        return hashlib.sha256(body if isinstance(body, bytes) else bytes(body)).hexdigest()

    def replay_cutoff(self, now):
        """Bodies received before this instant (naive UTC) no longer count as replays; None when off."""
        window = self.replay_window()
        return None if window is None else now - window
