"""Build the OpenAPI 3.1 document and the offline HTML reference from operation descriptors.

The descriptors are the ones the controllers register with their routes (controllers/api_common.py),
and the schemas come from the models' ``_rest_json_schema`` and the request schemas the controllers
validate with, so the documentation is generated from what actually runs. Pure Python.
"""
import html
import json
import re

_PATH_ARG = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json)",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
    },
    "required": ["type", "title", "status"],
}

ERROR_STATUSES = {
    "400": "Malformed request (bad JSON, bad cursor)",
    "401": "Missing, wrong, expired or revoked API key",
    "403": "Access denied (rights, record rules, company)",
    "404": "No such record",
    "409": "Conflict (concurrent update, idempotent request still running, invalid state)",
    "413": "Body too large",
    "415": "Content-Type must be application/json",
    "422": "Validation failed (field-level `errors`)",
    "429": "Rate limited (see Retry-After)",
}


def openapi_path(route):
    return _PATH_ARG.sub(r"{\1}", route)


def _ref(name):
    return {"$ref": "#/components/schemas/%s" % name}


def _schema(value):
    return _ref(value) if isinstance(value, str) else value


def build_spec(operations, schemas, *, title, version, description=""):
    paths = {}
    for op in operations:
        path = openapi_path(op["path"])
        item = paths.setdefault(path, {})
        params = []
        for name in _PATH_ARG.findall(op["path"]):
            params.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": "integer"} if "<int:%s>" % name in op["path"]
                           else {"type": "string"}})
        for p in op.get("parameters", []):
            params.append({"name": p["name"], "in": p.get("in", "query"), "required": p.get("required", False),
                           "description": p.get("description", ""), "schema": p.get("schema", {"type": "string"})})
        responses = {}
        for status, resp in op.get("responses", {}).items():
            entry = {"description": resp.get("description", "")}
            if resp.get("schema") is not None:
                entry["content"] = {"application/json": {"schema": _schema(resp["schema"])}}
            if resp.get("headers"):
                entry["headers"] = {h: {"schema": {"type": "string"}, "description": d}
                                    for h, d in resp["headers"].items()}
            responses[str(status)] = entry
        for status in op.get("errors", sorted(ERROR_STATUSES)):
            responses.setdefault(str(status), {
                "description": ERROR_STATUSES.get(str(status), "Error"),
                "content": {"application/problem+json": {"schema": _ref("Problem")}},
            })
        operation = {
            "operationId": op["operation_id"], "summary": op.get("summary", ""),
            "description": op.get("description", ""), "tags": op.get("tags", []),
            "parameters": params, "responses": responses,
        }
        if op.get("request_schema") is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _schema(op["request_schema"])}}}
        if op.get("public"):
            operation["security"] = []
        item[op["method"].lower()] = operation
    components = {"Problem": PROBLEM_SCHEMA}
    components.update(schemas)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An Odoo API key (scope rest_webhooks or global)"}},
        },
    }


def _esc(value):
    return html.escape(str(value), quote=True)


def render_html(spec):
    """A self-contained HTML reference of ``spec`` (no script, no CDN)."""
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<title>%s</title>" % _esc(spec["info"]["title"]),
           "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
           "code,pre{background:#f4f4f4;padding:.1em .3em}pre{padding:.6em;overflow:auto}"
           ".op{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.5em 1em}"
           ".m{font-weight:bold;text-transform:uppercase;margin-right:.5em}"
           "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}"
           "</style></head><body>",
           "<h1>%s <small>%s</small></h1>" % (_esc(spec["info"]["title"]), _esc(spec["info"]["version"])),
           "<p>%s</p>" % _esc(spec["info"].get("description", "")),
           "<p>Machine-readable: <a href='openapi.json'>openapi.json</a> (OpenAPI 3.1).</p>",
           "<h2>Operations</h2><ul>"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            out.append("<li><a href='#%s'><code>%s %s</code></a> %s</li>" % (
                _esc(op["operationId"]), _esc(method.upper()), _esc(path), _esc(op["summary"])))
    out.append("</ul>")
    for path, item in spec["paths"].items():
        for method, op in item.items():
            out.append("<div class='op' id='%s'><h3><span class='m'>%s</span><code>%s</code></h3>" % (
                _esc(op["operationId"]), _esc(method), _esc(path)))
            out.append("<p><b>%s</b></p><p>%s</p>" % (_esc(op["summary"]), _esc(op.get("description", ""))))
            if op["parameters"]:
                out.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>")
                for p in op["parameters"]:
                    out.append("<tr><td><code>%s</code>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                        _esc(p["name"]), " *" if p.get("required") else "", _esc(p["in"]),
                        _esc(json.dumps(p["schema"].get("type", ""))), _esc(p.get("description", ""))))
                out.append("</table>")
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                out.append("<p>Request body (application/json):</p><pre>%s</pre>" % _esc(
                    json.dumps(schema, indent=1)))
            out.append("<p>Responses: %s</p></div>" % ", ".join(
                "<code>%s</code> %s" % (_esc(s), _esc(r["description"])) for s, r in op["responses"].items()))
    out.append("<h2>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        out.append("<h3 id='schema-%s'>%s</h3><pre>%s</pre>" % (_esc(name), _esc(name),
                                                               _esc(json.dumps(schema, indent=1))))
    out.append("</body></html>")
    return "".join(out)
