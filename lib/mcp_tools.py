"""MCP tool definitions generated from the REST operation descriptors (controllers/api_common.py
``api_route(..., mcp=...)``): the same parameters, body and response schemas the OpenAPI document
publishes, so the two cannot drift. Pure Python.

A tool's arguments are one object: the operation's path parameters, its query parameters (as JSON
values, not strings), ``body`` (its request schema) and, for an operation honouring Idempotency-Key,
``idempotency_key``.
"""
from .mcp_protocol import tool_name, with_defs

BODY = "body"
IDEMPOTENCY_KEY = "idempotency_key"
DEFAULT_PATH_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2 ** 31 - 1}


def input_schema(op, path_args, request_schemas, path_schemas, idempotency_schema):
    """The JSON Schema of ``op``'s arguments (no ``$ref``: the request schemas are self-contained)."""
    props, required = {}, []
    for name in path_args:
        props[name] = dict(path_schemas.get(name, DEFAULT_PATH_SCHEMA))
        required.append(name)
    for param in op["parameters"]:
        schema = dict(param.get("schema", {"type": "string"}))
        if param.get("description"):
            schema["description"] = param["description"]
        props[param["name"]] = schema
        if param.get("required"):
            required.append(param["name"])
    if op["request_schema"] is not None:
        props[BODY] = request_schemas[op["request_schema"]]
        required.append(BODY)
    if op["idempotent"]:
        props[IDEMPOTENCY_KEY] = dict(idempotency_schema, description=(
            "Optional. Send the same key when you retry this call: a retry gets the first call's "
            "result instead of acting twice (kept 24 hours)."))
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def output_schema(op, components):
    """The schema of the tool's structuredContent: the operation's success response schema, with
    the component schemas it references in ``$defs``."""
    names = sorted({resp["schema"] for status, resp in op["responses"].items()
                    if str(status).startswith("2") and isinstance(resp.get("schema"), str)})
    if len(names) != 1:
        raise ValueError("operation %s: a tool needs exactly one success schema, has %s" % (op["operation_id"], names))
    root = components[names[0]]
    schema = with_defs(root, components)
    if names[0] in schema.get("$defs", {}):  # the root refers to itself: keep one copy, as a $ref
        schema = {"$ref": "#/$defs/%s" % names[0], "$defs": schema["$defs"], "type": "object"}
    return schema


def tool_definition(op, path_args, request_schemas, components, path_schemas, idempotency_schema):
    """The tools/list entry of operation ``op`` (its ``mcp`` declaration: description, destructive)."""
    mcp = op["mcp"]
    read_only = op["method"] == "GET"
    annotations = {"title": op["summary"], "readOnlyHint": read_only, "openWorldHint": False}
    if not read_only:
        annotations["destructiveHint"] = bool(mcp.get("destructive"))
        annotations["idempotentHint"] = bool(mcp.get("idempotent", op["method"] == "PUT"))
    return {
        "name": tool_name(op["operation_id"]),
        "title": op["summary"],
        "description": mcp["description"],
        "inputSchema": input_schema(op, path_args, request_schemas, path_schemas, idempotency_schema),
        "outputSchema": output_schema(op, components),
        "annotations": annotations,
    }
