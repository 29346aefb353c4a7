"""Key and client usage from the request log (last used, calls in 24 h / 7 days, last error status),
and revocation from the lists."""
from odoo import Command, api
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..services import log_buffer
from .real_server import RealServerCase
from .test_api_common import ApiTestMixin

MANAGER_GROUPS = ("base.group_user", "sales_team.group_sale_salesman_all_leads", "base.group_partner_manager",
                  "rest_webhooks.group_integration_manager")


@tagged("post_install", "-at_install")
class TestApiKeyUsage(ApiTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._api_user("usage_manager", groups=MANAGER_GROUPS)

    def _usage(self, name):
        return self.env["api.key.usage"].with_user(self.manager).search([("name", "=", name)])

    def test_key_usage_from_the_log(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read", name="usage key")
        usage = self._usage("usage key")
        self.assertEqual((usage.calls_24h, usage.calls_7d, usage.last_error_status), (0, 0, 0))
        self.assertFalse(usage.last_used_at)
        self.assertEqual(usage.scopes, "orders:read")
        for _ in range(3):
            self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        # (a refused call's row is written after the request's rollback: see TestApiKeyUsageRealServer)
        # a call 3 days ago counts in the week only (this process's buffered rows written first)
        log_buffer.BUFFER.flush_test_rows(self.env.cr)
        self.env.cr.execute("""UPDATE api_request_log SET create_date = create_date - interval '3 days'
                                WHERE id = (SELECT min(id) FROM api_request_log WHERE api_key_id = %s)""",
                            (usage.id,))
        usage.invalidate_recordset()
        self.assertEqual((usage.calls_24h, usage.calls_7d, usage.last_error_status), (2, 3, 0))
        self.assertTrue(usage.last_used_at)
        self.assertEqual(self.api("GET", "/api/v1/orders").status_code, 200)  # another key: not counted
        usage.invalidate_recordset()
        self.assertEqual(usage.calls_7d, 3)

    def test_manager_revokes_key_from_the_list(self):
        key = self._api_key(self.user, scope="rest_webhooks", name="to revoke")
        self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        self._usage("to revoke").action_revoke()
        self.assertFalse(self.env["res.users.apikeys"].search([("name", "=", "to revoke")]))
        self.assertProblem(self.api("GET", "/api/v1/orders", key=key), 401)

    def test_manager_cannot_revoke_an_administrator_key(self):
        self._api_key(self.env.ref("base.user_admin"), scope="rest_webhooks", name="admin key")
        with self.assertRaises(AccessError):
            self._usage("admin key").action_revoke()
        self.assertTrue(self.env["res.users.apikeys"].sudo().search([("name", "=", "admin key")]))
        plain = self._api_user("usage_plain")
        with self.assertRaises(AccessError):
            self.env["api.key.usage"].with_user(plain).search([])

    def test_client_usage_and_revoke(self):
        client = self.env["api.client"].with_user(self.manager).create({
            "name": "Usage client", "user_id": self.user.id,
            "scope_ids": [Command.set(self.env.ref("rest_webhooks.api_scope_orders_read").ids)]})
        secret = client.action_new_secret()["context"]["default_secret"]
        self.env.flush_all()
        res = self.url_open("/api/v1/oauth/token", data={
            "grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret})
        token = res.json()["access_token"]
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token).status_code, 200)
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token).status_code, 200)
        client.invalidate_recordset()
        self.assertEqual((client.calls_24h, client.calls_7d, client.last_error_status), (2, 2, 0))
        self.assertTrue(client.last_used_at)
        client.action_revoke()
        self.assertFalse(client.active)
        self.assertProblem(self.api("GET", "/api/v1/orders", key=token), 401)


@tagged("post_install", "-at_install")
class TestApiKeyUsageRealServer(RealServerCase):
    """Committed transactions: a refused call is logged (after the request's rollback) with its key."""

    def test_last_error_status_of_a_scoped_key(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            key = env["res.users.apikeys"].with_user(self.user_id).sudo()._generate(
                "rest_webhooks:orders:read", "real usage %s" % self.tag, None)
        self.assertEqual(self.get("/api/v1/orders", key=key).status_code, 200)
        self.assertEqual(self.get("/api/v1/partners", key=key).status_code, 403)
        self.wait_for_log_flush()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            usage = env["api.key.usage"].search([("name", "=", "real usage %s" % self.tag)])
            self.assertEqual((usage.calls_24h, usage.calls_7d, usage.last_error_status), (2, 2, 403))
