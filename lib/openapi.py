"""Build the OpenAPI 3.1 document and the offline HTML reference from operation descriptors.

The descriptors are the ones the controllers register with their routes (controllers/api_common.py),
and the schemas come from the models' ``_rest_json_schema`` and the request schemas the controllers
validate with, so the documentation is generated from what actually runs. Pure Python.
"""
import html
import json
import re

from .scopes import PER_TOOL, SCOPES

_PATH_ARG = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json)",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": ["string", "null"]}, "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "restart_after": {"type": "string", "pattern": "^[0-9]+$",
                          "description": "410 cursor-expired of the change feed: the position to read on "
                                         "from (after=) once a full list has been made"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
    },
    "required": ["type", "title", "status"],
}

ERROR_STATUSES = {
    "400": "Malformed request: bad JSON, NUL or invalid UTF-8, numbers out of range, duplicate keys, "
           "nesting too deep, a cursor not of the cursor's shape, a bad Idempotency-Key",
    "401": "Missing, wrong, expired or revoked API key",
    "403": "Access denied (rights, record rules, company)",
    "404": "No such record, an unknown record referenced in the body (partner, product), or a "
           "cursor this server did not issue for this sort",
    "409": "Conflict: concurrent update, a request with this Idempotency-Key still running or the key "
           "used with another request, invalid state, external reference taken",
    "413": "Body too large",
    "415": "Content-Type must be application/json",
    "422": "Validation failed: a query parameter or body field breaks its schema (field-level `errors`)",
    "429": "Rate limited (see Retry-After and RateLimit)",
    "503": "The database is temporarily unavailable (see Retry-After)",
}
# statuses only some operations declare (``errors``), not part of the default list
OTHER_ERROR_STATUSES = {
    "410": "Gone: a change-feed cursor older than the feed's retention (resync with a full list)",
}
ERROR_HEADERS = {"401": ["WWW-Authenticate"], "429": ["Retry-After"], "503": ["Retry-After"]}

HEADERS = {
    "X-Request-Id": ("The request id (the client's when sane, else a new one); also in problem documents",
                     {"type": "string"}),
    "RateLimit": ("Remaining quota and seconds to reset (IETF draft), e.g. \"default\";r=42;t=17",
                  {"type": "string"}),
    "RateLimit-Policy": ("Quota policy (IETF draft), e.g. \"default\";q=100;w=60", {"type": "string"}),
    "Idempotent-Replayed": ("true when this is the stored answer of an earlier request with the same "
                            "Idempotency-Key", {"type": "string", "enum": ["true"]}),
    "RateLimit-Cost": ("Quota units this request used: one per item of a batch (a batch of N items "
                       "counts as N requests in RateLimit)", {"type": "string", "pattern": "^[0-9]+$"}),
    "Link": ("<URL>; rel=\"next\" when has_more", {"type": "string"}),
    "Location": ("URL of the created record", {"type": "string"}),
    "Retry-After": ("Seconds to wait before retrying", {"type": "string"}),
    "WWW-Authenticate": ("Bearer challenge", {"type": "string"}),
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "1-255 printable ASCII characters. A retry with the same key and request gets the "
                   "stored answer (Idempotent-Replayed: true) for 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}


def security_schemes():
    """An API key or an OAuth2 client-credentials token, both sent as ``Authorization: Bearer``."""
    return {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": (
            "An Odoo API key with its scopes (issued by Integrations › Issue API key; keys of scope "
            "rest_webhooks and global keys have *), or an OAuth2 access token. Scopes: "
            + "; ".join("%s: %s" % item for item in SCOPES.items()))},
        "oauth2": {"type": "oauth2", "description": "OAuth2 client credentials (RFC 6749 §4.4)",
                   "flows": {"clientCredentials": {"tokenUrl": "/api/v1/oauth/token", "scopes": dict(SCOPES)}}},
    }


def operation_security(scope):
    """The requirement of an operation needing ``scope`` (``*`` grants it too)."""
    if scope == PER_TOOL:  # any key or token; its parts check their own scopes
        return [{"bearerAuth": []}, {"oauth2": []}]
    return [{"bearerAuth": [scope]}, {"oauth2": [scope]}]


def openapi_path(route):
    return _PATH_ARG.sub(r"{\1}", route)


def _ref(name):
    return {"$ref": "#/components/schemas/%s" % name}


def _schema(value):
    return _ref(value) if isinstance(value, str) else value


def _headers(names):
    return {h: {"description": HEADERS[h][0], "schema": HEADERS[h][1]} for h in names}


def _parameter(p):
    out = {"name": p["name"], "in": p.get("in", "query"), "required": p.get("required", False),
           "description": p.get("description", ""), "schema": p.get("schema", {"type": "string"})}
    for key in ("style", "explode"):
        if key in p:
            out[key] = p[key]
    return out


