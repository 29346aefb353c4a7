from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiOrders(ApiTestMixin, HttpCase):

    def test_get_order_with_lines(self):
        order = self.make_order(qty=3)
        res = self.api("GET", "/api/v1/orders/%d" % order.id)
        self.assertEqual(res.status_code, 200, res.text)
        body = res.json()
        self.assertEqual(body, order._rest_representation()[0])
        self.assertEqual(body["partner"], {"id": self.customer.id, "name": "API Customer",
                                           "email": "customer@example.com", "external_ref": "CUST-1"})
        self.assertEqual(body["currency"], order.currency_id.name)
        self.assertEqual(body["amount_total"], order.amount_total)
        self.assertEqual(body["state"], "draft")
        [line] = body["lines"]
        self.assertEqual((line["product"]["default_code"], line["quantity"], line["price_unit"]),
                         ("API-WIDGET", 3.0, 10.0))
        self.assertEqual(line["price_subtotal"], 30.0)
        self.assertIsInstance(line["taxes"], list)

    def test_list_filters_and_fields(self):
        other = self.env["res.partner"].create({"name": "Other Customer"})
        o1 = self.make_order(ref="F-1")
        o2 = self.make_order(partner=other)
        o2.action_confirm()
        ids = lambda res: [o["id"] for o in res.json()["data"]]  # noqa: E731
        res = self.api("GET", "/api/v1/orders", params={"partner_id": other.id})
        self.assertEqual(ids(res), [o2.id])
        res = self.api("GET", "/api/v1/orders", params={"state": "sale", "partner_id": other.id})
        self.assertEqual(ids(res), [o2.id])
        res = self.api("GET", "/api/v1/orders", params={"state": "draft", "partner_id": other.id})
        self.assertEqual(ids(res), [])
        res = self.api("GET", "/api/v1/orders", params={"external_ref": "F-1"})
        self.assertEqual(ids(res), [o1.id])
        res = self.api("GET", "/api/v1/orders", params={"external_ref": "F-1", "fields": "name,state,amount_total"})
        self.assertEqual(res.json()["data"], [{"id": o1.id, "name": o1.name, "state": "draft",
                                               "amount_total": o1.amount_total}])
        self.assertNotIn("lines", self.api("GET", "/api/v1/orders", params={"external_ref": "F-1"}).json()["data"][0])
        res = self.api("GET", "/api/v1/orders", params={"updated_since": "2999-01-01T00:00:00Z"})
        self.assertEqual(ids(res), [])
        res = self.api("GET", "/api/v1/orders", params={"date_from": "2000-01-01T00:00:00Z",
                                                         "partner_id": other.id, "count": "true"})
        self.assertEqual((ids(res), res.json()["total"]), ([o2.id], 1))

    def test_create_order_by_ids_and_refs(self):
        res = self.api("POST", "/api/v1/orders", body={
            "partner_id": self.customer.id, "client_order_ref": "PO-1",
            "lines": [{"product_id": self.product.id, "quantity": 2},
                      {"product_code": "API-GADGET", "quantity": 1, "price_unit": 20.0}]})
        self.assertEqual(res.status_code, 201, res.text)
        body = res.json()
        order = self.env["sale.order"].browse(body["id"])
        self.assertEqual(res.headers["Location"], "/api/v1/orders/%d" % order.id)
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.user_id, self.user)  # created as the key's user, not sudo
        self.assertEqual(order.create_uid, self.user)
        self.assertEqual([(ln.product_id, ln.product_uom_qty, ln.price_unit) for ln in order.order_line],
                         [(self.product, 2.0, 10.0), (self.product2, 1.0, 20.0)])
        self.assertEqual(body["client_order_ref"], "PO-1")
        res = self.api("POST", "/api/v1/orders", body={"partner_external_ref": "CUST-1",
                                                        "lines": [{"product_code": "API-WIDGET"}]})
        self.assertEqual(res.status_code, 201, res.text)
        self.assertEqual(res.json()["partner"]["id"], self.customer.id)

    def test_create_order_with_inline_partner_upsert(self):
        res = self.api("POST", "/api/v1/orders", body={
            "partner": {"external_ref": "NEW-9", "name": "Inline Co", "email": "in@line.co", "country_code": "BE"},
            "lines": [{"product_code": "API-WIDGET"}]})
        self.assertEqual(res.status_code, 201, res.text)
        partner = self.env["res.partner"].search([("external_ref", "=", "NEW-9")])
        self.assertEqual((partner.name, partner.country_id.code), ("Inline Co", "BE"))
        res = self.api("POST", "/api/v1/orders", body={
            "partner": {"external_ref": "NEW-9", "name": "Inline Co Renamed"},
            "lines": [{"product_code": "API-WIDGET"}]})
        self.assertEqual(res.status_code, 201, res.text)
        self.assertEqual(self.env["res.partner"].search_count([("external_ref", "=", "NEW-9")]), 1)
        self.assertEqual(partner.name, "Inline Co Renamed")

    def test_external_ref_returns_existing_order(self):
        body = {"external_ref": "EXT-77", "partner_id": self.customer.id, "lines": [{"product_id": self.product.id}]}
        first = self.api("POST", "/api/v1/orders", body=body)
        self.assertEqual(first.status_code, 201, first.text)
        second = self.api("POST", "/api/v1/orders", body=dict(body, lines=[{"product_id": self.product2.id}]))
        self.assertEqual(second.status_code, 200, second.text)
        self.assertEqual(second.json()["id"], first.json()["id"])
        self.assertEqual(self.env["sale.order"].search_count([("external_ref", "=", "EXT-77")]), 1)

    def test_create_order_field_errors(self):
        res = self.api("POST", "/api/v1/orders", body={"lines": []})
        doc = self.assertProblem(res, 422)
        fields = {e["field"] for e in doc["errors"]}
        self.assertEqual(fields, {"partner_id", "lines"})
        res = self.api("POST", "/api/v1/orders", body={
            "partner_id": 999999999, "lines": [{"product_code": "NOPE"}]})
        self.assertProblem(res, 404, field="partner_id")  # well-formed, names no partner
        res = self.api("POST", "/api/v1/orders", body={
            "partner_id": self.customer.id, "lines": [{"product_id": self.product.id}, {"product_code": "NOPE"},
                                                      {"quantity": -1}]})
        doc = self.assertProblem(res, 422, field="lines[2].product_id")
        self.assertIn("lines[2].quantity", [e["field"] for e in doc["errors"]])
        res = self.api("POST", "/api/v1/orders", body={
            "partner_id": self.customer.id, "lines": [{"product_id": self.product.id}, {"product_code": "NOPE"}]})
        self.assertProblem(res, 404, field="lines[1].product_code")
        self.assertFalse(self.env["sale.order"].search([("partner_id", "=", self.customer.id)]))

    def test_patch_confirm_cancel(self):
        order = self.make_order()
        res = self.api("PATCH", "/api/v1/orders/%d" % order.id, body={
            "client_order_ref": "PO-9", "note": "Fragile", "lines": [{"product_code": "API-GADGET", "quantity": 4}]})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(order.client_order_ref, "PO-9")
        self.assertEqual([(ln.product_id, ln.product_uom_qty) for ln in order.order_line], [(self.product2, 4.0)])
        res = self.api("POST", "/api/v1/orders/%d/confirm" % order.id)
        self.assertEqual((res.status_code, res.json()["state"]), (200, "sale"), res.text)
        self.assertEqual(order.state, "sale")
        res = self.api("POST", "/api/v1/orders/%d/cancel" % order.id)
        self.assertEqual((res.status_code, res.json()["state"]), (200, "cancel"), res.text)
        self.assertProblem(self.api("POST", "/api/v1/orders/%d/cancel" % order.id), 409)

    def test_other_company_orders_invisible(self):
        company_b = self.env["res.company"].create({"name": "API Company B"})
        partner_b = self.env["res.partner"].create({"name": "B customer", "company_id": company_b.id})
        order_b = self.env["sale.order"].with_company(company_b).create({
            "partner_id": partner_b.id, "company_id": company_b.id, "external_ref": "B-1",
            "order_line": [Command.create({"product_id": self.product.id})]})
        mine = self.make_order()
        res = self.api("GET", "/api/v1/orders", params={"limit": 200})
        ids = [o["id"] for o in res.json()["data"]]
        self.assertIn(mine.id, ids)
        self.assertNotIn(order_b.id, ids)
        self.assertProblem(self.api("GET", "/api/v1/orders/%d" % order_b.id), 404)
        self.assertEqual(self.api("GET", "/api/v1/orders", params={"external_ref": "B-1"}).json()["data"], [])
        # the external_ref is taken in another company: a conflict, not a second order and no data leak
        res = self.api("POST", "/api/v1/orders", body={"external_ref": "B-1", "partner_id": self.customer.id,
                                                        "lines": [{"product_id": self.product.id}]})
        doc = self.assertProblem(res, 409)
        self.assertNotIn("B customer", doc["detail"])
