"""Batch writes (POST /api/v1/orders/batch, PUT /api/v1/partners/batch) and bulk reads (ids,
external_refs): per-item results, atomic rollback, Idempotency-Key replay, the rate limit counting
items, one webhook delivery per created order."""
import threading
import time

from odoo.service.model import retrying
from odoo.tests import HttpCase, freeze_time, tagged

from ..services.batch import lock_refs, order_create, run_batch
from .test_api_common import ApiTestMixin
from .test_api_concurrency import ConcurrencyCase
from .webhook_common import WebhookTestMixin


@tagged("post_install", "-at_install")
class TestApiBatch(ApiTestMixin, WebhookTestMixin, HttpCase):

    def _item(self, ref, product_code="API-WIDGET", **extra):
        return dict({"external_ref": ref, "partner_id": self.customer.id,
                     "lines": [{"product_code": product_code, "quantity": 2}]}, **extra)

    def _orders(self, *refs):
        return self.env["sale.order"].search([("external_ref", "in", list(refs))])

    def test_mixed_order_batch_gives_one_result_per_item_in_order(self):
        existing = self.make_order(ref="B-OLD")
        res = self.api("POST", "/api/v1/orders/batch", body={"items": [
            self._item("B-1"),
            self._item("B-2", product_code="NO-SUCH-CODE"),       # unknown product: 404
            self._item("B-OLD"),                                   # exists: 200, the existing order
            {"external_ref": "B-3", "partner_external_ref": "NO-SUCH-PARTNER",    # 404
             "lines": [{"product_code": "API-WIDGET"}]},
            self._item("B-5"),
        ]})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.headers["RateLimit-Cost"], "5")
        results = res.json()["results"]
        self.assertEqual([r["index"] for r in results], [0, 1, 2, 3, 4])
        self.assertEqual([r["status"] for r in results], [201, 404, 200, 404, 201])
        self.assertEqual([r["external_ref"] for r in results], ["B-1", "B-2", "B-OLD", "B-3", "B-5"])
        created = {o.external_ref: o.id for o in self._orders("B-1", "B-2", "B-3", "B-5")}
        self.assertEqual(created, {"B-1": results[0]["id"], "B-5": results[4]["id"]})
        self.assertEqual(results[2]["id"], existing.id)
        self.assertIsNone(results[0]["problem"])
        self.assertEqual(results[1]["problem"]["errors"],
                         [{"field": "lines[0].product_code",
                           "message": "no saleable product with this internal reference"}])
        self.assertEqual(results[3]["problem"]["errors"][0]["field"], "partner_external_ref")
        self.assertIsNone(results[1]["id"])
        self.assertEqual(self._orders("B-1").order_line.product_uom_qty, 2.0)

    def test_item_breaking_the_single_schema_refuses_the_whole_batch_with_422(self):
        res = self.api("POST", "/api/v1/orders/batch", body={"items": [
            self._item("S-1"), {"external_ref": "S-2", "partner_id": self.customer.id}]})
        self.assertProblem(res, 422)
        self.assertEqual(res.json()["errors"][0]["field"], "items[1].lines")
        self.assertFalse(self._orders("S-1", "S-2"))

    def test_atomic_batch_with_one_failure_rolls_back_every_item(self):
        res = self.api("POST", "/api/v1/orders/batch", body={"atomic": True, "items": [
            self._item("A-1"), self._item("A-2", product_code="NO-SUCH-CODE"), self._item("A-3")]})
        self.assertProblem(res, 409)
        doc = res.json()
        self.assertEqual(doc["type"], "https://rest-webhooks.dev/problems/batch-rolled-back")
        self.assertEqual([r["status"] for r in doc["results"]], [424, 404, 424])
        self.assertEqual([r["id"] for r in doc["results"]], [None, None, None])
        self.assertEqual(doc["results"][1]["problem"]["errors"][0]["field"], "lines[0].product_code")
        self.assertFalse(self._orders("A-1", "A-2", "A-3"))
        # the same batch without the bad item goes through, all of it
        res = self.api("POST", "/api/v1/orders/batch", body={"atomic": True, "items": [
            self._item("A-1"), self._item("A-3")]})
        self.assertEqual([r["status"] for r in res.json()["results"]], [201, 201])
        self.assertEqual(len(self._orders("A-1", "A-3")), 2)

    def test_batch_replayed_with_idempotency_key_gives_the_same_results(self):
        body = {"items": [self._item("I-1"), self._item("I-2", product_code="NO-SUCH-CODE")]}
        first = self.api("POST", "/api/v1/orders/batch", body=body, headers={"Idempotency-Key": "batch-1"})
        again = self.api("POST", "/api/v1/orders/batch", body=body, headers={"Idempotency-Key": "batch-1"})
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual([r["status"] for r in again.json()["results"]], [201, 404])
        self.assertEqual(len(self._orders("I-1")), 1)
        other = dict(body, atomic=True)
        self.assertProblem(self.api("POST", "/api/v1/orders/batch", body=other,
                                    headers={"Idempotency-Key": "batch-1"}), 409)

    def test_rate_limit_counts_items_not_requests(self):
        self.user.sudo().write({"api_rate_limit": 5, "api_rate_window": 3600})
        with freeze_time("2026-11-23 10:00:10"):
            res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
                {"external_ref": "RL-%d" % i, "name": "RL %d" % i} for i in range(3)]})
            self.assertEqual(res.status_code, 200, res.text)
            self.assertEqual(res.headers["RateLimit-Cost"], "3")
            self.assertEqual(res.headers["RateLimit"], '"default";r=2;t=3590')
            res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
                {"external_ref": "RL-X%d" % i, "name": "RL X%d" % i} for i in range(3)]})
            self.assertProblem(res, 429)
            self.assertEqual(res.headers["RateLimit-Cost"], "3")
            self.assertTrue(res.headers["Retry-After"])
        self.assertFalse(self.env["res.partner"].search([("external_ref", "=like", "RL-X%")]))

    def test_partner_batch_upserts_by_external_ref(self):
        old = self.env["res.partner"].create({"name": "Old name", "external_ref": "P-OLD"})
        res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
            {"external_ref": "P-NEW", "name": "New one", "email": "new@example.com"},
            {"external_ref": "P-OLD", "city": "Ghent"},
            {"external_ref": "P-NONAME"},                      # unknown and no name: 404
            {"external_ref": "P-BAD", "name": "x", "parent_id": 2 ** 31 - 1},  # no such parent: 404
        ]})
        self.assertEqual(res.status_code, 200, res.text)
        results = res.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 200, 404, 404])
        new = self.env["res.partner"].search([("external_ref", "=", "P-NEW")])
        self.assertEqual((results[0]["id"], new.email), (new.id, "new@example.com"))
        self.assertEqual((results[1]["id"], old.city, old.name), (old.id, "Ghent", "Old name"))
        self.assertEqual(results[3]["problem"]["errors"][0]["field"], "parent_id")
        self.assertFalse(self.env["res.partner"].search([("external_ref", "in", ["P-NONAME", "P-BAD"])]))

    def test_repeated_external_ref_in_one_batch_returns_the_order_its_first_item_created(self):
        res = self.api("POST", "/api/v1/orders/batch", body={"items": [
            self._item("D-1"), self._item("D-2"), self._item("D-1", product_code="NO-SUCH-CODE"),
            self._item("D-3", product_code="NO-SUCH-CODE"), self._item("D-3")]})
        results = res.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 201, 200, 404, 201])
        self.assertEqual(results[2]["id"], results[0]["id"])
        self.assertEqual(sorted(self._orders("D-1", "D-2", "D-3").ids),
                         sorted([results[0]["id"], results[1]["id"], results[4]["id"]]))

    def test_order_item_sees_the_partner_an_earlier_item_created_inline(self):
        res = self.api("POST", "/api/v1/orders/batch", body={"items": [
            {"external_ref": "IP-1", "partner": {"external_ref": "IP-CUST", "name": "Inline customer"},
             "lines": [{"product_code": "API-WIDGET"}]},
            {"external_ref": "IP-2", "partner_external_ref": "IP-CUST", "lines": [{"product_code": "API-WIDGET"}]},
        ]})
        self.assertEqual([r["status"] for r in res.json()["results"]], [201, 201])
        orders = self._orders("IP-1", "IP-2")
        self.assertEqual(orders.partner_id.mapped("external_ref"), ["IP-CUST"])

    def test_item_failing_at_write_time_fails_alone_and_the_others_are_saved(self):
        parent = self.env["res.partner"].create({"name": "Parent", "external_ref": "F-PARENT"})
        res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
            {"external_ref": "F-NEW", "name": "New"},
            {"external_ref": "F-PARENT", "parent_id": parent.id},     # its own parent: refused by Odoo
            {"external_ref": "F-NEW2", "name": "New 2", "city": "Ghent"},
        ]})
        self.assertEqual(res.status_code, 200, res.text)
        results = res.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 409, 201])
        self.assertIsNone(results[1]["id"])
        self.assertEqual(results[1]["problem"]["status"], 409)
        saved = self.env["res.partner"].search([("external_ref", "in", ["F-NEW", "F-NEW2"])])
        self.assertEqual(sorted(saved.ids), sorted([results[0]["id"], results[2]["id"]]))
        self.assertFalse(parent.parent_id)

    def test_partner_batch_updates_and_creates_in_one_request(self):
        olds = self.env["res.partner"].create([{"name": "Old %d" % i, "external_ref": "U-%d" % i} for i in range(3)])
        res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
            {"external_ref": "U-0", "city": "Ghent"}, {"external_ref": "U-NEW", "name": "New"},
            {"external_ref": "U-1", "city": "Ghent"}, {"external_ref": "U-2", "city": "Bruges"}]})
        results = res.json()["results"]
        self.assertEqual([r["status"] for r in results], [200, 201, 200, 200])
        self.assertEqual([results[0]["id"], results[2]["id"], results[3]["id"]], olds.ids)
        self.assertEqual(olds.mapped("city"), ["Ghent", "Ghent", "Bruges"])
        self.assertEqual(olds.mapped("name"), ["Old 0", "Old 1", "Old 2"])

    def test_partner_batch_resolves_each_items_country_and_parent(self):
        parent = self.env["res.partner"].create({"name": "Head office", "is_company": True})
        res = self.api("PUT", "/api/v1/partners/batch", body={"items": [
            {"external_ref": "C-1", "name": "One", "country_code": "BE", "parent_id": parent.id},
            {"external_ref": "C-2", "name": "Two", "country_code": "FR"},
            {"external_ref": "C-3", "name": "Three", "country_code": "BE", "parent_id": parent.id}]})
        self.assertEqual([r["status"] for r in res.json()["results"]], [201, 201, 201])
        partners = self.env["res.partner"].browse([r["id"] for r in res.json()["results"]])
        self.assertEqual([p.country_id.code for p in partners], ["BE", "FR", "BE"])
        self.assertEqual([p.parent_id for p in partners], [parent, self.env["res.partner"], parent])

    def test_batch_body_breaking_its_own_schema_is_422(self):
        self.assertProblem(self.api("POST", "/api/v1/orders/batch", body={"items": []}), 422)
        self.assertProblem(self.api("POST", "/api/v1/orders/batch", body={"items": ["x"]}), 422)
        self.assertProblem(self.api("PUT", "/api/v1/partners/batch", body={"items": [{"name": "no ref"}]}), 422)
        self.assertProblem(self.api("PUT", "/api/v1/partners/batch", body={
            "items": [{"external_ref": "T-%d" % i, "name": "t"} for i in range(201)]}), 422)

    def test_one_webhook_delivery_per_created_order_even_after_a_failed_item(self):
        self._allow_local_network(self.env)
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver)
        res = self.api("POST", "/api/v1/orders/batch", body={"items": [
            self._item("W-1"), self._item("W-2", product_code="NO-SUCH-CODE"), self._item("W-3")]})
        self.assertEqual([r["status"] for r in res.json()["results"]], [201, 404, 201])
        self.env.cr.flush()
        deliveries = self.env["webhook.delivery"].sudo().search([("endpoint_id", "=", endpoint.id)])
        self.assertEqual(sorted(deliveries.mapped("res_id")), sorted([res.json()["results"][0]["id"],
                                                                     res.json()["results"][2]["id"]]))
        self.assertEqual(set(deliveries.mapped("event_type")), {"sale.order.created"})

    def test_bulk_read_by_ids_and_external_refs(self):
        o1, o2, _o3 = self.make_order(ref="R-1"), self.make_order(ref="R-2"), self.make_order(ref="R-3")
        res = self.api("GET", "/api/v1/orders", params={"ids": "%d,%d" % (o1.id, o2.id)})
        self.assertEqual([o["id"] for o in res.json()["data"]], [o1.id, o2.id])
        res = self.api("GET", "/api/v1/orders", params={"external_refs": "R-3,R-1,R-404"})
        self.assertEqual(sorted(o["external_ref"] for o in res.json()["data"]), ["R-1", "R-3"])
        res = self.api("GET", "/api/v1/partners", params={"external_refs": "CUST-1"})
        self.assertEqual([p["id"] for p in res.json()["data"]], [self.customer.id])
        self.assertProblem(self.api("GET", "/api/v1/orders", params={
            "ids": ",".join(str(i) for i in range(1, 202))}), 422)
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"ids": "1,x"}), 422)


