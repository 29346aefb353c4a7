"""What checking and storing an inbound delivery needs of a ``webhook.source``, as plain data.

Read with one plain query per request (models/webhook_source.py ``_request_config``) instead of
loading the record through the ORM. Pure Python (no Odoo import): unit-testable.
"""
from dataclasses import dataclass
from datetime import datetime

from . import inbound_signatures


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

    def secrets(self, now):
        """Accepted secrets at ``now`` (naive UTC): the current one, and the previous one while its
        overlap lasts."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return [s for s in secrets if s]

    def verify(self, body, headers, now):
        """Raise inbound_signatures.SignatureError unless the raw ``body`` is signed for this source."""
        inbound_signatures.verify_request(
            self.scheme, self.secrets(now), body, headers, tolerance=self.tolerance,
            hmac_header=self.hmac_header, hmac_encoding=self.hmac_encoding or "hex")

    def event_id(self, headers, payload, body):
        return inbound_signatures.event_id(self.scheme, headers, payload, body,
                                           self.event_id_source or "default", self.event_id_name)
