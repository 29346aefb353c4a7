"""GET operations run on a read-only cursor (a replica when Odoo has one); their rate count and log
row still reach the primary, and ``X-Read-Primary: 1`` reads from the primary. Real server, real
cursors (a read-only cursor cannot be shown inside HttpCase's shared test transaction)."""
import logging

from odoo.tests import tagged

from .real_server import RealServerCase


@tagged("post_install", "-at_install")
class TestReadOnlyGets(RealServerCase):

    def _log_rows(self):
        return self._db("SELECT method, path, status FROM api_request_log WHERE user_id = %s ORDER BY id",
                        (self.user_id,))

    def test_get_runs_read_only_and_still_counts_and_logs(self):
        # Odoo retries a read-only route that writes on a read/write cursor, with this warning
        with self.assertNoLogs("odoo.http", logging.WARNING):
            for _i in range(3):
                res = self.get("/api/v1/orders?limit=1", self.key)
                self.assertEqual(res.status_code, 200, res.text[:300])
                self.assertIn("RateLimit", res.headers)
            res = self.get("/api/v1/partners?limit=1", self.key, headers={"X-Read-Primary": "1"})
            self.assertEqual(res.status_code, 200, res.text[:300])
        self.assertEqual(self._log_rows(), [("GET", "/api/v1/orders", 200)] * 3 + [("GET", "/api/v1/partners", 200)])
        self.assertEqual(self._db("SELECT sum(count) FROM api_rate_counter WHERE user_id = %s", (self.user_id,)),
                         [(4,)])

    def test_refused_get_is_logged_from_a_read_only_request(self):
        with self.assertNoLogs("odoo.http", logging.WARNING):
            res = self.get("/api/v1/orders/999999999", self.key)
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.headers["Content-Type"], "application/problem+json")
        self.assertEqual(self._log_rows(), [("GET", "/api/v1/orders/999999999", 404)])
