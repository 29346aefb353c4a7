"""Security review findings on the REST side (issue 10, items 4-7, 9): each reproduced over HTTP
as the integration user, or as an outsider without a key."""
import json
import logging

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiSecurityFindings(ApiTestMixin, HttpCase):

    # ---------------------------------------------------------------- 4. no retry storm
    def _assert_conflict_without_retry(self, method, path, body):
        with self.assertNoLogs("odoo.service.model", logging.INFO):  # Odoo logs each retry there
            res = self.api(method, path, body)
        doc = self.assertProblem(res, 409)
        self.assertIn("not accessible", doc["detail"])

    def test_external_ref_of_another_companys_partner_is_409_at_once(self):
        other = self.env["res.company"].create({"name": "Hidden Co"})
        hidden = self.env["res.partner"].create({"name": "Hidden", "external_ref": "HIDDEN-CO-1",
                                                 "company_id": other.id})
        self._assert_conflict_without_retry("POST", "/api/v1/partners",
                                            {"name": "Mine", "external_ref": "HIDDEN-CO-1"})
        self._assert_conflict_without_retry("PUT", "/api/v1/partners/external/HIDDEN-CO-1", {"name": "Mine"})
        self.assertEqual(hidden.name, "Hidden")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Mine")]), 0)

    def test_external_ref_of_an_archived_partner_is_409_at_once_on_create(self):
        self.env["res.partner"].create({"name": "Gone", "external_ref": "ARCHIVED-1", "active": False})
        self._assert_conflict_without_retry("POST", "/api/v1/partners",
                                            {"name": "New", "external_ref": "ARCHIVED-1"})

    def test_inline_order_partner_with_a_hidden_ref_is_409_at_once(self):
        other = self.env["res.company"].create({"name": "Hidden Co 2"})
        self.env["res.partner"].create({"name": "Hidden", "external_ref": "HIDDEN-CO-2", "company_id": other.id})
        self._assert_conflict_without_retry("POST", "/api/v1/orders", {
            "partner": {"name": "X", "external_ref": "HIDDEN-CO-2"},
            "lines": [{"product_id": self.product.id}]})
        self.assertFalse(self.env["sale.order"].search([("partner_id.name", "=", "X")]))

    # ---------------------------------------------------------------- 5. OPTIONS runs nothing
    def test_options_on_a_write_route_runs_no_handler(self):
        order = self.make_order()
        self.env.flush_all()
        res = self.url_open("/api/v1/orders/%d/cancel" % order.id, method="OPTIONS",
                            headers={"Authorization": "Bearer %s" % self.key})
        self.assertEqual(res.status_code, 204)
        self.assertEqual(res.headers["Allow"], "OPTIONS, POST")
        self.assertEqual(res.content, b"")
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")

    def test_options_with_a_body_creates_nothing(self):
        res = self.url_open("/api/v1/partners", method="OPTIONS", data=json.dumps({"name": "By OPTIONS"}),
                            headers={"Authorization": "Bearer %s" % self.key, "Content-Type": "application/json"})
        self.assertEqual(res.status_code, 204)
        self.assertEqual(set(res.headers["Allow"].split(", ")), {"GET", "HEAD", "OPTIONS", "POST"})
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "By OPTIONS")]), 0)

    def test_options_on_an_unknown_path_is_404_problem(self):
        self.assertProblem(self.url_open("/api/v1/nothing", method="OPTIONS"), 404)

    # ---------------------------------------------------------------- 6. unstorable input -> 4xx
    def test_query_values_postgresql_refuses_are_4xx_naming_the_parameter(self):
        self.assertProblem(self.api("GET", "/api/v1/orders?count=true&offset=76508282274050284099469312"),
                           422, "offset")
        self.assertProblem(self.api("GET", "/api/v1/partners?external_ref=a%00b"), 400, "external_ref")
        self.assertProblem(self.api("GET", "/api/v1/partners?name=%ff"), 400, "query")
        # a valid RFC 3339 instant before year 1 in UTC: clamped, not refused
        res = self.api("GET", "/api/v1/partners?updated_since=0001-01-01T00:00:00%2B14:00&limit=1")
        self.assertEqual(res.status_code, 200, res.text)
        self.assertProblem(self.api("GET", "/api/v1/partners?updated_since="), 422, "updated_since")
        self.assertProblem(self.api("GET", "/api/v1/orders?partner_id=99999999999999999999999"), 422, "partner_id")

    def test_path_references_with_nul_are_400(self):
        res = self.api("PUT", "/api/v1/partners/external/a%00b", {"name": "Nul"})
        self.assertProblem(res, 400, "path")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Nul")]), 0)

    def test_huge_path_id_is_404(self):
        self.assertProblem(self.api("GET", "/api/v1/orders/99999999999999999999999"), 404)

    def test_body_values_postgresql_or_python_refuse_are_4xx(self):
        cases = [
            ('{"name": "a\\u0000b"}', 422, "name"),
            ('{"name": "\\ud800"}', 422, "name"),
            ('{"name": "x", "parent_id": 99999999999999999999}', 422, "parent_id"),
            ('{"name": "x", "parent_id": 4294967296}', 422, "parent_id"),
            ('{"name": NaN}', 400, None),
            ('{"name": "x", "is_company": Infinity}', 400, None),
            ('{"name": "x", "parent_id": 1e309}', 400, None),
            ('{"name": "x", "parent_id": %s}' % ("9" * 400), 400, None),
            ('{"name": "a", "name": "b"}', 400, "name"),
            ("[" * 50000 + "]" * 50000, 400, None),
        ]
        for raw, status, field in cases:
            with self.subTest(raw=raw[:60]):
                res = self.api("POST", "/api/v1/partners", data=raw.encode(),
                               headers={"Content-Type": "application/json"})
                self.assertProblem(res, status, field)
        self.assertEqual(self.env["res.partner"].search_count([("name", "in", ["a", "b", "x"])]), 0)

    def test_order_line_ids_beyond_postgresql_integers_are_422(self):
        res = self.api("POST", "/api/v1/orders", {"partner_id": self.customer.id,
                                                  "lines": [{"product_id": 2 ** 40}]})
        self.assertProblem(res, 422, "lines[0].product_id")

    # ---------------------------------------------------------------- 7. business values
    def test_negative_price_and_discount_above_100_are_refused(self):
        for line, field in (({"price_unit": -5}, "lines[0].price_unit"),
                            ({"discount": 150}, "lines[0].discount"),
                            ({"quantity": 1e15}, "lines[0].quantity")):
            with self.subTest(line=line):
                res = self.api("POST", "/api/v1/orders", {
                    "partner_id": self.customer.id, "lines": [dict(line, product_id=self.product.id)]})
                self.assertProblem(res, 422, field)
        self.assertFalse(self.env["sale.order"].search([("partner_id", "=", self.customer.id),
                                                        ("amount_total", "<", 0)]))


