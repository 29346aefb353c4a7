"""MCP tools and resources run REST operations: the operation's own handler, inside the pipeline.

A tools/call arrives in one POST /api/v1/mcp that the pipeline already authenticated, rate limited
and checked (services/api_pipeline.py). For the tool's operation this module then does what the
route would: the operation's scope (tools a key may not use are not listed and are refused), the
arguments against the tool's inputSchema (the operation's published parameter and body schemas),
the idempotency key, the handler in a savepoint, the stored response. A business failure is the
tool's result (``isError``, the RFC 9457 problem the REST call would have answered) and is rolled
back alone; the log row names the tool. What Odoo retries (serialization failures) propagates.
"""
import json

from odoo.http import request

from ..lib import mcp_protocol as mcp
from ..lib.api_errors import ApiError
from ..lib.idempotency import request_fingerprint
from ..lib.mcp_tools import BODY, IDEMPOTENCY_KEY, tool_definition
from ..lib.openapi import IDEMPOTENCY_KEY as IDEMPOTENCY_KEY_PARAMETER
from ..lib.problem import problem
from ..lib.scopes import allows
from .api_call import current_call
from .api_pipeline import BODY_METHODS, claim_key, problem_of, request_schemas, store_response, valid_value
from .batch import ITEM_ERRORS, savepoint

# resource kind -> the operation that reads one record of it
RESOURCE_OPERATIONS = {"orders": "getOrder", "partners": "getPartner"}
_RESOURCE_TEXT = {"orders": ("Sale order", "A sale order with its lines, as GET /api/v1/orders/{id} returns it."),
                  "partners": ("Partner", "A partner (contact or company), as GET /api/v1/partners/{id}.")}
_CACHE = {"schemas": None, "tools": {}}


def _tools(operations, components, path_schemas):
    """``{name: (definition, operation descriptor)}`` of the operations declared as tools, built
    once per set of request schemas (they carry the database's country codes). The cache holds the
    schemas it was built from and compares them by identity (``request_schemas`` returns the same
    object until the codes change)."""
    schemas = request_schemas(request.env)
    if _CACHE["schemas"] is not schemas:
        comps = components()
        tools = {}
        for op in operations:
            if op.get("mcp"):
                definition = tool_definition(op, op["path_args"], schemas, comps, path_schemas,
                                             IDEMPOTENCY_KEY_PARAMETER["schema"])
                tools[definition["name"]] = (definition, op)
        _CACHE.update(schemas=schemas, tools=tools)
    return _CACHE["tools"]


def list_tools(operations, components, path_schemas):
    scopes = current_call().scopes
    return [d for d, op in _tools(operations, components, path_schemas).values() if allows(scopes, op["scope"])]


def _fail(call, doc):
    call.error_title = "%s (%s)" % (doc["title"], doc["status"])
    return mcp.tool_error(doc)


def call_tool(controller, params, operations, components, path_schemas):
    """The result of a tools/call (``params``: name, arguments)."""
    call = current_call()
    name = mcp.string_param(params, "name")
    arguments = params.get("arguments", {})
    if not isinstance(arguments, dict):
        raise mcp.ProtocolError(mcp.INVALID_PARAMS, "params.arguments must be an object.")
    call.mcp_call = "tools/call %s" % name[:100]
    tool = _tools(operations, components, path_schemas).get(name)
    if tool is None:
        raise mcp.ProtocolError(mcp.INVALID_PARAMS, "Unknown tool: %s" % name[:100])
    definition, op = tool
    if not allows(call.scopes, op["scope"]):
        return _fail(call, problem(403, "This API key or access token lacks the scope '%s' this tool needs."
                                   % op["scope"], type_="insufficient-scope", title="Insufficient scope"))
    try:
        text = _run(controller, call, name, definition, op, arguments)
    except ITEM_ERRORS as exc:
        if call.idempotency:
            request.env["api.idempotency.key"]._release(call.idempotency.record_id)
            call.idempotency = None
        return _fail(call, problem_of(exc)[1])
    return mcp.tool_result(text)


def _run(controller, call, name, definition, op, arguments):
    args = valid_value(arguments, definition["inputSchema"], "Invalid arguments.")
    path_kwargs = {arg: args[arg] for arg in op["path_args"]}
    call.query = {p["name"]: args[p["name"]] for p in op["parameters"] if p["name"] in args}
    key = args.pop(IDEMPOTENCY_KEY, None)
    if key is not None:
        fingerprint = request_fingerprint("MCP", "tools/call " + name, "",
                                          json.dumps(args, sort_keys=True).encode())
        replay = claim_key(call, key, fingerprint)
        if replay is not None:
            return replay[2]
    with savepoint(request.env.cr):
        if op["method"] in BODY_METHODS:
            response = op["handler"](controller, body=args.get(BODY), **path_kwargs)
        else:
            response = op["handler"](controller, **path_kwargs)
    store_response(call, response)
    return response.get_data(as_text=True)


def _resource_operations(operations):
    by_id = {op["operation_id"]: op for op in operations}
    return {kind: by_id[op_id] for kind, op_id in RESOURCE_OPERATIONS.items()}


def resource_templates(operations):
    scopes = current_call().scopes
    return [mcp.resource_template(kind, *_RESOURCE_TEXT[kind])
            for kind, op in _resource_operations(operations).items() if allows(scopes, op["scope"])]


def read_resource(controller, params, operations):
    """resources/read of ``odoo://orders/{id}`` or ``odoo://partners/{id}``: the record's JSON."""
    call = current_call()
    uri = mcp.string_param(params, "uri")
    call.mcp_call = "resources/read %s" % uri[:100]
    ops = _resource_operations(operations)
    kind, record_id = mcp.parse_resource_uri(uri, ops)
    op = ops[kind]
    try:
        if not allows(call.scopes, op["scope"]):
            raise ApiError(403, "This API key or access token lacks the scope '%s'." % op["scope"],
                           type_="insufficient-scope", title="Insufficient scope")
        response = op["handler"](controller, **{op["path_args"][0]: record_id})
    except ITEM_ERRORS as exc:
        doc = problem_of(exc)[1]
        call.error_title = "%s (%s)" % (doc["title"], doc["status"])
        code = mcp.RESOURCE_NOT_FOUND if doc["status"] == 404 else mcp.INVALID_PARAMS
        raise mcp.ProtocolError(code, doc["detail"] or doc["title"], {"uri": uri, "problem": doc}) from None
    return mcp.resource_contents(uri, response.get_data(as_text=True))
