"""The request log is written after the response (services/log_buffer.py): by this process's flusher
thread within about a second, in batches, with refused calls merged into their shared row. Real
server, real committed transactions (the deferred path itself, not the test-mode flush)."""
import time

from odoo.tests import tagged

from ..services import log_buffer
from .real_server import RealServerCase


@tagged("post_install", "-at_install")
class TestRequestLogBuffer(RealServerCase):

    def _rows_now(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT method, path, status, hit_count FROM api_request_log WHERE user_id = %s ORDER BY id",
                       (self.user_id,))
            return cr.fetchall()

    def test_flusher_writes_the_row_within_a_second_without_any_reader(self):
        res = self.get("/api/v1/orders?limit=1", self.key, headers={"X-Request-Id": "buffered-%s" % self.tag})
        self.assertEqual(res.status_code, 200)
        answered = time.monotonic()
        rows = []
        while time.monotonic() - answered < 5 and not rows:
            rows = self._rows_now()
            time.sleep(0.05)
        waited = time.monotonic() - answered
        self.assertEqual(rows, [("GET", "/api/v1/orders", 200, 1)])
        self.assertLess(waited, log_buffer.FLUSH_INTERVAL + 1.5)

    def test_a_burst_is_written_in_one_batch_and_refusals_merge(self):
        with self.registry.cursor() as cr:
            cr.execute("UPDATE res_users SET api_rate_limit = 2, api_rate_window = 3600 WHERE id = %s", (self.user_id,))
        statuses = [self.get("/api/v1/orders?limit=1", self.key).status_code for _i in range(5)]
        self.assertEqual(statuses, [200, 200, 429, 429, 429])
        self.wait_for_log_flush()
        rows = self._rows_now()
        self.assertEqual(rows[:2], [("GET", "/api/v1/orders", 200, 1)] * 2)
        # the three refusals of this minute share one row (two if the minute turned meanwhile)
        self.assertEqual(sum(hits for _m, _p, status, hits in rows[2:] if status == 429), 3)
        self.assertLessEqual(len(rows[2:]), 2)

    def test_rows_of_a_deleted_client_or_user_do_not_fail_the_batch(self):
        with self.registry.cursor() as cr:
            rows = log_buffer.without_dangling(cr, [
                ("GET", "/x", None, 200, 1.0, 2147483000, "k", "r", None, None, None, None,
                 2147483000, 2147483000, None, None, 2147483000, 1, log_buffer.utcnow(), log_buffer.utcnow())])
        self.assertEqual([rows[0][i] for i in (5, 12, 13, 16)], [None, None, None, None])