@tagged("post_install", "-at_install")
class TestApiSecurityCompanies(ApiTestMixin, HttpCase):
    """An integration user of one company does not reach another company's orders."""

    def test_other_company_order_is_404(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        partner = self.env["res.partner"].create({"name": "Other customer", "company_id": other.id})
        order = self.env["sale.order"].with_company(other).create({
            "partner_id": partner.id, "company_id": other.id,
            "order_line": [Command.create({"product_id": self.product.id})]})
        self.assertProblem(self.api("GET", "/api/v1/orders/%d" % order.id), 404)
        self.assertProblem(self.api("POST", "/api/v1/orders/%d/confirm" % order.id, {}), 404)
        self.assertEqual(order.state, "draft")

    def test_company_hierarchy_rules_over_the_api(self):
        """Odoo's partner rule (company_id parent_of the user's companies) reads the companies'
        parent paths, which the API takes from its key check into the request's cache: a user of a
        child company sees the parent company's partners and not a sibling's, as the ORM shows them
        to that user."""
        Company, Partner = self.env["res.company"], self.env["res.partner"]
        group = Company.create({"name": "Group Co"})
        child = Company.create({"name": "Child Co", "parent_id": group.id})
        sibling = Company.create({"name": "Sibling Co", "parent_id": group.id})
        user = self._api_user("api_child_company", company=child)
        key = self._api_key(user)
        mine = Partner.create({"name": "HX child", "company_id": child.id})
        upper = Partner.create({"name": "HX group", "company_id": group.id})
        other = Partner.create({"name": "HX sibling", "company_id": sibling.id})
        expected = sorted(Partner.with_user(user).search([("name", "=like", "HX %")]).ids)
        self.assertEqual(expected, sorted([mine.id, upper.id]))  # what the ORM shows this user
        res = self.api("GET", "/api/v1/partners", params={"name": "HX", "limit": 50}, key=key)
        self.assertEqual(sorted(r["id"] for r in res.json()["data"]), expected)
        self.assertEqual(self.api("GET", "/api/v1/partners/%d" % upper.id, key=key).status_code, 200)
        self.assertProblem(self.api("GET", "/api/v1/partners/%d" % other.id, key=key), 404)

    def test_order_refuses_references_the_user_may_not_use(self):
        """An order's partner_id and product_id go through the same access check as a search: another
        company's records, archived ones, a product that is not for sale and a deleted one are all
        404 naming the field, and nothing is created; readable ones in the same body pass."""
        other = self.env["res.company"].create({"name": "Other Co"})
        Partner, Product = self.env["res.partner"], self.env["product.product"]
        hidden_partner = Partner.create({"name": "Other customer", "company_id": other.id})
        archived_partner = Partner.create({"name": "Gone customer", "active": False})
        hidden_product = Product.create({"name": "Other product", "company_id": other.id})
        archived_product = Product.create({"name": "Gone product", "active": False})
        not_for_sale = Product.create({"name": "Internal", "sale_ok": False})
        deleted = Product.create({"name": "Deleted"})
        deleted_id = deleted.id
        deleted.unlink()
        before = self.env["sale.order"].search_count([])
        for partner in (hidden_partner, archived_partner):
            self.assertProblem(self.api("POST", "/api/v1/orders", body={
                "partner_id": partner.id, "lines": [{"product_id": self.product.id}]}), 404, field="partner_id")
        for product_id in (hidden_product.id, archived_product.id, not_for_sale.id, deleted_id):
            doc = self.assertProblem(self.api("POST", "/api/v1/orders", body={
                "partner_id": self.customer.id,
                "lines": [{"product_id": self.product.id}, {"product_id": product_id}]}), 404,
                field="lines[1].product_id")
            self.assertEqual([e["field"] for e in doc["errors"]], ["lines[1].product_id"])
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        res = self.api("POST", "/api/v1/orders", body={"partner_id": self.customer.id,
                                                      "lines": [{"product_id": self.product.id}]})
        self.assertEqual(res.status_code, 201, res.text)
