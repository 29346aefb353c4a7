"""Rate-limit counters shared by every worker and server: one row per user and fixed window.

All keys of a user share the user's quota (a second key gives no fresh quota); the verdict is a
sliding-window estimate over the current and the previous window (lib/ratelimit.py)."""
import time

from odoo import api, fields, models

from ..lib import ratelimit
from ..services.cursors import read_committed_cursor


class ApiRateCounter(models.Model):
    _name = "api.rate.counter"
    _description = "REST API rate-limit counter"
    _log_access = False

    user_id = fields.Integer("User id", required=True, index=False)
    window_start = fields.Integer("Window start (epoch s)", required=True)
    count = fields.Integer(required=True, default=0)

    _user_window_uniq = models.Constraint("UNIQUE (user_id, window_start)",
                                          "One counter per user and window.")

    @api.model
    def _hit(self, user_id, quota, window, now=None, amount=1, cr=None):
        """Count ``amount`` requests (one, or the items of a batch) of ``user_id`` and return the
        rate-limit verdict and headers.

        One statement in a short READ COMMITTED transaction committed at once: ``cr``'s (the
        caller's ``own_transaction``, services/cursors.py) or, without ``cr``, one of its own. The
        row lock is held for microseconds, concurrent requests of one user do not serialise on it,
        and a request that later fails still counts. Returns ``(allowed, headers)``.
        """
        now = time.time() if now is None else now
        start = ratelimit.window_start(now, window)
        if cr is None:
            with read_committed_cursor(self.env.registry) as own:
                return self._hit(user_id, quota, window, now, amount, cr=own)
        cr.execute("""
            WITH hit AS (
                INSERT INTO api_rate_counter (user_id, window_start, count) VALUES (%s, %s, %s)
                ON CONFLICT (user_id, window_start) DO UPDATE SET count = api_rate_counter.count + EXCLUDED.count
                RETURNING count)
            SELECT (SELECT count FROM hit),
                   COALESCE((SELECT count FROM api_rate_counter
                              WHERE user_id = %s AND window_start = %s), 0)
        """, (user_id, start, amount, user_id, start - max(int(window), 1)))
        current, previous = cr.fetchone()
        allowed, remaining, wait = ratelimit.sliding_decide(previous, current, quota, now, window)
        reset = wait or ratelimit.reset_after(now, window)
        return allowed, ratelimit.headers(quota, window, remaining, reset, limited=not allowed)

    @api.autovacuum
    def _gc_old_windows(self):
        # Windows are at most a day long in practice; keep two days.
        self.env.cr.execute("DELETE FROM api_rate_counter WHERE window_start < %s",
                            (int(time.time()) - 2 * 86400,))
