"""Request-level HTTP helpers: JSON and problem+json responses, the request id.

Used by the controllers and by the ir.http overrides alike (controllers -> services/models -> lib),
so neither imports the other.
"""
import re
import uuid

from odoo.http import request

from ..lib.problem import PROBLEM_CONTENT_TYPE, problem
from ..lib.representation import json_dumps

REQUEST_ID_HEADER = "X-Request-Id"
API_PREFIX = "/api/"
MCP_PATH = "/api/v1/mcp"
# RFC 9728 §3.1: the metadata of resource https://host/<path> is at this prefix + /<path>
PROTECTED_RESOURCE_PREFIX = "/.well-known/oauth-protected-resource"
# The catch-all of controllers/nodb.py: only in Odoo's no-database routing map (models/ir_http.py).
NODB_ROUTE = "/api/<path:subpath>"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}\Z")


def request_id():
    """The client's X-Request-Id when it is sane, otherwise a new one; stable for the request."""
    rid = getattr(request, "_rw_request_id", None)
    if rid is None:
        given = request.httprequest.headers.get(REQUEST_ID_HEADER, "")
        rid = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
        request._rw_request_id = rid
    return rid


def json_response(data, status=200, headers=None, content_type="application/json"):
    return json_text_response(json_dumps(data), status, headers, content_type)


def json_text_response(text, status=200, headers=None, content_type="application/json"):
    """A response of already-encoded JSON ``text``."""
    hdrs = [("Content-Type", content_type), (REQUEST_ID_HEADER, request_id()),
            ("Cache-Control", "no-store")]
    hdrs += list((headers or {}).items())
    return request.make_response(text, headers=hdrs, status=status)


def problem_response(status, detail=None, headers=None, **kwargs):
    doc = problem(status, detail, request_id=request_id(), **kwargs)
    return json_response(doc, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
