"""Scoped API keys: every operation needs its scope; scopes narrow the user's rights, never widen them."""
import datetime

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiScopes(ApiTestMixin, HttpCase):

    def assertInsufficientScope(self, res, scope):
        self.assertProblem(res, 403)
        body = res.json()
        self.assertTrue(body["type"].endswith("insufficient-scope"), body)
        self.assertIn("'%s'" % scope, body["detail"])
        self.assertIn('error="insufficient_scope"', res.headers["WWW-Authenticate"])
        self.assertIn('scope="%s"' % scope, res.headers["WWW-Authenticate"])

    def test_read_only_key_is_refused_every_write_naming_the_scope(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read partners:read", name="bi")
        order = self.make_order()
        self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        self.assertEqual(self.api("GET", "/api/v1/orders/%d" % order.id, key=key).status_code, 200)
        self.assertEqual(self.api("GET", "/api/v1/partners", key=key).status_code, 200)
        before = self.env["sale.order"].search_count([])
        self.assertInsufficientScope(self.api("POST", "/api/v1/orders", key=key, body={
            "partner_id": self.customer.id, "lines": [{"product_id": self.product.id, "quantity": 1}]}),
            "orders:write")
        self.assertInsufficientScope(self.api("PATCH", "/api/v1/orders/%d" % order.id, key=key,
                                              body={"note": "x"}), "orders:write")
        self.assertInsufficientScope(self.api("POST", "/api/v1/orders/%d/confirm" % order.id, key=key),
                                     "orders:confirm")
        self.assertInsufficientScope(self.api("POST", "/api/v1/orders/%d/cancel" % order.id, key=key),
                                     "orders:confirm")
        self.assertInsufficientScope(self.api("POST", "/api/v1/partners", key=key, body={"name": "Nope"}),
                                     "partners:write")
        self.assertInsufficientScope(self.api("PATCH", "/api/v1/partners/%d" % self.customer.id, key=key,
                                              body={"name": "Nope"}), "partners:write")
        self.assertInsufficientScope(self.api("PUT", "/api/v1/partners/external/NOPE-1", key=key,
                                              body={"name": "Nope"}), "partners:write")
        self.env.invalidate_all()
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Nope")]))

    def test_orders_key_cannot_read_partners(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read", name="orders only")
        self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        self.assertInsufficientScope(self.api("GET", "/api/v1/partners", key=key), "partners:read")
        self.assertInsufficientScope(self.api("GET", "/api/v1/partners/%d" % self.customer.id, key=key),
                                     "partners:read")

    def test_confirm_scope_confirms_without_write(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:confirm", name="confirmer")
        order = self.make_order()
        res = self.api("POST", "/api/v1/orders/%d/confirm" % order.id, key=key)
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(order.state, "sale")
        self.assertInsufficientScope(self.api("GET", "/api/v1/orders", key=key), "orders:read")

    def test_star_key_does_what_its_user_can_and_nothing_more(self):
        # a sales user without contact-creation rights: * does not give what the user lacks
        user = self._api_user("star_no_contacts", groups=(
            "base.group_user", "sales_team.group_sale_salesman_all_leads", "rest_webhooks.group_api_user"))
        for scope in ("rest_webhooks", None):  # * : our scope, or a global key
            key = self._api_key(user, scope=scope, name="star %s" % scope)
            self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
            res = self.api("POST", "/api/v1/orders", key=key, body={
                "partner_id": self.customer.id, "lines": [{"product_id": self.product.id, "quantity": 1}]})
            self.assertEqual(res.status_code, 201, res.text)
            res = self.api("POST", "/api/v1/partners", key=key, body={"name": "Star partner"})
            self.assertProblem(res, 403)
            self.assertFalse(res.json()["type"].endswith("insufficient-scope"), res.json())
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Star partner")]))

    def test_unknown_or_foreign_scope_grants_nothing(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:delete", name="bogus")
        self.assertInsufficientScope(self.api("GET", "/api/v1/orders", key=key), "orders:read")
        other = self._api_key(self.user, scope="rest_webhooksX:orders:read", name="lookalike")
        self.assertProblem(self.api("GET", "/api/v1/orders", key=other), 401)

    def test_scoped_key_is_not_an_rpc_key(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read", name="no rpc")
        Keys = self.env["res.users.apikeys"]
        self.assertFalse(Keys._check_credentials(scope="rpc", key=key))
        self.assertFalse(Keys._check_credentials(scope="rest_webhooks", key=key))

    def test_manager_issues_scoped_key(self):
        manager = self._api_user("scope_manager", groups=(
            "base.group_user", "sales_team.group_sale_salesman_all_leads", "base.group_partner_manager",
            "rest_webhooks.group_integration_manager"))
        scopes = self.env.ref("rest_webhooks.api_scope_orders_read") | self.env.ref(
            "rest_webhooks.api_scope_partners_read")
        wizard = self.env["api.key.issue"].with_user(manager).create({
            "user_id": self.user.id, "name": "BI tool", "scope_ids": [Command.set(scopes.ids)],
            "expiration_date": fields.Datetime.now() + datetime.timedelta(days=30)})
        key = wizard.action_issue()["context"]["default_key"]
        row = self.env["res.users.apikeys"].search([("user_id", "=", self.user.id), ("name", "=", "BI tool")])
        self.assertEqual(row.scope, "rest_webhooks:orders:read partners:read")
        self.assertEqual(self.api("GET", "/api/v1/orders", key=key).status_code, 200)
        self.assertInsufficientScope(self.api("POST", "/api/v1/partners", key=key, body={"name": "No"}),
                                     "partners:write")

    def test_openapi_declares_every_operation_scope(self):
        spec = self.url_open("/api/v1/openapi.json").json()
        schemes = spec["components"]["securitySchemes"]
        flow = schemes["oauth2"]["flows"]["clientCredentials"]
        self.assertEqual(flow["tokenUrl"], "/api/v1/oauth/token")
        self.assertIn("orders:read", flow["scopes"])
        expected = {("get", "/api/v1/orders"): "orders:read", ("post", "/api/v1/orders"): "orders:write",
                    ("post", "/api/v1/orders/{order_id}/confirm"): "orders:confirm",
                    ("put", "/api/v1/partners/external/{ref}"): "partners:write"}
        for (method, path), scope in expected.items():
            self.assertEqual(spec["paths"][path][method]["security"],
                             [{"bearerAuth": [scope]}, {"oauth2": [scope]}])
        for item in spec["paths"].values():
            for operation in item.values():
                self.assertTrue(operation.get("security") is not None, operation["operationId"])
