"""Issue 10, item 9: a flood of refused calls cannot fill the request log.

Real HTTP requests with real, committed transactions (as test_api_retry): in test mode the request
and the log share one transaction, and the rollback of a refused request would hide what the log
wrote in its own transaction. Everything created is committed, so it is deleted in cleanups.
"""
import datetime
import time
import uuid
from unittest.mock import patch

import requests

import odoo
from odoo import Command, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import HOST, get_db_name

GROUPS = ("base.group_user", "sales_team.group_sale_salesman_all_leads", "rest_webhooks.group_api_user")


@tagged("post_install", "-at_install")
class TestRefusedCallsLog(BaseCase):

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        for patcher in (patch.object(Registry, "_lock", DummyRLock()),
                        patch.object(self.registry, "check_signaling", return_value=self.registry)):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.base = "http://%s:%d" % (HOST, odoo.service.server.server.httpd.server_port)
        self.tag = uuid.uuid4().hex[:8]
        self.started = int(time.time() // 60)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].with_context(no_reset_password=True).create({
                "name": "Flood %s" % self.tag, "login": "flood_%s" % self.tag,
                "api_rate_limit": 1, "api_rate_window": 3600,
                "group_ids": [Command.set([env.ref(g).id for g in GROUPS])]})
            self.user_id = user.id
            # sudo only to issue the key as a manager would from the UI
            self.key = env["res.users.apikeys"].with_user(user).sudo()._generate(
                "rest_webhooks", "flood test", fields.Datetime.now() + datetime.timedelta(days=1))
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM api_request_log WHERE user_id = %s OR aggregate_key LIKE %s",
                       (self.user_id, "401:%"))
            cr.execute("DELETE FROM api_rate_counter WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s", (self.user_id,))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].browse(self.user_id)
            partner = user.partner_id
            user.unlink()
            partner.unlink()

    def _rows(self, where, params):
        with self.registry.cursor() as cr:
            cr.execute("SELECT status, hit_count, user_id FROM api_request_log WHERE " + where  # noqa: S608
                       + " ORDER BY id", params)
            return cr.fetchall()

    def _get(self, key=None):
        headers = {"Authorization": "Bearer %s" % key} if key else {}
        return requests.get(self.base + "/api/v1/orders", headers=headers, timeout=30)

    def test_a_flood_of_bad_keys_shares_one_log_row_a_minute(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM api_request_log WHERE aggregate_key LIKE '401:%%'")
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
