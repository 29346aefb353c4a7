import json

from odoo.tests import HttpCase, tagged

from ..controllers import api_orders, api_partners
from ..controllers.api_common import OPERATIONS
from ..lib.schema_check import assert_supported
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

    def test_document_is_valid_openapi_31_with_standard_keywords_only(self):
        from openapi_spec_validator import validate  # noqa: PLC0415 - test tool (requirements.txt)
        spec = self.url_open("/api/v1/openapi.json").json()
        validate(spec)  # raises on an invalid document
        self.assertNotIn("oneOfRequired", json.dumps(spec))
        schemas = spec["components"]["schemas"]
        for name in ("OrderCreate", "OrderPatch", "PartnerCreate", "PartnerPatch", "PartnerUpsert"):
            assert_supported(schemas[name], name)  # only keywords the server checks
        self.assertEqual(schemas["OrderCreate"]["oneOf"], [
            {"required": ["partner_id"]}, {"required": ["partner_external_ref"]}, {"required": ["partner"]}])
        line = schemas["OrderCreate"]["properties"]["lines"]["items"]
        self.assertEqual(line["oneOf"], [{"required": ["product_id"]}, {"required": ["product_code"]}])
        codes = schemas["PartnerCreate"]["properties"]["country_code"]["enum"]
        self.assertIn("BE", codes)
        self.assertNotIn("00", codes)
        listing = {p["name"]: p for p in spec["paths"]["/api/v1/orders"]["get"]["parameters"]}
        self.assertEqual(listing["sort"]["schema"]["enum"][:2], ["id", "-id"])
        self.assertEqual(listing["state"]["schema"]["items"]["enum"], ["draft", "sent", "sale", "cancel"])
        self.assertEqual((listing["offset"]["schema"]["minimum"], listing["offset"]["schema"]["maximum"]),
                         (0, 2 ** 31 - 1))
        create = spec["paths"]["/api/v1/orders"]["post"]
        self.assertEqual(set(create["responses"]), {"200", "201", "400", "401", "403", "404", "409", "413",
                                                    "415", "422", "429", "503"})
        self.assertIn("Idempotent-Replayed", create["responses"]["201"]["headers"])
        self.assertEqual(create["responses"]["201"]["links"]["confirmOrder"]["parameters"],
                         {"order_id": "$response.body#/id"})
        self.assertIn("Link", spec["paths"]["/api/v1/partners"]["get"]["responses"]["200"]["headers"])

    def test_selectable_fields_are_the_representation(self):
        self.assertEqual(api_orders.FIELDS, list(self.env["sale.order"]._rest_fields_spec()))
        self.assertEqual(api_partners.FIELDS, list(self.env["res.partner"]._rest_fields_spec()))

    def test_webhooks_section_documents_every_event_we_send(self):
        spec = self.url_open("/api/v1/openapi.json").json()
        self.assertEqual(set(spec["webhooks"]), {
            "sale.order.created", "sale.order.updated", "sale.order.deleted", "sale.order.confirmed",
            "sale.order.cancelled", "sale.order.test", "res.partner.created", "res.partner.updated",
            "res.partner.deleted", "res.partner.test"})
        event = spec["webhooks"]["sale.order.confirmed"]["post"]
        body = event["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(body["properties"]["type"], {"const": "sale.order.confirmed"})
        self.assertEqual(body["properties"]["data"], {"$ref": "#/components/schemas/SaleOrder"})
        self.assertEqual([p["name"] for p in event["parameters"]][:3],
                         ["webhook-id", "webhook-timestamp", "webhook-signature"])
        # the payload we build for an order is valid against the documented schema
        import jsonschema  # noqa: PLC0415 - test tool
        order = self.make_order()
        envelope = json.loads(self.env["webhook.delivery"]._build_body(
            "sale.order.confirmed", order.create_date, order._rest_representation()[0], 7))
        self.assertEqual(envelope["version"], 7)
        jsonschema.Draft202012Validator(
            dict(body, components=spec["components"]),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(envelope)
        page = self.url_open("/api/v1/docs").text
        self.assertIn("Webhooks (events we send)", page)
        self.assertIn("sale.order.cancelled", page)
        self.assertIn("webhook-signature", page)

    def test_docs_page_offline(self):
        res = self.url_open("/api/v1/docs")
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers["Content-Type"].startswith("text/html"))
        self.assertIn("/api/v1/orders/{order_id}/confirm", res.text)
        self.assertIn("OrderCreate", res.text)
        self.assertNotIn("<script", res.text)
        self.assertNotIn("https://cdn", res.text)
