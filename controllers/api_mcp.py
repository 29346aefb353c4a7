"""POST /api/v1/mcp: a Model Context Protocol server (Streamable HTTP, JSON responses, stateless).

Declared with ``api_route`` like every REST operation, so the pipeline authenticates (API key or
OAuth token), rate limits, parses the body and writes the log row (naming the MCP method and tool).
The protocol is lib/mcp_protocol.py; the tools are the REST operations declared with ``mcp=`` and
run their own handlers (services/mcp.py). GET (no server-sent stream) and DELETE (no session) are
405, as the transport allows.
"""
from odoo import http
from odoo.http import request
from odoo.modules.module import get_manifest

from ..lib import mcp_protocol as mcp
from ..lib.api_errors import ApiError
from ..lib.input_guard import InputError, check_value
from ..lib.representation import json_dumps
from ..lib.scopes import PER_TOOL
from ..services import mcp as mcp_service
from ..services.api_call import current_call
from ..services.http import MCP_PATH, json_response, json_text_response
from .api_common import OPERATIONS, PATH_SCHEMAS, api_route
from .api_docs import component_schemas

INSTRUCTIONS = (
    "Odoo sale orders and partners. Search with list_orders / list_partners (filters, cursor "
    "pagination: pass next_cursor back as cursor), read one order with its lines with get_order, "
    "create orders with create_order (set external_ref and idempotency_key so a retry never makes a "
    "second order), upsert partners by external reference, confirm or cancel quotations, follow "
    "changes with list_changes. A failed call returns an RFC 9457 problem (status, detail, errors "
    "naming the fields). Records are also resources: odoo://orders/{id}, odoo://partners/{id}.")


def _components():
    return component_schemas(request.env)


class ApiMcp(http.Controller):

    @api_route(MCP_PATH, "POST", scope=PER_TOOL, operation_id="mcp",
               summary="Model Context Protocol (MCP) endpoint", tags=["mcp"],
               description="One JSON-RPC 2.0 message per POST (MCP Streamable HTTP transport, "
               "revisions %s; JSON responses, no session id, no server-sent stream: GET is 405). "
               "A request gets 200 and its JSON-RPC response; a notification or a response gets 202 "
               "and no body. Methods: initialize, ping, tools/list, tools/call, resources/list, "
               "resources/templates/list, resources/read. Any key or token may connect; each tool "
               "needs the scope of the REST operation it runs, and tools the key may not use are "
               "not listed. Business failures are tool results with isError and the problem "
               "document; protocol failures are JSON-RPC errors." % ", ".join(mcp.PROTOCOL_VERSIONS),
               parameters=[{"name": mcp.PROTOCOL_VERSION_HEADER, "in": "header",
                            "schema": {"type": "string", "enum": list(mcp.PROTOCOL_VERSIONS)},
                            "description": "The negotiated protocol version (after initialize); an "
                                           "unsupported one is 400"}],
               request_schema_name="McpMessage", free_form=("params", "result", "error"),
               errors=[400, 401, 403, 409, 413, 415, 422, 429, 503],
               responses={200: {"description": "The JSON-RPC response to a request", "schema": "McpResponse"},
                          202: {"description": "A notification or a response, accepted (no body)"}})
    def mcp(self, body):
        version = request.httprequest.headers.get(mcp.PROTOCOL_VERSION_HEADER)
        if not mcp.header_version_supported(version):
            raise ApiError(400, "Unsupported %s %r; this server speaks %s." % (
                mcp.PROTOCOL_VERSION_HEADER, (version or "")[:40], ", ".join(mcp.PROTOCOL_VERSIONS)),
                type_="unsupported-protocol-version")
        message = mcp.parse_message(body)  # the McpMessage schema already holds: always parses
        call = current_call()
        call.mcp_call = message.method[:200] if message.method else "response"
        if message.kind != "request":  # nothing of its content is used
            response = request.make_response("", status=202)
            response.headers.remove("Content-Type")
            return response
        try:  # strings and keys PostgreSQL and UTF-8 can take (NUL, control characters, surrogates)
            check_value(message.params, "params")
        except InputError as exc:
            return json_response(mcp.error(message.id, mcp.INVALID_PARAMS, "Invalid params: %s: %s" % (
                exc.field, exc.message), {"field": exc.field, "message": exc.message}))
        return json_text_response(mcp.encode(mcp.dispatch(message, self._methods()), json_dumps))

    def _methods(self):
        """The JSON-RPC methods: name -> callable(params) -> result."""
        ops = OPERATIONS
        return {
            "initialize": lambda params: mcp.initialize_result(
                params, get_manifest("rest_webhooks").get("version", "1"), INSTRUCTIONS),
            "ping": lambda params: {},
            "tools/list": lambda params: {"tools": mcp_service.list_tools(ops, _components, PATH_SCHEMAS)},
            "tools/call": lambda params: mcp_service.call_tool(self, params, ops, _components, PATH_SCHEMAS),
            "resources/list": lambda params: {"resources": []},
            "resources/templates/list": lambda params: {
                "resourceTemplates": mcp_service.resource_templates(ops)},
            "resources/read": lambda params: mcp_service.read_resource(self, params, ops),
        }
