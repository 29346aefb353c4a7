import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiAuth(ApiTestMixin, HttpCase):

    def test_valid_key_lists_orders(self):
        order = self.make_order()
        res = self.api("GET", "/api/v1/orders")
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.headers["Content-Type"], "application/json")
        self.assertIn(order.id, [o["id"] for o in res.json()["data"]])
        self.assertTrue(res.headers["X-Request-Id"])
        self.assertIn("RateLimit", res.headers)
        self.assertIn("RateLimit-Policy", res.headers)

    def test_missing_and_wrong_key_401(self):
        res = self.url_open("/api/v1/orders")
        self.assertProblem(res, 401)
        self.assertTrue(res.headers["WWW-Authenticate"].lower().startswith("bearer"))
        res = self.api("GET", "/api/v1/orders", key=self.key[:-4] + "0000")
        self.assertProblem(res, 401)
        self.assertIn("WWW-Authenticate", res.headers)
        res = self.api("GET", "/api/v1/orders", key="garbage")
        self.assertProblem(res, 401)

    def test_revoked_key_refused_on_next_request(self):
        self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)  # now cached
        self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)
        self.env["res.users.apikeys"].search([("user_id", "=", self.user.id)])._remove()
        self.assertProblem(self.api("GET", "/api/v1/orders"), 401)

    def test_expired_key_refused(self):
        self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)  # cached
        self.env.cr.execute("UPDATE res_users_apikeys SET expiration_date = %s WHERE user_id = %s",
                            (fields.Datetime.now() - datetime.timedelta(seconds=1), self.user.id))
        self.assertProblem(self.api("GET", "/api/v1/orders"), 401)

    def test_archived_user_refused(self):
        self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)  # cached
        self.user.active = False
        self.env.flush_all()
        self.assertProblem(self.api("GET", "/api/v1/orders"), 401)

    def test_global_key_accepted_other_scope_refused(self):
        global_key = self._api_key(self.user, scope=None, name="global")
        self.assertEqual(self.api("GET", "/api/v1/orders", key=global_key).status_code, 200)
        other = self._api_key(self.user, scope="other_scope", name="other")
        self.assertProblem(self.api("GET", "/api/v1/orders", key=other), 401)

    def test_user_without_api_group_403(self):
        user = self._api_user("no_api_group", groups=("base.group_user", "sales_team.group_sale_salesman_all_leads"))
        key = self._api_key(user)
        self.assertProblem(self.api("GET", "/api/v1/orders", key=key), 403)

    def test_user_without_sales_rights_403(self):
        user = self._api_user("no_sales", groups=("base.group_user", "rest_webhooks.group_api_user"))
        key = self._api_key(user)
        self.assertProblem(self.api("GET", "/api/v1/orders", key=key), 403)
        self.assertProblem(self.api("GET", "/api/v1/orders/%d" % self.make_order().id, key=key), 403)

    def test_rate_limit_429_with_headers(self):
        self.user.sudo().write({"api_rate_limit": 2, "api_rate_window": 3600})
        with freeze_time("2026-11-23 10:00:10"):
            first = self.api("GET", "/api/v1/orders")
            self.assertEqual(first.status_code, 200)
            self.assertEqual(first.headers["RateLimit-Policy"], '"default";q=2;w=3600')
            self.assertEqual(first.headers["RateLimit"], '"default";r=1;t=3590')
            # sliding window: 2 requests in this window leave room for one more once half of it
            # has slid out, 30 minutes into the next window
            self.assertEqual(self.api("GET", "/api/v1/orders").headers["RateLimit"], '"default";r=0;t=5390')
            res = self.api("GET", "/api/v1/orders")
            self.assertProblem(res, 429)
            self.assertEqual(res.headers["Retry-After"], "5990")  # 3 counted: two thirds must slide out
            self.assertEqual(res.headers["RateLimit"], '"default";r=0;t=5990')
        with freeze_time("2026-11-23 11:00:01"):
            # next fixed window, but the sliding window still holds the 3 requests of 10:00
            res = self.api("GET", "/api/v1/orders")
            self.assertProblem(res, 429)
            self.assertEqual(res.headers["Retry-After"], "3599")
        with freeze_time("2026-11-23 12:30:00"):  # the 10:00 window has slid out entirely
            self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)

    def test_rate_limit_is_shared_by_every_key_of_a_user(self):
        self.user.sudo().write({"api_rate_limit": 2, "api_rate_window": 3600})
        second_key = self._api_key(self.user, name="second key")
        with freeze_time("2026-11-23 10:00:10"):
            self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)
            self.assertEqual(self.api("GET", "/api/v1/orders", key=second_key).status_code, 200)
            self.assertProblem(self.api("GET", "/api/v1/orders", key=second_key), 429)
            self.assertProblem(self.api("GET", "/api/v1/orders"), 429)

    def test_request_id_echoed_and_logged(self):
        res = self.api("GET", "/api/v1/orders", headers={"X-Request-Id": "rid-123"})
        self.assertEqual(res.headers["X-Request-Id"], "rid-123")
        log = self.env["api.request.log"].search([("request_id", "=", "rid-123")])
        self.assertEqual(len(log), 1)
        self.assertEqual((log.method, log.path, log.status, log.user_id, log.key_name),
                         ("GET", "/api/v1/orders", 200, self.user, "test key"))
        self.assertFalse(log.response_body)
        res = self.url_open("/api/v1/orders", headers={"X-Request-Id": "rid-401"})
        log = self.env["api.request.log"].search([("request_id", "=", "rid-401")])
        self.assertEqual((log.status, log.user_id.id), (401, False))

    def test_body_logging_only_when_enabled(self):
        self.api("GET", "/api/v1/partners/%d" % self.customer.id, headers={"X-Request-Id": "nobody"})
        self.assertFalse(self.env["api.request.log"].search([("request_id", "=", "nobody")]).response_body)
        self.user.sudo().api_log_bodies = True
        self.api("PATCH", "/api/v1/partners/%d" % self.customer.id, body={"phone": "+3212"},
                 headers={"X-Request-Id": "withbody"})
        log = self.env["api.request.log"].search([("request_id", "=", "withbody")])
        self.assertIn("+3212", log.request_body)
        self.assertIn("+3212", log.response_body)

    def test_manager_issues_key_shown_once(self):
        # a manager issues keys only for users with no right the manager lacks (here: sales, contacts)
        manager = self._api_user("integ_manager", groups=(
            "base.group_user", "sales_team.group_sale_salesman_all_leads", "base.group_partner_manager",
            "rest_webhooks.group_integration_manager"))
        wizard = self.env["api.key.issue"].with_user(manager).create({
            "user_id": self.user.id, "name": "Shop connector",
            "scope_ids": [Command.set(self.env.ref("rest_webhooks.api_scope_all").ids)],
            "expiration_date": fields.Datetime.now() + datetime.timedelta(days=30)})
        action = wizard.action_issue()
        key = action["context"]["default_key"]
        self.assertFalse(wizard.exists())
        row = self.env["res.users.apikeys"].search([("user_id", "=", self.user.id), ("name", "=", "Shop connector")])
        self.assertEqual(row.scope, "rest_webhooks")
        self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        plain = self._api_user("not_manager")
        with self.assertRaises(AccessError):
            self.env["api.key.issue"].with_user(plain).create({"user_id": self.user.id, "name": "x"})
