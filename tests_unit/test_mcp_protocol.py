"""lib/mcp_protocol.py and lib/mcp_tools.py: JSON-RPC message parsing, version negotiation,
dispatch and error codes, resource URIs, self-contained tool schemas from operation descriptors."""
import json

import jsonschema
import pytest

from lib import mcp_protocol as mcp
from lib.mcp_tools import input_schema, output_schema, tool_definition


@pytest.mark.parametrize("obj,kind", [
    ({"jsonrpc": "2.0", "id": 1, "method": "ping"}, "request"),
    ({"jsonrpc": "2.0", "id": "x", "method": "tools/list", "params": {}}, "request"),
    ({"jsonrpc": "2.0", "method": "notifications/initialized"}, "notification"),
    ({"jsonrpc": "2.0", "id": 3, "result": {}}, "response"),
    ({"jsonrpc": "2.0", "id": 3, "error": {"code": 1, "message": "m"}}, "response"),
])
def test_parse_message_kinds(obj, kind):
    assert mcp.parse_message(obj).kind == kind


@pytest.mark.parametrize("obj", [
    [], {"id": 1, "method": "ping"}, {"jsonrpc": "1.0", "id": 1, "method": "ping"},
    {"jsonrpc": "2.0", "id": True, "method": "ping"}, {"jsonrpc": "2.0", "id": None, "method": "ping"},
    {"jsonrpc": "2.0", "id": 1, "method": ""}, {"jsonrpc": "2.0", "id": 1, "method": "x", "params": [1]},
    {"jsonrpc": "2.0", "id": 1},
])
def test_parse_message_refuses_what_is_not_one_message(obj):
    with pytest.raises(mcp.ProtocolError) as err:
        mcp.parse_message(obj)
    assert err.value.code == mcp.INVALID_REQUEST


def test_negotiate_answers_supported_version_else_latest():
    assert mcp.negotiate("2025-06-18") == "2025-06-18"
    assert mcp.negotiate("2099-01-01") == mcp.LATEST_VERSION == "2025-11-25"
    assert mcp.negotiate(None) == mcp.LATEST_VERSION
    assert mcp.header_version_supported(None) and mcp.header_version_supported("2025-03-26")
    assert not mcp.header_version_supported("") and not mcp.header_version_supported("2024-11-05x")


def test_dispatch_results_method_not_found_and_protocol_errors():
    def fail(params):
        raise mcp.ProtocolError(mcp.INVALID_PARAMS, "bad", {"field": "x"})
    methods = {"ping": lambda params: {}, "fail": fail}
    assert mcp.dispatch(mcp.Message("request", 1, "ping", {}), methods) == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert mcp.dispatch(mcp.Message("request", 2, "nope", {}), methods)["error"]["code"] == mcp.METHOD_NOT_FOUND
    assert mcp.dispatch(mcp.Message("request", "3", "fail", {}), methods) == {
        "jsonrpc": "2.0", "id": "3", "error": {"code": -32602, "message": "bad", "data": {"field": "x"}}}


def test_initialize_result_and_tool_results():
    res = mcp.initialize_result({"protocolVersion": "2025-03-26"}, "19.0.1", "hi")
    assert res["protocolVersion"] == "2025-03-26" and res["serverInfo"]["version"] == "19.0.1"
    assert "tools" in res["capabilities"] and "resources" in res["capabilities"]
    ok = mcp.tool_result('{"a": 1}')
    assert ok["content"] == [{"type": "text", "text": '{"a": 1}'}] and ok["isError"] is False
    assert json.loads(mcp.encode(mcp.result(5, ok), json.dumps))["result"]["structuredContent"] == {"a": 1}
    err = mcp.tool_error({"status": 404, "title": "Not Found"})
    assert err["isError"] is True and '"status": 404' in err["content"][0]["text"]


@pytest.mark.parametrize("uri,expected", [("odoo://orders/12", ("orders", 12)), ("odoo://partners/1", ("partners", 1))])
def test_parse_resource_uri(uri, expected):
    assert mcp.parse_resource_uri(uri, {"orders", "partners"}) == expected


@pytest.mark.parametrize("uri", ["odoo://orders/0", "odoo://orders/x", "odoo://users/1", "http://orders/1",
                                 "odoo://orders/99999999999", None, "odoo://orders/1/"])
