import json

from lib.openapi import build_spec, openapi_path, render_html

OPS = [
    {"path": "/api/v1/orders/<int:order_id>", "method": "GET", "operation_id": "getOrder",
     "summary": "Read <one>", "tags": ["orders"], "responses": {200: {"description": "ok", "schema": "SaleOrder"}}},
    {"path": "/api/v1/orders", "method": "POST", "operation_id": "createOrder", "summary": "Create",
     "tags": ["orders"], "request_schema": "OrderCreate", "parameters": [{"name": "x"}], "responses": {}},
]


def test_spec_shape():
    spec = build_spec(OPS, {"SaleOrder": {"type": "object"}, "OrderCreate": {"type": "object"}},
                      title="T", version="1")
    assert spec["openapi"] == "3.1.0"
    get = spec["paths"]["/api/v1/orders/{order_id}"]["get"]
    assert get["parameters"][0] == {"name": "order_id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 2 ** 31 - 1}}
    assert set(get["responses"]) == {"200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503"}
    assert set(get["responses"]["200"]["headers"]) == {"X-Request-Id", "RateLimit", "RateLimit-Policy"}
    assert get["responses"]["429"]["headers"]["Retry-After"]["schema"] == {"type": "string"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SaleOrder"}
    assert get["responses"]["401"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}
    post = spec["paths"]["/api/v1/orders"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OrderCreate")
    assert "Problem" in spec["components"]["schemas"]
    json.dumps(spec)  # serialisable


def test_path_conversion():
    assert openapi_path("/api/v1/partners/external/<string:ref>") == "/api/v1/partners/external/{ref}"


def test_html_escaped_and_offline():
    page = render_html(build_spec(OPS, {}, title="T<script>", version="1"))
    assert "T&lt;script&gt;" in page
    assert "Read &lt;one&gt;" in page
    assert "<script" not in page
    assert "http://" not in page and "https://cdn" not in page


def test_webhooks_section_envelope_and_headers():
    from lib.openapi import webhooks_section  # noqa: PLC0415
    hooks = webhooks_section([("sale.order.created", "SaleOrder", "Created.")])
    op = hooks["sale.order.created"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["type", "timestamp", "version", "data"]
    assert body["properties"]["version"]["type"] == "integer"
    assert body["properties"]["type"] == {"const": "sale.order.created"}
    assert body["properties"]["data"] == {"$ref": "#/components/schemas/SaleOrder"}
    assert [p["name"] for p in op["parameters"]] == [
        "webhook-id", "webhook-timestamp", "webhook-signature", "X-Odoo-Event", "X-Odoo-Signature"]
    assert all(p["in"] == "header" and p["required"] for p in op["parameters"])
    spec = build_spec(OPS, {"SaleOrder": {"type": "object"}, "OrderCreate": {"type": "object"}},
                      title="T", version="1", webhooks=hooks)
    assert spec["webhooks"] == hooks
    page = render_html(spec)
    assert "Webhooks (events we send)" in page and "sale.order.created" in page and "webhook-signature" in page
