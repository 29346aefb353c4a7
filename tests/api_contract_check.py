"""Check an HTTP response of the REST API against the OpenAPI document the server publishes: the
status is documented for the operation, the content type is the documented one and the body is valid
against the documented schema (jsonschema, Draft 2020-12 with format checking). Used by every API
test through ``ApiTestMixin.api`` so the whole HTTP suite doubles as a response-conformance test."""
import re
from urllib.parse import urlsplit

import jsonschema

from ..controllers.api_docs import build_openapi

_SPECS = {}


def _spec(env):
    key = env.cr.dbname
    if key not in _SPECS:
        spec = build_openapi(env)
        ops = []
        for path, item in spec["paths"].items():
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
            for method, op in item.items():
                ops.append((method.upper(), regex, op))
        _SPECS[key] = (spec, ops)
    return _SPECS[key]


def response_problems(env, method, url, res):
    """A list of ways ``res`` breaks the document (empty when it conforms); None when the request
    is not one of the documented operations."""
    spec, ops = _spec(env)
    path = urlsplit(url).path
    op = next((o for m, rx, o in ops if m == method.upper() and rx.match(path)), None)
    if op is None:
        return None
    status = str(res.status_code)
    doc = op["responses"].get(status) or op["responses"].get(status[0] + "XX")
    if doc is None:
        return ["status %s is not documented for %s" % (status, op["operationId"])]
    content = doc.get("content")
    if not content:
        return [] if not res.content else ["%s: body where none is documented" % status]
    ctype = (res.headers.get("Content-Type") or "").split(";")[0].strip()
    if ctype not in content:
        return ["%s: content type %r, documented %s" % (status, ctype, sorted(content))]
    schema = {"$ref": content[ctype]["schema"]["$ref"], "components": spec["components"]} \
        if "$ref" in content[ctype]["schema"] else dict(content[ctype]["schema"], components=spec["components"])
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return ["%s %s: %s at %s" % (op["operationId"], status, e.message[:200], "/".join(map(str, e.absolute_path)))
            for e in validator.iter_errors(res.json())]
