from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiErrors(ApiTestMixin, HttpCase):

    def test_unknown_api_path_404_problem(self):
        doc = self.assertProblem(self.api("GET", "/api/v1/nothing/here"), 404)
        self.assertNotIn("<html", doc.get("detail", "").lower())
        self.assertProblem(self.url_open("/api/v2/orders"), 404)

    def test_missing_record_404(self):
        self.assertProblem(self.api("GET", "/api/v1/orders/999999999"), 404)
        self.assertProblem(self.api("GET", "/api/v1/partners/999999999"), 404)

    def test_wrong_method_405_with_allow(self):
        res = self.api("DELETE", "/api/v1/orders")
        self.assertProblem(res, 405)
        self.assertIn("GET", res.headers["Allow"])
        self.assertIn("POST", res.headers["Allow"])
        self.assertIn("X-Request-Id", res.headers)

    def test_body_too_large_413(self):
        res = self.api("POST", "/api/v1/partners", data=b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}',
                       headers={"Content-Type": "application/json"})
        self.assertProblem(res, 413)

    def test_wrong_content_type_415(self):
        res = self.api("POST", "/api/v1/partners", data="name=x",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertProblem(res, 415)
        res = self.api("POST", "/api/v1/partners", data=b'{"name": "x"}', headers={"Content-Type": "text/plain"})
        self.assertProblem(res, 415)

    def test_malformed_json_400(self):
        res = self.api("POST", "/api/v1/partners", data=b'{"name": ', headers={"Content-Type": "application/json"})
        doc = self.assertProblem(res, 400)
        self.assertIn("Malformed JSON", doc["detail"])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "x")]))

    def test_unknown_field_and_bad_value_422(self):
        doc = self.assertProblem(self.api("POST", "/api/v1/partners", body={"name": "A", "colour": "red"}),
                                 422, field="colour")
        self.assertEqual(doc["errors"][0]["message"], "unknown field")
        self.assertProblem(self.api("POST", "/api/v1/partners", body={"name": "A", "email": "nope"}), 422,
                           field="email")
        self.assertProblem(self.api("POST", "/api/v1/partners", body={"email": "a@b.co"}), 422, field="name")
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"limit": "500"}), 422, field="limit")
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"fields": "id,bogus"}), 422, field="fields")
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"sort": "amount"}), 422, field="sort")
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"updated_since": "yesterday"}), 422,
                           field="updated_since")

    def test_odoo_validation_error_409(self):
        # Odoo's own constraint (recursive partner hierarchy) on a well-formed body -> 409, nothing changed
        doc = self.assertProblem(self.api("PATCH", "/api/v1/partners/%d" % self.customer.id,
                                          body={"parent_id": self.customer.id}), 409)
        self.assertTrue(doc["detail"])
        self.assertFalse(self.customer.parent_id)

    def test_invalid_state_409(self):
        order = self.make_order()
        order.action_confirm()
        self.assertProblem(self.api("PATCH", "/api/v1/orders/%d" % order.id, body={"note": "x"}), 409)
        self.assertProblem(self.api("POST", "/api/v1/orders/%d/confirm" % order.id), 409)

    def test_docs_and_openapi_errors_are_problems_too(self):
        self.assertProblem(self.url_open("/api/v1/openapi.json", data=b"{}",
                                         headers={"Content-Type": "application/json"}), 405)
