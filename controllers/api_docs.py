"""/api/v1/openapi.json and /api/v1/docs: generated from the registered operations and the models'
representation schemas (no hand-written copy). Public: they describe the API, not its data."""
from odoo import http
from odoo.http import request
from odoo.modules.module import get_manifest

from ..lib import api_schemas
from ..lib.openapi import build_spec, render_html
from ..services.http import json_response, request_id
from . import api_orders, api_partners  # noqa: F401 - make sure every operation is registered
from .api_common import OPERATIONS


def _page(item_ref):
    return {"type": "object", "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/%s" % item_ref}},
        "has_more": {"type": "boolean"},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": "integer", "description": "Only with count=true"},
    }, "required": ["data", "has_more", "next_cursor"]}


def build_openapi(env):
    schemas = {
        "SaleOrder": env["sale.order"]._rest_json_schema(),
        "Partner": env["res.partner"]._rest_json_schema(),
        "OrderPage": _page("SaleOrder"),
        "PartnerPage": _page("Partner"),
        "OrderCreate": api_schemas.ORDER_CREATE,
        "OrderPatch": api_schemas.ORDER_PATCH,
        "PartnerCreate": api_schemas.PARTNER_CREATE,
        "PartnerPatch": api_schemas.PARTNER_PATCH,
        "PartnerUpsert": api_schemas.PARTNER_UPSERT,
    }
    return build_spec(
        OPERATIONS, schemas, title="rest_webhooks REST API",
        version=get_manifest("rest_webhooks").get("version", "1"),
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
