"""Issue 10, item 9: a flood of refused calls cannot fill the request log.

Real HTTP requests with real, committed transactions (as test_api_retry): in test mode the request
and the log share one transaction, and the rollback of a refused request would hide what the log
wrote in its own transaction. Everything created is committed, so it is deleted in cleanups.
"""
import datetime
import time

from odoo.tests import tagged

from .real_server import RealServerCase


@tagged("post_install", "-at_install")
class TestRefusedCallsLog(RealServerCase):

    user_values = {"api_rate_limit": 1, "api_rate_window": 3600}

    def setUp(self):
        super().setUp()
        self.started = int(time.time() // 60)
        self.addCleanup(self._db, "DELETE FROM api_request_log WHERE aggregate_key LIKE %s", ("401:%",))

    def _rows(self, where, params):
        return self._db("SELECT status, hit_count, user_id FROM api_request_log WHERE " + where  # noqa: S608
                        + " ORDER BY id", params)

    def _get(self, key=None):
        return self.get("/api/v1/orders", key)

    def test_a_flood_of_bad_keys_shares_one_log_row_a_minute(self):
        self._db("DELETE FROM api_request_log WHERE aggregate_key LIKE '401:%%'")
        for i in range(8):
            res = self._get("bad-key-%s-%d" % (self.tag, i) if i else None)
            self.assertEqual(res.status_code, 401)
            self.assertEqual(res.headers["Content-Type"], "application/problem+json")
        rows = self._rows("status = 401 AND create_date >= %s",
                          (datetime.datetime.utcfromtimestamp(self.started * 60),))
        minutes_spanned = int(time.time() // 60) - self.started + 1
        self.assertLessEqual(len(rows), minutes_spanned)
        self.assertEqual(sum(hits for _status, hits, _user in rows), 8)
        self.assertEqual({user for _status, _hits, user in rows}, {None})

    def test_rate_limited_calls_share_one_log_row_a_minute(self):
        self.assertEqual(self._get(self.key).status_code, 200)
        for _i in range(5):
            self.assertEqual(self._get(self.key).status_code, 429)
        rows = self._rows("user_id = %s", (self.user_id,))
        self.assertEqual(rows[0], (200, 1, self.user_id))
        limited = rows[1:]
        self.assertLessEqual(len(limited), int(time.time() // 60) - self.started + 1)
        self.assertEqual(sum(hits for _status, hits, _user in limited), 5)
        self.assertEqual({status for status, _hits, _user in limited}, {429})
