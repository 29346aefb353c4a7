import datetime

from odoo import fields
from odoo.tests import HttpCase, freeze_time, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiIdempotency(ApiTestMixin, HttpCase):

    def _body(self, qty=1):
        return {"partner_id": self.customer.id, "lines": [{"product_id": self.product.id, "quantity": qty}]}

    def test_retry_returns_first_response(self):
        first = self.api("POST", "/api/v1/orders", body=self._body(), headers={"Idempotency-Key": "k-1"})
        self.assertEqual(first.status_code, 201, first.text)
        again = self.api("POST", "/api/v1/orders", body=self._body(), headers={"Idempotency-Key": "k-1"})
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertNotEqual(again.headers["X-Request-Id"], first.headers["X-Request-Id"])
        self.assertEqual(self.env["sale.order"].search_count([("partner_id", "=", self.customer.id)]), 1)
        # keys are per user: another user may use the same key for its own request
        other = self._api_user("idem_other")
        res = self.api("POST", "/api/v1/orders", body=self._body(), key=self._api_key(other),
                       headers={"Idempotency-Key": "k-1"})
        self.assertEqual(res.status_code, 201)
        self.assertNotEqual(res.json()["id"], first.json()["id"])

    def test_same_key_different_body_409(self):
        self.api("POST", "/api/v1/orders", body=self._body(1), headers={"Idempotency-Key": "k-2"})
        doc = self.assertProblem(self.api("POST", "/api/v1/orders", body=self._body(2),
                                          headers={"Idempotency-Key": "k-2"}), 409)
        self.assertIn("idempotency", doc["type"])
        self.assertEqual(self.env["sale.order"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_same_key_while_running_409(self):
        # the first request is still running: its claim row is committed, its response not yet
        self.env["api.idempotency.key"].sudo().create({
            "user_id": self.user.id, "key": "k-3", "method": "POST", "path": "/api/v1/orders",
            "fingerprint": "will-not-be-compared-first", "state": "running"})
        self.env.cr.execute("UPDATE api_idempotency_key SET fingerprint = %s WHERE key = 'k-3'",
                            (self._fingerprint(self._body()),))
        self.assertProblem(self.api("POST", "/api/v1/orders", body=self._body(),
                                    headers={"Idempotency-Key": "k-3"}), 409)
        self.assertFalse(self.env["sale.order"].search([("partner_id", "=", self.customer.id)]))

    def _fingerprint(self, body):
        import json  # noqa: PLC0415

        from ..lib.idempotency import request_fingerprint  # noqa: PLC0415
        return request_fingerprint("POST", "/api/v1/orders", "", json.dumps(body).encode())

    def test_failed_request_is_not_remembered(self):
        bad = {"partner_id": self.customer.id, "lines": [{"product_code": "NOPE"}]}
        self.assertProblem(self.api("POST", "/api/v1/orders", body=bad, headers={"Idempotency-Key": "k-4"}), 404)
        self.assertFalse(self.env["api.idempotency.key"].search([("key", "=", "k-4")]))

    def test_patch_and_put_honour_the_key(self):
        res1 = self.api("PUT", "/api/v1/partners/external/IDEM-P", body={"name": "Idem"},
                        headers={"Idempotency-Key": "k-5"})
        res2 = self.api("PUT", "/api/v1/partners/external/IDEM-P", body={"name": "Idem"},
                        headers={"Idempotency-Key": "k-5"})
        self.assertEqual((res1.status_code, res2.status_code), (201, 201))
        self.assertEqual(res2.headers.get("Idempotent-Replayed"), "true")
        self.assertProblem(self.api("PATCH", "/api/v1/partners/%d" % self.customer.id, body={"city": "A"},
                                    headers={"Idempotency-Key": ""}), 400)

    def test_kept_24h_then_vacuumed(self):
        self.api("POST", "/api/v1/orders", body=self._body(), headers={"Idempotency-Key": "k-6"})
        Key = self.env["api.idempotency.key"]
        self.assertEqual(len(Key.search([("key", "=", "k-6")])), 1)
        now = fields.Datetime.now()
        with freeze_time(now + datetime.timedelta(hours=23)):
            Key._gc_expired()
            self.assertEqual(len(Key.search([("key", "=", "k-6")])), 1)
        with freeze_time(now + datetime.timedelta(hours=25)):
            Key._gc_expired()
            self.assertFalse(Key.search([("key", "=", "k-6")]))
