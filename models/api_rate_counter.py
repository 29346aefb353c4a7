"""Rate-limit counters shared by every worker and server: one row per API key and fixed window."""
import time

from odoo import api, fields, models

from ..lib import ratelimit
from .api_cursor import read_committed_cursor


class ApiRateCounter(models.Model):
    _name = "api.rate.counter"
    _description = "REST API rate-limit counter"
    _log_access = False

    key_id = fields.Integer("API key id", required=True, index=False)
    window_start = fields.Integer("Window start (epoch s)", required=True)
    count = fields.Integer(required=True, default=0)

    _key_window_uniq = models.Constraint("UNIQUE (key_id, window_start)",
                                         "One counter per key and window.")

    @api.model
    def _hit(self, key_id, quota, window, now=None):
        """Count one request for ``key_id`` and return the rate-limit verdict and headers.

        Runs in its own short transaction (committed at once) so the row lock is held for
        microseconds, concurrent requests of one key do not serialise on it, and a request that
        later fails still counts. Returns ``(allowed, headers)``.
        """
        now = time.time() if now is None else now
        start = ratelimit.window_start(now, window)
        with read_committed_cursor(self.env.registry) as cr:
            cr.execute("""
                INSERT INTO api_rate_counter (key_id, window_start, count) VALUES (%s, %s, 1)
                ON CONFLICT (key_id, window_start) DO UPDATE SET count = api_rate_counter.count + 1
                RETURNING count
            """, (key_id, start))
            count = cr.fetchone()[0]
        allowed, remaining = ratelimit.decide(count, quota)
        reset = ratelimit.reset_after(now, window)
        return allowed, ratelimit.headers(quota, window, remaining, reset, limited=not allowed)

    @api.autovacuum
    def _gc_old_windows(self):
        # Windows are at most a day long in practice; keep two days.
        self.env.cr.execute("DELETE FROM api_rate_counter WHERE window_start < %s",
                            (int(time.time()) - 2 * 86400,))
