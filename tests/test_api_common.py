"""Shared set-up for the REST API tests: an integration user with a real Odoo API key."""
import datetime
import json as jsonlib

from odoo import Command, fields

from .api_contract_check import response_problems

SCOPE = "rest_webhooks"


class ApiTestMixin:

    @classmethod
    def _api_user(cls, login, groups=("base.group_user", "sales_team.group_sale_salesman_all_leads",
                                       "rest_webhooks.group_api_user", "base.group_partner_manager"), company=None):
        company = company or cls.env.company
        return cls.env["res.users"].with_context(no_reset_password=True).create({
            "name": login.title(), "login": login, "email": "%s@example.com" % login,
            "company_id": company.id, "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.set([cls.env.ref(g).id for g in groups])],
        })

    @classmethod
    def _api_key(cls, user, scope=SCOPE, days=1, name="test key"):
        expiry = fields.Datetime.now() + datetime.timedelta(days=days) if days else None
        # sudo only to issue the key as the manager would from the UI (any expiry allowed)
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(scope, name, expiry)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = cls._api_user("api_integration")
        cls.key = cls._api_key(cls.user)
        cls.product = cls.env["product.product"].create({
            "name": "API Widget", "default_code": "API-WIDGET", "list_price": 10.0, "sale_ok": True})
        cls.product2 = cls.env["product.product"].create({
            "name": "API Gadget", "default_code": "API-GADGET", "list_price": 25.0, "sale_ok": True})
        cls.customer = cls.env["res.partner"].create({
            "name": "API Customer", "email": "customer@example.com", "external_ref": "CUST-1"})

    def api(self, method, path, body=None, key=None, headers=None, data=None, params=None):
        self.env.flush_all()  # the server reads the database, not this test's ORM cache
        hdrs = {"Authorization": "Bearer %s" % (key or self.key)}
        if body is not None:
            data = jsonlib.dumps(body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        res = self.url_open(path, data=data, headers=hdrs, method=method, params=params)
        # every response of the HTTP suite must be what the OpenAPI document says it can be
        problems = response_problems(self.env, method, res.url, res)
        self.assertFalse(problems, "response breaks the OpenAPI document: %s" % problems)
        return res

    def assertProblem(self, res, status, field=None):
        self.assertEqual(res.status_code, status, res.text[:500])
        self.assertEqual(res.headers["Content-Type"], "application/problem+json", res.text[:300])
        doc = res.json()
        self.assertEqual(doc["status"], status)
        self.assertTrue(doc["title"])
        self.assertIn("type", doc)
        self.assertIsInstance(doc["errors"], list)
        self.assertEqual(doc["request_id"], res.headers["X-Request-Id"])
        if field:
            self.assertIn(field, [e["field"] for e in doc["errors"]], doc)
        return doc

    def make_order(self, partner=None, ref=None, qty=1.0, user=None):
        env = self.env(user=user) if user else self.env
        return env["sale.order"].create({
            "partner_id": (partner or self.customer).id, "external_ref": ref,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty})],
        })
