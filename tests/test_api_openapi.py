from odoo.tests import HttpCase, tagged

from ..controllers.api_common import OPERATIONS
from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiOpenapi(ApiTestMixin, HttpCase):

    def test_openapi_document(self):
        res = self.url_open("/api/v1/openapi.json")
        self.assertEqual(res.status_code, 200)
        spec = res.json()
        self.assertEqual(spec["openapi"], "3.1.0")
        ops = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
        for expected in [("GET", "/api/v1/orders"), ("POST", "/api/v1/orders"), ("GET", "/api/v1/orders/{order_id}"),
                         ("PATCH", "/api/v1/orders/{order_id}"), ("POST", "/api/v1/orders/{order_id}/confirm"),
                         ("POST", "/api/v1/orders/{order_id}/cancel"), ("GET", "/api/v1/partners"),
                         ("POST", "/api/v1/partners"), ("GET", "/api/v1/partners/{partner_id}"),
                         ("PATCH", "/api/v1/partners/{partner_id}"), ("PUT", "/api/v1/partners/external/{ref}")]:
            self.assertIn(expected, ops)
        self.assertEqual(len(ops), len(OPERATIONS))
        # the schema of an order is the one the webhook payloads and responses use
        self.assertEqual(spec["components"]["schemas"]["SaleOrder"], self.env["sale.order"]._rest_json_schema())
        self.assertEqual(set(spec["components"]["schemas"]["SaleOrder"]["properties"]),
                         set(self.env["sale.order"]._rest_fields_spec()))
        order = self.make_order()
        body = self.api("GET", "/api/v1/orders/%d" % order.id).json()
        self.assertEqual(set(body), set(spec["components"]["schemas"]["SaleOrder"]["properties"]))
        create = spec["paths"]["/api/v1/orders"]["post"]
        self.assertEqual(create["requestBody"]["content"]["application/json"]["schema"],
                         {"$ref": "#/components/schemas/OrderCreate"})
        self.assertIn("422", create["responses"])
        self.assertIn("bearerAuth", spec["components"]["securitySchemes"])

    def test_docs_page_offline(self):
        res = self.url_open("/api/v1/docs")
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers["Content-Type"].startswith("text/html"))
        self.assertIn("/api/v1/orders/{order_id}/confirm", res.text)
        self.assertIn("OrderCreate", res.text)
        self.assertNotIn("<script", res.text)
        self.assertNotIn("https://cdn", res.text)