def build_spec(operations, schemas, *, title, version, description="", path_schemas=None, webhooks=None):
    """``operations``: descriptors (controllers/api_common.py); ``path_schemas``: name -> schema of
    the path parameters (ids default to a PostgreSQL integer >= 1)."""
    path_schemas = path_schemas or {}
    paths = {}
    for op in operations:
        path = openapi_path(op["path"])
        item = paths.setdefault(path, {})
        params = []
        for name in _PATH_ARG.findall(op["path"]):
            default = {"type": "integer", "minimum": 1, "maximum": 2 ** 31 - 1} \
                if "<int:%s>" % name in op["path"] else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True,
                           "schema": path_schemas.get(name, default)})
        params += [_parameter(p) for p in op.get("parameters", [])]
        if op.get("idempotent"):
            params.append(dict(IDEMPOTENCY_KEY))
        common = ["X-Request-Id", "RateLimit", "RateLimit-Policy"]
        responses = {}
        for status, resp in op.get("responses", {}).items():
            entry = {"description": resp.get("description", "")}
            if resp.get("schema") is not None:
                entry["content"] = {"application/json": {"schema": _schema(resp["schema"])}}
            names = common + list(resp.get("headers", []))
            if op.get("idempotent"):
                names.append("Idempotent-Replayed")
            if str(status) == "201":
                names.append("Location")
            entry["headers"] = _headers(names)
            if op.get("links", {}).get(str(status)):
                entry["links"] = op["links"][str(status)]
            responses[str(status)] = entry
        for status in op.get("errors") or sorted(ERROR_STATUSES):
            status = str(status)
            responses.setdefault(status, {
                "description": ERROR_STATUSES.get(status) or OTHER_ERROR_STATUSES.get(status, "Error"),
                "headers": _headers(["X-Request-Id"] + ERROR_HEADERS.get(status, [])
                                    + (["RateLimit", "RateLimit-Policy"] if status != "401" else [])
                                    + (["Idempotent-Replayed"] if op.get("idempotent") else [])),
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
        elif op.get("scope"):
            operation["security"] = operation_security(op["scope"])
        item[op["method"].lower()] = operation
    components = {"Problem": PROBLEM_SCHEMA}
    components.update(schemas)
    spec = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": security_schemes(),
        },
    }
    if webhooks:
        spec["webhooks"] = webhooks
    return spec


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
    if spec.get("webhooks"):
        out.append("<h2>Webhooks (events we send)</h2><p>Each is a POST to your endpoint with the "
                   "headers below and the JSON envelope <code>{type, timestamp, data}</code>.</p>")
        first = next(iter(spec["webhooks"].values()))["post"]
        out.append("<table><tr><th>header</th><th>description</th></tr>%s</table>" % "".join(
            "<tr><td><code>%s</code></td><td>%s</td></tr>" % (_esc(p["name"]), _esc(p["description"]))
            for p in first["parameters"]))
        out.append("<table><tr><th>event</th><th>data</th><th>description</th></tr>")
        for name, item in spec["webhooks"].items():
            op = item["post"]
            data = op["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]["$ref"]
            schema = data.rsplit("/", 1)[-1]
            out.append("<tr id='event-%s'><td><code>%s</code></td><td><a href='#schema-%s'>%s</a></td>"
                       "<td>%s</td></tr>" % (_esc(name), _esc(name), _esc(schema), _esc(schema),
                                             _esc(op["description"])))
        out.append("</table>")
    out.append("<h2>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        out.append("<h3 id='schema-%s'>%s</h3><pre>%s</pre>" % (_esc(name), _esc(name),
                                                               _esc(json.dumps(schema, indent=1))))
    out.append("</body></html>")
    return "".join(out)


# ---------------------------------------------------------------------- outbound events
WEBHOOK_HEADERS = [
    ("webhook-id", "The event id: the same for every attempt and replay of this event (deduplicate on it)",
     {"type": "string"}),
    ("webhook-timestamp", "Unix seconds of this attempt; refuse old ones (replay protection)",
     {"type": "string", "pattern": "^[0-9]+$"}),
    ("webhook-signature", "Standard Webhooks: space-separated v1,<base64 HMAC-SHA256 of "
     "'{webhook-id}.{webhook-timestamp}.{body}'>, one per active secret (two while a secret rotates)",
     {"type": "string"}),
    ("X-Odoo-Event", "The event type (same as the body's type)", {"type": "string"}),
    ("X-Odoo-Signature", "Legacy: sha256=<hex HMAC-SHA256 of the body> with the first secret",
     {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"}),
]


VERSION_RULE = ("The record's version after this event: monotonic per record, the same number in the "
                "change feed (GET /api/v1/changes). Deliveries may arrive out of order (retries, "
                "replays, several workers): keep the last version applied per record and drop an event "
                "whose version is lower than or equal to it.")


def webhooks_section(events):
    """OpenAPI 3.1 ``webhooks``: one entry per event type we send. ``events``: (type, payload schema
    name, description). The envelope is the one the event store builds (rest.change.body): type,
    timestamp, version, data."""
    out = {}
    for event_type, schema_name, description in events:
        out[event_type] = {"post": {
            "operationId": "event_" + re.sub(r"[^a-zA-Z0-9]", "_", event_type),
            "summary": "Event %s" % event_type,
            "description": description + " Sent as a signed POST (Standard Webhooks) to each active "
                           "endpoint subscribed to it; the payload fields can be limited per endpoint.",
            "tags": ["events"],
            "security": [],
            "parameters": [{"name": n, "in": "header", "required": True,
                            "description": d, "schema": s} for n, d, s in WEBHOOK_HEADERS],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["type", "timestamp", "version", "data"],
                "properties": {
                    "type": {"const": event_type},
                    "timestamp": {"type": "string", "format": "date-time",
                                  "description": "When the event happened (UTC)"},
                    "version": {"type": "integer", "minimum": 0, "description": VERSION_RULE},
                    "data": _ref(schema_name),
                }}}}},
            "responses": {
                "2XX": {"description": "Received. Any other status, a redirect or a timeout is retried "
                                       "with exponential backoff until the endpoint's attempts run out."},
            },
        }}
    return out
