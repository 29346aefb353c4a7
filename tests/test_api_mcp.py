"""POST /api/v1/mcp driven by the official MCP Python SDK's client (PyPI ``mcp``) over real HTTP:
initialize, tools/list per scope, tools/call of every kind with the database checked, refusals,
argument errors, idempotent retries, resources; every tool result validated against its
outputSchema with jsonschema. Plus the transport's HTTP rules checked with plain requests."""
import asyncio
import json

import httpx
import jsonschema
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin

ALL_TOOLS = {"list_orders", "get_order", "create_order", "confirm_order", "cancel_order", "list_partners",
             "get_partner", "upsert_partner", "list_changes"}
MCP = "/api/v1/mcp"


@tagged("post_install", "-at_install")
class TestApiMcp(ApiTestMixin, HttpCase):

    def mcp(self, work, key=None):
        """Run ``await work(session, initialize_result)`` with an SDK client session on the test
        server, authenticated with ``key`` (the full-scope key by default)."""
        self.env.flush_all()

        async def main():
            headers = {"Authorization": "Bearer %s" % (key or self.key)}
            async with httpx.AsyncClient(headers=headers, timeout=60) as client, \
                    streamable_http_client(self.base_url() + MCP, http_client=client) as (read, write, _sid), \
                    ClientSession(read, write) as session:
                init = await session.initialize()
                return await work(session, init)

        with self.allow_requests(all_requests=True):
            out = asyncio.run(main())
        self.env.invalidate_all()
        return out

    def call(self, name, arguments, key=None):
        """tools/call through the SDK; a successful result is checked against the tool's outputSchema."""
        async def work(session, _init):
            tools = {t.name: t for t in (await session.list_tools()).tools}
            return tools.get(name), await session.call_tool(name, arguments)
        tool, result = self.mcp(work, key)
        if not result.isError:
            jsonschema.Draft202012Validator.check_schema(tool.outputSchema)
            jsonschema.Draft202012Validator(tool.outputSchema).validate(result.structuredContent)
            self.assertEqual(json.loads(result.content[0].text), result.structuredContent)
        return result

    def problem_of(self, result, status):
        self.assertTrue(result.isError, result)
        doc = json.loads(result.content[0].text)
        self.assertEqual(doc["status"], status, doc)
        return doc

    def rpc(self, body, key=None, headers=None):
        hdrs = {"Accept": "application/json, text/event-stream", **(headers or {})}
        return self.api("POST", MCP, body=body, key=key, headers=hdrs)

    # ------------------------------------------------------------------ handshake and listing
    def test_initialize_negotiates_version_and_full_key_lists_every_tool_with_schemas(self):
        async def work(session, init):
            return init, (await session.list_tools()).tools
        init, tools = self.mcp(work)
        self.assertEqual(init.protocolVersion, "2025-11-25")
        self.assertEqual(init.serverInfo.name, "rest_webhooks")
        self.assertIsNotNone(init.capabilities.tools)
        by_name = {t.name: t for t in tools}
        self.assertEqual(set(by_name), ALL_TOOLS)
        for tool in tools:
            jsonschema.Draft202012Validator.check_schema(tool.inputSchema)
            jsonschema.Draft202012Validator.check_schema(tool.outputSchema)
            self.assertEqual(tool.outputSchema["type"], "object")
            self.assertGreater(len(tool.description), 40, tool.name)
        self.assertTrue(by_name["list_orders"].annotations.readOnlyHint)
        self.assertFalse(by_name["create_order"].annotations.readOnlyHint)
        self.assertFalse(by_name["create_order"].annotations.destructiveHint)
        self.assertTrue(by_name["cancel_order"].annotations.destructiveHint)
        # the same schemas as the REST API's OpenAPI document
        spec = self.url_open("/api/v1/openapi.json").json()
        order_create = spec["components"]["schemas"]["OrderCreate"]
        self.assertEqual(by_name["create_order"].inputSchema["properties"]["body"], order_create)
        self.assertIn("idempotency_key", by_name["create_order"].inputSchema["properties"])
        states = [p for p in spec["paths"]["/api/v1/orders"]["get"]["parameters"] if p["name"] == "state"][0]
        self.assertEqual(by_name["list_orders"].inputSchema["properties"]["state"]["items"], states["schema"]["items"])

    def test_older_protocol_version_is_answered_with_itself_and_unknown_with_latest(self):
        for asked, answered in (("2025-06-18", "2025-06-18"), ("2024-01-01", "2025-11-25")):
            res = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": asked, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
            self.assertEqual(res.status_code, 200, res.text)
            self.assertEqual(res.json()["result"]["protocolVersion"], answered)

    def test_scoped_key_lists_only_its_tools(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read", name="mcp orders reader")

        async def work(session, _init):
            return (await session.list_tools()).tools, (await session.list_resource_templates()).resourceTemplates
        tools, templates = self.mcp(work, key)
        self.assertEqual({t.name for t in tools}, {"list_orders", "get_order"})
        self.assertEqual([t.uriTemplate for t in templates], ["odoo://orders/{id}"])

    # ------------------------------------------------------------------ tools/call
    def test_list_and_get_orders_with_filters_fields_and_cursor(self):
        orders = [self.make_order(ref="MCP-L-%d" % i, qty=i + 1) for i in range(3)]
        first = self.call("list_orders", {"partner_id": self.customer.id, "limit": 2, "sort": "id",
                                          "fields": ["id", "external_ref", "state"]})
        self.assertFalse(first.isError, first)
        page = first.structuredContent
        self.assertEqual([o["id"] for o in page["data"]], [o.id for o in orders[:2]])
        self.assertEqual(set(page["data"][0]), {"id", "external_ref", "state"})
        self.assertTrue(page["has_more"])
        second = self.call("list_orders", {"partner_id": self.customer.id, "limit": 2, "cursor": page["next_cursor"]})
        self.assertEqual([o["id"] for o in second.structuredContent["data"]], [orders[2].id])
        self.assertFalse(second.structuredContent["has_more"])
        got = self.call("get_order", {"order_id": orders[1].id}).structuredContent
        self.assertEqual((got["id"], got["external_ref"]), (orders[1].id, "MCP-L-1"))
        self.assertEqual([line["quantity"] for line in got["lines"]], [2.0])
        # the list filters of the REST API, by state
        drafts = self.call("list_orders", {"state": ["sale"], "partner_id": self.customer.id})
        self.assertEqual(drafts.structuredContent["data"], [])

    def test_create_upsert_confirm_cancel_change_the_database(self):
        upserted = self.call("upsert_partner", {"ref": "MCP-P-1", "body": {"name": "MCP Buyer", "city": "Ghent"}})
        self.assertFalse(upserted.isError, upserted)
        partner = self.env["res.partner"].search([("external_ref", "=", "MCP-P-1")])
        self.assertEqual((partner.name, partner.city), ("MCP Buyer", "Ghent"))
        self.assertEqual(upserted.structuredContent["id"], partner.id)
        self.call("upsert_partner", {"ref": "MCP-P-1", "body": {"city": "Bruges"}})
        self.assertEqual(partner.city, "Bruges")
        created = self.call("create_order", {"body": {
            "partner_external_ref": "MCP-P-1", "external_ref": "MCP-O-1",
            "lines": [{"product_code": self.product.default_code, "quantity": 4}]}})
        self.assertFalse(created.isError, created)
        order = self.env["sale.order"].search([("external_ref", "=", "MCP-O-1")])
        self.assertEqual((order.partner_id, order.state, order.order_line.product_uom_qty), (partner, "draft", 4.0))
        self.assertEqual(created.structuredContent["id"], order.id)
        confirmed = self.call("confirm_order", {"order_id": order.id})
        self.assertEqual(confirmed.structuredContent["state"], "sale")
        self.assertEqual(order.state, "sale")
        again = self.call("confirm_order", {"order_id": order.id})
        self.assertEqual(self.problem_of(again, 409)["type"].rsplit("/", 1)[-1], "invalid-state")
        self.call("cancel_order", {"order_id": order.id})
        self.assertEqual(order.state, "cancel")
        # the request log names the tool of each call
        logs = self.env["api.request.log"].search([("user_id", "=", self.user.id), ("path", "=", MCP)])
        calls = logs.mapped("mcp_call")
        self.assertIn("tools/call create_order", calls)
        self.assertIn("tools/call confirm_order", calls)
        failed = self.env["api.request.log"].search([("mcp_call", "=", "tools/call confirm_order"),
                                                     ("error_title", "!=", False)])
        self.assertEqual(len(failed), 1)
        self.assertIn("409", failed.error_title)

    def test_change_feed_tool_reads_changes(self):
        partner = self.env["res.partner"].create({"name": "Feed Me", "external_ref": "MCP-FEED"})
        self.env.cr.flush()  # what the commit does: the precommit hook numbers the changes
        res = self.call("list_changes", {"after": "0", "resources": ["partners"], "limit": 1000})
        self.assertFalse(res.isError, res)
        self.assertIn(partner.id, [c["id"] for c in res.structuredContent["data"]])

    def test_tool_outside_key_scope_is_refused_and_changes_nothing(self):
        key = self._api_key(self.user, scope="rest_webhooks:orders:read", name="mcp reader")
        order = self.make_order(ref="MCP-SCOPE")
        refused = self.call("confirm_order", {"order_id": order.id}, key=key)
        doc = self.problem_of(refused, 403)
        self.assertIn("orders:confirm", doc["detail"])
        self.assertEqual(order.state, "draft")
        refused = self.call("create_order", {"body": {"partner_id": self.customer.id,
                                                      "lines": [{"product_id": self.product.id}]}}, key=key)
        self.problem_of(refused, 403)

    def test_bad_arguments_are_a_tool_error_naming_the_field(self):
        res = self.call("create_order", {"body": {"partner_id": self.customer.id, "lines": [{"quantity": 1}]}})
        doc = self.problem_of(res, 422)
        self.assertTrue(any(e["field"].startswith("body.lines[0]") for e in doc["errors"]), doc)
        res = self.call("list_orders", {"limit": 0})
        self.assertIn("limit", [e["field"] for e in self.problem_of(res, 422)["errors"]])
        res = self.call("get_order", {"order_id": 2 ** 31 - 2})
        self.problem_of(res, 404)
        res = self.call("get_order", {"order": 1})
        self.assertIn("order", [e["field"] for e in self.problem_of(res, 422)["errors"]])

    def test_create_retried_with_same_idempotency_key_makes_one_order(self):
        args = {"idempotency_key": "mcp-retry-1", "body": {
            "partner_id": self.customer.id, "lines": [{"product_id": self.product2.id, "quantity": 2}]}}
        first = self.call("create_order", args)
        second = self.call("create_order", args)
        self.assertFalse(second.isError, second)
        self.assertEqual(first.structuredContent, second.structuredContent)
        orders = self.env["sale.order"].search([("partner_id", "=", self.customer.id),
                                                ("order_line.product_id", "=", self.product2.id)])
        self.assertEqual(len(orders), 1)
        # the same key with other arguments is refused, not run
        other = dict(args, body=dict(args["body"], lines=[{"product_id": self.product.id}]))
        self.assertEqual(self.problem_of(self.call("create_order", other), 409)["type"].rsplit("/", 1)[-1],
                         "idempotency-key-reuse")

    def test_failed_tool_call_rolls_back_its_writes_only(self):
        res = self.call("create_order", {"body": {"partner": {"external_ref": "MCP-NEW", "name": "New Co"},
                                                  "lines": [{"product_code": "NO-SUCH-CODE"}]}})
        self.problem_of(res, 404)
        self.assertFalse(self.env["res.partner"].search([("external_ref", "=", "MCP-NEW")]))
        self.assertTrue(self.env["api.request.log"].search([("mcp_call", "=", "tools/call create_order")]))

    # ------------------------------------------------------------------ resources
    def test_resources_templates_and_read_order_and_partner(self):
        order = self.make_order(ref="MCP-RES")

        async def work(session, _init):
            templates = (await session.list_resource_templates()).resourceTemplates
            read = await session.read_resource("odoo://orders/%d" % order.id)
            partner = await session.read_resource("odoo://partners/%d" % self.customer.id)
            return templates, read, partner
        templates, read, partner = self.mcp(work)
        self.assertEqual({t.uriTemplate for t in templates}, {"odoo://orders/{id}", "odoo://partners/{id}"})
        self.assertEqual(read.contents[0].mimeType, "application/json")
        data = json.loads(read.contents[0].text)
        self.assertEqual((data["id"], data["external_ref"], len(data["lines"])), (order.id, "MCP-RES", 1))
        self.assertEqual(json.loads(partner.contents[0].text)["external_ref"], "CUST-1")

    def test_resource_read_of_unknown_record_is_a_jsonrpc_error(self):
        res = self.rpc({"jsonrpc": "2.0", "id": 7, "method": "resources/read",
                        "params": {"uri": "odoo://orders/%d" % (2 ** 31 - 2)}})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json()["error"]["code"], -32002)
        res = self.rpc({"jsonrpc": "2.0", "id": 8, "method": "resources/read", "params": {"uri": "odoo://x/1"}})
        self.assertEqual(res.json()["error"]["code"], -32002)

    # ------------------------------------------------------------------ transport and protocol errors
    def test_unauthenticated_is_401_pointing_at_protected_resource_metadata(self):
        self.env.flush_all()
        res = self.url_open(MCP, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
                            headers={"Content-Type": "application/json"})
        self.assertEqual(res.status_code, 401)
        challenge = res.headers["WWW-Authenticate"]
        self.assertTrue(challenge.startswith("Bearer "), challenge)
        url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
        self.assertTrue(url.endswith("/.well-known/oauth-protected-resource/api/v1/mcp"), url)
        meta = self.url_open(url[len(self.base_url()):]).json()
        self.assertEqual(meta["resource"], self.base_url() + MCP)
        self.assertIn("orders:read", meta["scopes_supported"])
        auth_server = meta["authorization_servers"][0]
        as_meta = self.url_open("/.well-known/oauth-authorization-server").json()
        self.assertEqual(as_meta["issuer"], auth_server)
        self.assertEqual(self.url_open("/.well-known/oauth-protected-resource").json()["resource"],
                         self.base_url() + MCP)

    def test_notification_is_202_without_body_and_get_is_405(self):
        res = self.rpc({"jsonrpc": "2.0", "method": "notifications/initialized"})
        self.assertEqual((res.status_code, res.content), (202, b""))
        res = self.url_open(MCP, headers={"Authorization": "Bearer %s" % self.key, "Accept": "text/event-stream"})
        self.assertEqual(res.status_code, 405)
        self.assertIn("POST", res.headers["Allow"])

    def test_protocol_errors_are_jsonrpc_errors(self):
        res = self.rpc({"jsonrpc": "2.0", "id": "a", "method": "no/such"})
        self.assertEqual((res.status_code, res.json()["id"], res.json()["error"]["code"]), (200, "a", -32601))
        res = self.rpc({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "drop_tables"}})
        self.assertEqual(res.json()["error"]["code"], -32602)
        res = self.rpc({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_order",
                                                                                         "arguments": []}})
        self.assertEqual(res.json()["error"]["code"], -32602)
        res = self.rpc({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {
            "name": "list_partners", "arguments": {"name": "a\x01b"}}})
        self.assertEqual(res.json()["error"]["code"], -32602)
        self.assertEqual(res.json()["error"]["data"]["field"], "params.arguments.name")
        self.assertEqual(self.rpc({"jsonrpc": "2.0", "id": 4, "method": "ping"}).json(),
                         {"jsonrpc": "2.0", "id": 4, "result": {}})
        # not a JSON-RPC message, a batch, bad JSON: refused by the body schema / parser, no traceback
        self.assertProblem(self.rpc({"jsonrpc": "2.0", "id": 5}), 422)
        self.assertProblem(self.api("POST", MCP, data="[1]", headers={"Content-Type": "application/json"}), 422)
        self.assertProblem(self.api("POST", MCP, data="{", headers={"Content-Type": "application/json"}), 400)

    def test_unsupported_protocol_version_header_is_400(self):
        res = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers={"MCP-Protocol-Version": "1999-01-01"})
        self.assertProblem(res, 400)
        res = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers={"MCP-Protocol-Version": "2025-06-18"})
        self.assertEqual(res.status_code, 200)
