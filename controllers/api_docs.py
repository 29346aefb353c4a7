"""/api/v1/openapi.json and /api/v1/docs: generated from the registered operations and the models'
representation schemas (no hand-written copy). Public: they describe the API, not its data."""
from odoo import http
from odoo.http import request
from odoo.modules.module import get_manifest

from ..lib import api_schemas
from ..lib.openapi import build_spec, render_html, webhooks_section
from ..services.api_pipeline import request_schemas
from ..services.http import json_response, request_id
from . import api_batch, api_changes, api_orders, api_partners  # noqa: F401 - make sure every operation is registered
from .api_common import OPERATIONS, PATH_SCHEMAS


def _page(item_ref):
    return {"type": "object", "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/%s" % item_ref}},
        "has_more": {"type": "boolean"},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": "integer", "description": "Only with count=true"},
    }, "required": ["data", "has_more", "next_cursor"]}


# The outbound event types (models/webhook_endpoint.py): created/updated/deleted for a subscribed
# model, confirmed/cancelled for sale orders, <model>.test from the endpoint's Send test button.
_GENERIC_EVENTS = [
    ("created", "A record was created (its state at the end of the creating transaction)."),
    ("updated", "A record was modified (its state at the end of the transaction)."),
    ("deleted", "A record was deleted (its state just before)."),
    ("test", "Sent by the endpoint's Send test button: the newest record, or {} when none is readable."),
]
EVENTS = [("res.partner.%s" % ev, "Partner", d) for ev, d in _GENERIC_EVENTS] + \
    [("sale.order.%s" % ev, "SaleOrder", d) for ev, d in _GENERIC_EVENTS] + [
    ("sale.order.confirmed", "SaleOrder", "A quotation was confirmed (state became sale)."),
    ("sale.order.cancelled", "SaleOrder", "An order was cancelled (state became cancel)."),
]


def component_schemas(env):
    """The schemas the document publishes under components (the MCP tools use the same)."""
    return {
        "SaleOrder": env["sale.order"]._rest_json_schema(),
        "Partner": env["res.partner"]._rest_json_schema(),
        "OrderPage": _page("SaleOrder"),
        "PartnerPage": _page("Partner"),
        "BatchResults": api_schemas.BATCH_RESULTS,
        "Change": api_changes.CHANGE_SCHEMA,
        "ChangePage": api_changes.CHANGE_PAGE,
        "McpResponse": api_schemas.MCP_RESPONSE,
        **request_schemas(env),
    }


def build_openapi(env):
    return build_spec(
        OPERATIONS, component_schemas(env), title="rest_webhooks REST API",
        version=get_manifest("rest_webhooks").get("version", "1"), path_schemas=PATH_SCHEMAS,
        webhooks=webhooks_section(EVENTS),
        description="Sale orders and partners over HTTP. Authenticate with an Odoo API key "
                    "(Authorization: Bearer <key>). Errors are application/problem+json (RFC 9457).")


class ApiDocs(http.Controller):

    @http.route("/api/v1/openapi.json", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False)
    def openapi(self):
        return json_response(build_openapi(request.env))

    @http.route("/api/v1/docs", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def docs(self):
        html = render_html(build_openapi(request.env))
        return request.make_response(html, headers=[
            ("Content-Type", "text/html; charset=utf-8"), ("X-Request-Id", request_id()),
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")])