def test_parse_resource_uri_unknown_is_resource_not_found(uri):
    with pytest.raises(mcp.ProtocolError) as err:
        mcp.parse_resource_uri(uri, {"orders", "partners"})
    assert err.value.code == mcp.RESOURCE_NOT_FOUND


def test_tool_name_from_operation_id():
    assert mcp.tool_name("listOrders") == "list_orders"
    assert mcp.tool_name("upsertPartner") == "upsert_partner"


COMPONENTS = {
    "Order": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
    "OrderPage": {"type": "object", "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
        "next_cursor": {"type": ["string", "null"]}}},
}
LIST_OP = {"operation_id": "listOrders", "method": "GET", "summary": "List", "request_schema": None,
           "idempotent": False, "parameters": [{"name": "limit", "schema": {"type": "integer", "minimum": 1},
                                                 "description": "Page size"},
                                                {"name": "after", "required": True, "schema": {"type": "string"}}],
           "responses": {200: {"schema": "OrderPage"}}, "mcp": {"description": "List orders."}}
CREATE_OP = {"operation_id": "createOrder", "method": "POST", "summary": "Create", "request_schema": "OrderCreate",
             "idempotent": True, "parameters": [], "responses": {201: {"schema": "Order"}, 200: {"schema": "Order"}},
             "mcp": {"description": "Create.", "destructive": False}}
REQUEST = {"OrderCreate": {"type": "object", "additionalProperties": False, "properties": {"n": {"type": "integer"}}}}
KEY_SCHEMA = {"type": "string", "minLength": 1}


def test_output_schema_inlines_references_as_defs_and_validates():
    schema = output_schema(LIST_OP, COMPONENTS)
    assert schema["type"] == "object"
    assert schema["properties"]["data"]["items"] == {"$ref": "#/$defs/Order"}
    assert schema["$defs"] == {"Order": COMPONENTS["Order"]}
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate({"data": [{"id": 1}], "next_cursor": None}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"data": [{"id": "x"}]}, schema)


def test_input_schema_has_path_query_body_and_idempotency_key():
    schema = input_schema(dict(CREATE_OP, parameters=[]), ["order_id"], REQUEST, {}, KEY_SCHEMA)
    assert schema["required"] == ["order_id", "body"]
    assert schema["properties"]["body"] == REQUEST["OrderCreate"]
    assert schema["properties"]["idempotency_key"]["minLength"] == 1
    assert schema["additionalProperties"] is False
    listing = input_schema(LIST_OP, [], REQUEST, {}, KEY_SCHEMA)
    assert listing["required"] == ["after"]
    assert listing["properties"]["limit"] == {"type": "integer", "minimum": 1, "description": "Page size"}
    assert "idempotency_key" not in listing["properties"]


def test_tool_definition_annotations():
    read = tool_definition(LIST_OP, [], REQUEST, COMPONENTS, {}, KEY_SCHEMA)
    assert read["name"] == "list_orders" and read["annotations"]["readOnlyHint"] is True
    assert "destructiveHint" not in read["annotations"]
    write = tool_definition(CREATE_OP, [], REQUEST, COMPONENTS, {}, KEY_SCHEMA)
    assert write["annotations"] == {"title": "Create", "readOnlyHint": False, "openWorldHint": False,
                                    "destructiveHint": False, "idempotentHint": False}
    assert write["outputSchema"] == COMPONENTS["Order"]


def test_per_tool_scope_admits_any_key_but_grants_no_operation():
    from lib.scopes import PER_TOOL, SCOPES, allows
    assert allows(frozenset({"orders:read"}), PER_TOOL)
    assert not allows(frozenset(), PER_TOOL)
    assert PER_TOOL not in SCOPES
    assert not allows(frozenset({PER_TOOL}), "orders:read")


@pytest.mark.parametrize("text", ['{"data": [], "x": "\\u0000structured\\u0000"}', '{"q": "\\"\\u0000s"}', "[1, 2]"])
def test_encode_splices_the_operation_json_as_is(text):
    message = mcp.result("id-1", mcp.tool_result(text))
    decoded = json.loads(mcp.encode(message, lambda v: json.dumps(v, ensure_ascii=False)))
    assert decoded["result"]["structuredContent"] == json.loads(text)
    assert decoded["result"]["content"][0]["text"] == text
    assert decoded["id"] == "id-1"
    assert mcp.encode(mcp.result(1, {"a": 1}), json.dumps) == json.dumps(mcp.result(1, {"a": 1}))
