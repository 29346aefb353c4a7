"""/api/v1/orders: list, read, create (idempotent on external_ref), patch, confirm, cancel."""
from odoo import http
from odoo.http import request

from ..lib import api_params, api_schemas
from ..lib.api_errors import ApiError
from .api_common import BULK_FILTERS, api_route, list_response, query_domain, record_response, visible_record

SORT_COLUMNS = {"id": "id", "date_order": "date_order", "write_date": "write_date",
                "create_date": "create_date", "name": "name"}
ORDER = {"schema": "SaleOrder"}
_BY_ID = {"order_id": "$response.body#/id"}
# OpenAPI links: what a client (and schemathesis's stateful phase) can do with a returned order
ORDER_LINKS = {op: {"operationId": op, "parameters": _BY_ID}
               for op in ("getOrder", "updateOrder", "confirmOrder", "cancelOrder")}
TAGS = ["orders"]
STATES = ["draft", "sent", "sale", "cancel"]
# the representation's keys (models/sale_order.py _rest_fields_spec); lines only on demand
FIELDS = ["id", "name", "external_ref", "client_order_ref", "state", "date_order", "validity_date",
          "partner", "company", "salesperson", "currency", "amount_untaxed", "amount_tax", "amount_total",
          "note", "create_date", "write_date", "lines"]
DEFAULT_FIELDS = [f for f in FIELDS if f != "lines"]
LIST_PARAMETERS = api_params.list_parameters(list(SORT_COLUMNS), FIELDS) + api_schemas.bulk_read_parameters()


def _order(order_id):
    return visible_record(request.env["sale.order"], order_id, "order")


ORDER_FILTERS = [("state", "state", "in"), ("partner_id", "partner_id", "="), ("external_ref", "external_ref", "="),
                 *BULK_FILTERS, ("date_from", "date_order", ">="), ("date_to", "date_order", "<="),
                 ("updated_since", "write_date", ">=")]


class ApiOrders(http.Controller):

    @api_route("/api/v1/orders", "GET", scope="orders:read",
               operation_id="listOrders", summary="List sale orders",
               mcp={"description": "Search sale orders (quotations and confirmed orders). Filter by state, "
                    "partner_id, external_ref, ids, external_refs, order date range (date_from, date_to) "
                    "or updated_since (ISO 8601 date-times, UTC). Returns a page: data, has_more and "
                    "next_cursor; pass next_cursor back as cursor for the next page. Lines are left out "
                    "unless fields includes 'lines'; use fields to fetch only what you need."},
               tags=TAGS, description="Keyset pagination: follow next_cursor (or the Link header) "
               "while has_more. By default lines are omitted; ask for them with fields=...,lines.",
               parameters=LIST_PARAMETERS + [
                   {"name": "state", "style": "form", "explode": False,
                    "schema": {"type": "array", "minItems": 1, "maxItems": len(STATES),
                               "items": {"type": "string", "enum": STATES}},
                    "description": "Comma-separated states (any of them)"},
                   {"name": "partner_id", "schema": api_schemas.ID},
                   {"name": "external_ref", "schema": api_schemas.EXTERNAL_REF},
                   {"name": "date_from", "schema": {"type": "string", "format": "date-time"},
                    "description": "date_order >= this"},
                   {"name": "date_to", "schema": {"type": "string", "format": "date-time"},
                    "description": "date_order <= this"},
                   {"name": "updated_since", "schema": {"type": "string", "format": "date-time"},
                    "description": "write_date >= this (incremental sync)"},
               ],
               responses={200: {"description": "A page of orders", "schema": "OrderPage",
                                "headers": ["Link"]}})
    def list_orders(self):
        Order = request.env["sale.order"]
        domain = query_domain(ORDER_FILTERS)
        return list_response(Order, domain, sort_columns=SORT_COLUMNS, default_fields=DEFAULT_FIELDS)

    @api_route("/api/v1/orders/<int:order_id>", "GET", scope="orders:read",
               operation_id="getOrder", summary="Read one order",
               mcp={"description": "Read one sale order by its id, with its lines (product, quantity, "
                    "prices, taxes) and totals."},
               tags=TAGS, responses={200: {"description": "The order with its lines", **ORDER}})
    def get_order(self, order_id):
        return record_response(_order(order_id), fetched=True)

    @api_route("/api/v1/orders", "POST", scope="orders:write",
               operation_id="createOrder", summary="Create an order",
               mcp={"description": "Create a quotation (draft sale order) for a customer: body.partner_id, "
                    "body.partner_external_ref or an inline body.partner (upserted by its external_ref); "
                    "lines by product_id or product_code with quantity. Set body.external_ref (your own "
                    "reference: an existing one returns that order instead of a duplicate) and "
                    "idempotency_key so a retried call never creates a second order.", "idempotent": True},
               tags=TAGS, idempotent=True,
               request_schema_name="OrderCreate",
               description="Partner by partner_id, partner_external_ref or an inline partner (upserted "
               "by its external_ref). Lines by product_id or product_code. An existing external_ref "
               "returns the existing order with 200 instead of creating a second one. Honours "
               "Idempotency-Key.",
               responses={201: {"description": "Created", **ORDER},
                          200: {"description": "An order with this external_ref already existed", **ORDER}},
               links={"201": ORDER_LINKS, "200": ORDER_LINKS})
    def create_order(self, body):
        order, created = request.env["sale.order"]._rest_create_or_get(body)
        response = record_response(order, 201 if created else 200)
        if created:
            response.headers["Location"] = "/api/v1/orders/%d" % order.id
        return response

    @api_route("/api/v1/orders/<int:order_id>", "PATCH", scope="orders:write",
               operation_id="updateOrder",
               summary="Modify a quotation", tags=TAGS, idempotent=True,
               request_schema_name="OrderPatch",
               description="Only draft/sent orders: references, note, validity, date, lines (replaced).",
               responses={200: {"description": "The updated order", **ORDER}})
    def update_order(self, order_id, body):
        return record_response(_order(order_id)._rest_update(body))

    @api_route("/api/v1/orders/<int:order_id>/confirm", "POST", scope="orders:confirm",
               operation_id="confirmOrder",
               mcp={"description": "Confirm a quotation (draft or sent) into a sales order, as the "
                    "Confirm button does. Refused (409) when the order is not a quotation.",
                    "destructive": True},
               summary="Confirm a quotation (Odoo's action_confirm)", tags=TAGS, idempotent=True,
               responses={200: {"description": "The confirmed order", **ORDER}})
    def confirm_order(self, order_id, body=None):
        order = _order(order_id)
        if order.state not in ("draft", "sent"):
            raise ApiError(409, "Only quotations can be confirmed; this order is %s." % order.state,
                           type_="invalid-state")
        order.action_confirm()
        return record_response(order)

    @api_route("/api/v1/orders/<int:order_id>/cancel", "POST", scope="orders:confirm",
               operation_id="cancelOrder",
               mcp={"description": "Cancel a sale order (quotation or confirmed), as the Cancel button "
                    "does. Refused (409) when it is already cancelled.", "destructive": True},
               summary="Cancel an order (Odoo's action_cancel)", tags=TAGS, idempotent=True,
               responses={200: {"description": "The cancelled order", **ORDER}})
    def cancel_order(self, order_id, body=None):
        order = _order(order_id)
        if order.state == "cancel":
            raise ApiError(409, "The order is already cancelled.", type_="invalid-state")
        order.action_cancel()
        return record_response(order)
