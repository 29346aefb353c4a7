import datetime

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiRetention(ApiTestMixin, HttpCase):

    def test_request_log_vacuumed_after_retention(self):
        self.env["ir.config_parameter"].sudo().set_param("rest_webhooks.api_log_retention_days", "7")
        self.api("GET", "/api/v1/orders", headers={"X-Request-Id": "keep-me"})
        Log = self.env["api.request.log"]
        self.assertEqual(len(Log.search([("request_id", "=", "keep-me")])), 1)
        now = fields.Datetime.now()
        with freeze_time(now + datetime.timedelta(days=6)):
            Log._gc_old_logs()
        self.assertEqual(len(Log.search([("request_id", "=", "keep-me")])), 1)
        with freeze_time(now + datetime.timedelta(days=8)):
            Log._gc_old_logs()
        self.assertFalse(Log.search([("request_id", "=", "keep-me")]))

    def test_old_rate_windows_vacuumed(self):
        with freeze_time("2026-11-20 10:00:00"):
            self.api("GET", "/api/v1/orders")
        with freeze_time("2026-11-23 10:00:00"):
            self.api("GET", "/api/v1/orders")
            self.assertEqual(self.env["api.rate.counter"].search_count([]), 2)
            self.env["api.rate.counter"]._gc_old_windows()
            self.assertEqual(self.env["api.rate.counter"].search_count([]), 1)

    def test_manager_sees_log_views(self):
        manager = self._api_user("log_manager", groups=("base.group_user", "rest_webhooks.group_integration_manager"))
        self.api("GET", "/api/v1/orders")
        Log = self.env["api.request.log"].with_user(manager)
        self.assertTrue(Log.search([]))
        for view_type in ("list", "graph", "form", "search"):
            self.assertTrue(Log.get_view(view_type=view_type)["arch"])
        with self.assertRaises(AccessError):
            self.env["api.request.log"].with_user(self.user).search([])
