"""The server side of the Model Context Protocol over Streamable HTTP, JSON responses only. Pure Python.

One POST carries one JSON-RPC 2.0 message (https://modelcontextprotocol.io/specification/2025-11-25,
basic/transports): a request is answered with one JSON-RPC response, a notification or a client's
response with 202 and no body. This module parses messages, negotiates the protocol version,
dispatches requests through a table of methods and builds results and errors; it knows nothing of
Odoo (controllers/api_mcp.py fills the table). Stateless: no session id is issued.
"""
import json
import re
from dataclasses import dataclass

# newest first; a client asking for another version gets the newest (lifecycle: version negotiation)
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
LATEST_VERSION = PROTOCOL_VERSIONS[0]
PROTOCOL_VERSION_HEADER = "MCP-Protocol-Version"
SESSION_HEADER = "Mcp-Session-Id"
JSONRPC = "2.0"

# JSON-RPC 2.0 error codes, and MCP's resource-not-found (server/resources)
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND = -32002

SERVER_INFO = {"name": "rest_webhooks", "title": "Odoo sale orders and partners"}
CAPABILITIES = {"tools": {"listChanged": False}, "resources": {"subscribe": False, "listChanged": False}}


class ProtocolError(Exception):
    """A JSON-RPC error answer: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


@dataclass(frozen=True)
class Message:
    kind: str            # "request", "notification" or "response" (the client answering us)
    id: object = None    # str or int for a request or a response
    method: str = None
    params: dict = None


def parse_message(obj):
    """One decoded JSON-RPC message -> ``Message``; ProtocolError(INVALID_REQUEST) when it is none.
    A batch (JSON array) is refused: the Streamable HTTP transport sends one message per POST."""
    if not isinstance(obj, dict) or obj.get("jsonrpc") != JSONRPC:
        raise ProtocolError(INVALID_REQUEST, "Expected one JSON-RPC 2.0 message object.")
    has_id = "id" in obj
    msg_id = obj.get("id")
    if has_id and (isinstance(msg_id, bool) or not isinstance(msg_id, (str, int))):
        raise ProtocolError(INVALID_REQUEST, "id must be a string or an integer.")
    if "method" in obj:
        method, params = obj["method"], obj.get("params", {})
        if not isinstance(method, str) or not method:
            raise ProtocolError(INVALID_REQUEST, "method must be a non-empty string.")
        if not isinstance(params, dict):
            raise ProtocolError(INVALID_REQUEST, "params must be an object.")
        return Message("request" if has_id else "notification", msg_id, method, params)
    if has_id and ("result" in obj or "error" in obj):
        return Message("response", msg_id)
    raise ProtocolError(INVALID_REQUEST, "A request needs a method; a response needs an id and a result or an error.")


def negotiate(requested):
    """The protocol version to answer ``initialize`` with: the client's when supported, else the newest."""
    return requested if requested in PROTOCOL_VERSIONS else LATEST_VERSION


def header_version_supported(value):
    """``MCP-Protocol-Version``: absent is allowed (the spec then assumes 2025-03-26), an unknown
    version is a 400."""
    return value is None or value in PROTOCOL_VERSIONS


def result(msg_id, value):
    return {"jsonrpc": JSONRPC, "id": msg_id, "result": value}


def error(msg_id, code, message, data=None):
    err = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": JSONRPC, "id": msg_id, "error": err}


def initialize_result(params, server_version, instructions):
    return {"protocolVersion": negotiate(params.get("protocolVersion")), "capabilities": CAPABILITIES,
            "serverInfo": dict(SERVER_INFO, version=server_version), "instructions": instructions}


def dispatch(message, methods):
    """Answer one request through ``methods`` (name -> callable(params) -> result dict): the JSON-RPC
    response. ProtocolError raised by a method becomes its error; other exceptions propagate."""
    method = methods.get(message.method)
    if method is None:
        return error(message.id, METHOD_NOT_FOUND, "Method not found: %s" % message.method[:100])
    try:
        return result(message.id, method(message.params))
    except ProtocolError as exc:
        return error(message.id, exc.code, exc.message, exc.data)


def string_param(params, name):
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ProtocolError(INVALID_PARAMS, "params.%s must be a non-empty string." % name)
    return value


# ---------------------------------------------------------------------- tools
class RawJson:
    """JSON text to embed as is in the response (an operation's answer: not decoded and re-encoded)."""

    def __init__(self, text):
        self.text = text


_PLACEHOLDER = "\x00structured\x00"


def encode(response, dumps):
    """``dumps(response)``, a RawJson ``result.structuredContent`` spliced in as is. The placeholder
    is a string with NUL, which ``dumps`` escapes: a quote followed by its escaped form occurs nowhere
    else (inside an encoded string a quote is escaped, and ids and methods hold no NUL)."""
    result = response.get("result")
    raw = result.get("structuredContent") if isinstance(result, dict) else None
    if not isinstance(raw, RawJson):
        return dumps(response)
    text = dumps(dict(response, result=dict(result, structuredContent=_PLACEHOLDER)))
    return text.replace(dumps(_PLACEHOLDER), raw.text, 1)


def tool_result(text):
    """A successful tools/call result: the operation's JSON ``text`` as structuredContent and as a
    text block (for clients that read only content)."""
    return {"content": [{"type": "text", "text": text}], "structuredContent": RawJson(text), "isError": False}


def tool_error(problem):
    """A failed tools/call (a business failure the model can act on): the RFC 9457 problem document
    as text, ``isError: true``."""
    return {"content": [{"type": "text", "text": json.dumps(problem, ensure_ascii=False)}], "isError": True}


# ---------------------------------------------------------------------- resources
_URI = re.compile(r"^odoo://([a-z]+)/([1-9][0-9]{0,9})\Z")


def resource_template(kind, name, description):
    return {"uriTemplate": "odoo://%s/{id}" % kind, "name": name, "description": description,
            "mimeType": "application/json"}


def parse_resource_uri(uri, kinds):
    """``odoo://<kind>/<id>`` -> ``(kind, id)``; ProtocolError(RESOURCE_NOT_FOUND) otherwise."""
    match = _URI.match(uri) if isinstance(uri, str) else None
    if not match or match.group(1) not in kinds or int(match.group(2)) > 2 ** 31 - 1:
        raise ProtocolError(RESOURCE_NOT_FOUND, "Resource not found", {"uri": uri if isinstance(uri, str) else None})
    return match.group(1), int(match.group(2))


def resource_contents(uri, text):
    return {"contents": [{"uri": uri, "mimeType": "application/json", "text": text}]}


# ---------------------------------------------------------------------- schemas
def with_defs(schema, components, prefix="#/components/schemas/"):
    """``schema`` made self-contained for a tool: every ``$ref`` to ``prefix<Name>`` (OpenAPI
    components) rewritten to ``#/$defs/<Name>`` and the referenced schemas, transitively, put in
    ``$defs``."""
    defs = {}

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith(prefix):
                    name = value[len(prefix):]
                    if name not in defs:
                        defs[name] = None  # reserve: a recursive reference stops here
                        defs[name] = walk(components[name])
                    out[key] = "#/$defs/" + name
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(schema)
    if defs:
        out["$defs"] = defs
    return out


def tool_name(operation_id):
    """``listOrders`` -> ``list_orders``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", operation_id).lower()