@tagged("post_install", "-at_install")
class TestApiBatchConcurrency(ConcurrencyCase):
    """Two batches sharing external references, in real concurrent transactions, through Odoo's
    ``retrying`` (what the HTTP layer wraps every request in): no duplicate, and the second batch
    answers the first one's orders as existing (200)."""

    def _batch(self, env, refs):
        items = [{"external_ref": ref, "partner_id": self.partner_id,
                  "lines": [{"product_id": self.product_id, "quantity": 1}]} for ref in refs]
        lock_refs(env.cr, "sale.order", refs)
        process, bulk = order_create(env)
        results, committed = run_batch(env, items, process, bulk=bulk)
        self.assertTrue(committed)
        return results

    def test_two_concurrent_batches_with_overlapping_refs_create_no_duplicate(self):
        x, y, z = ("BR-%s-%s" % (self.tag, n) for n in "xyz")
        done, results, errors = threading.Event(), {}, []

        def first():
            try:
                with self.registry.cursor() as cr:
                    results["a"] = self._batch(self._env(cr), [x, y])
                    done.set()
                    time.sleep(0.5)  # the second batch now waits for this transaction's locks
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
                done.set()

        thread = threading.Thread(target=first)
        thread.start()
        self.assertTrue(done.wait(10))
        with self.registry.cursor() as cr:
            env = self._env(cr)
            results["b"] = retrying(lambda: self._batch(env, [y, z, x]), env)
        thread.join(10)
        self.assertFalse(errors)
        self.assertEqual([r["status"] for r in results["a"]], [201, 201])
        self.assertEqual([r["status"] for r in results["b"]], [200, 201, 200])
        self.assertEqual((results["b"][0]["id"], results["b"][2]["id"]),
                         (results["a"][1]["id"], results["a"][0]["id"]))
        with self.registry.cursor() as cr:
            orders = self._env(cr)["sale.order"].search([("external_ref", "in", [x, y, z])])
            self.assertEqual(sorted(orders.mapped("external_ref")), sorted([x, y, z]))
