"""The shared REST API layer: the ``api_route`` decorator and list pagination.

``api_route`` registers the route (auth ``rest_api``, see models/api_ir_http.py) AND an operation
descriptor in ``OPERATIONS``, from which /api/v1/openapi.json is built. Around the endpoint it
checks the content type, parses the JSON body, applies Idempotency-Key, and on success adds the
RateLimit headers and writes the request-log row in the request's own transaction. Errors are raised
(``ApiError`` or Odoo exceptions) and answered as problem+json by ``ir.http._handle_error``.
"""
import re
from urllib.parse import urlencode

from odoo import http
from odoo.http import request
from odoo.tools import SQL

from ..lib import api_params, api_schemas
from ..lib.api_params import parse_query
from ..lib.api_errors import ApiError, validation_error
from ..lib.cursor import CursorError, decode_cursor, encode_cursor
from ..lib.idempotency import request_fingerprint, valid_key
from ..lib.input_guard import check_path, check_query_string, loads
from ..lib.schema_check import check, coerce_integers
from ..models.api_cursor import end_read_snapshot
from ..models.api_ir_http import api_state
from .common import json_response, request_id

MAX_BODY_BYTES = 1024 * 1024
BODY_METHODS = ("POST", "PATCH", "PUT")
OPERATIONS = []
_ARG = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]\w*)>")


def api_route(path, method, *, operation_id, summary, tags, description="", parameters=(),
              request_schema_name=None, responses=None, idempotent=False, errors=None, links=None):
    """Route decorator for one REST operation. ``idempotent``: honours Idempotency-Key.
    ``parameters``: the query parameters (name + JSON Schema) the pipeline parses and checks before
    the endpoint runs (read them with ``api_query()``); ``request_schema_name``: the body schema
    (lib/api_schemas), checked the same way; ``errors``: the error statuses the operation can return."""
    OPERATIONS.append({
        "path": path, "method": method, "operation_id": operation_id, "summary": summary,
        "tags": list(tags), "description": description, "parameters": list(parameters),
        "request_schema": request_schema_name, "responses": responses or {}, "idempotent": idempotent,
        "errors": list(errors) if errors else None, "links": links or {},
    })
    path_args = _ARG.findall(path)
    params = list(parameters)

    def decorator(func):
        def wrapper(self, *args, **kwargs):
            # query-string arguments arrive as kwargs too: endpoints read api_query()
            path_kwargs = {k: kwargs[k] for k in path_args if k in kwargs}
            return _run(func, self, method, request_schema_name, params, idempotent, path_kwargs)
        # no functools.wraps: Odoo would inspect the inner signature and warn about query args
        wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = func.__name__, func.__qualname__, func.__doc__
        wrapper.__module__ = func.__module__
        return http.route(path, type="http", auth="rest_api", methods=[method], csrf=False,
                          save_session=False, readonly=False, max_content_length=MAX_BODY_BYTES)(wrapper)
    return decorator


_SCHEMA_CACHE = {}


def request_schemas(env):
    """The request-body schemas (lib/api_schemas) with the database's country codes; the OpenAPI
    document publishes exactly these. Countries are reference data every user may read."""
    env.cr.execute("SELECT code FROM res_country WHERE code IS NOT NULL ORDER BY code")
    codes = tuple(r[0] for r in env.cr.fetchall())
    if codes not in _SCHEMA_CACHE:
        _SCHEMA_CACHE.clear()
        _SCHEMA_CACHE[codes] = api_schemas.request_schemas(codes)
    return _SCHEMA_CACHE[codes]


def api_query():
    """The declared query parameters of this request, parsed and checked (absent ones left out)."""
    return api_state()["query"]


def _read_body(schema_name):
    hreq = request.httprequest
    length = hreq.content_length or 0
    if length > MAX_BODY_BYTES:
        raise ApiError(413, "The body is larger than %d bytes." % MAX_BODY_BYTES)
    if not length and schema_name is None:
        return None
    mimetype = hreq.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "Send the body as application/json (got %r)." % (mimetype or "nothing"),
                       headers={"Accept": "application/json"})
    body = loads(hreq.get_data(cache=True))  # strict: InputError (400/422) on anything unstorable
    if schema_name is not None:
        schema = request_schemas(request.env)[schema_name]
        errors = check(body, schema)
        if errors:
            raise validation_error(errors)
        body = coerce_integers(body, schema)
    return body


def _run(func, ctrl, method, schema_name, params, idempotent, path_kwargs):
    state = api_state()
    hreq = request.httprequest
    # every path, query value and body goes through lib/input_guard before any handler sees it,
    # then through the declared schemas (the ones the OpenAPI document publishes)
    check_path(hreq.environ.get("PATH_INFO", "").encode("latin-1"))
    check_query_string(hreq.query_string)
    state["query"], errors = parse_query(hreq.args, params)
    if errors:
        if any(e["field"] == "cursor" for e in errors):  # not of the cursor's shape: malformed
            raise ApiError(400, "Invalid cursor.", type_="invalid-cursor", errors=errors)
        raise validation_error(errors, "Invalid query parameters.")
    body = _read_body(schema_name) if method in BODY_METHODS else None
    idem_key = hreq.headers.get("Idempotency-Key") if method in BODY_METHODS else None
    if idem_key is not None:
        if not valid_key(idem_key):
            raise ApiError(400, "Idempotency-Key must be 1-255 printable ASCII characters.",
                           type_="invalid-idempotency-key")
        if not state["idem"] or state["idem"][0] != idem_key:
            fp = request_fingerprint(method, hreq.path, hreq.query_string.decode("latin-1"),
                                     hreq.get_data(cache=True))
            outcome, data = request.env["api.idempotency.key"]._claim(
                state["user_id"], idem_key, fp, method, hreq.path)
            if outcome == "mismatch":
                # 409, not 422: the body is valid; it conflicts with what the key already stands for
                raise ApiError(409, "This Idempotency-Key was used with a different request.",
                               type_="idempotency-key-reuse")
            if outcome == "running":
                raise ApiError(409, "A request with this Idempotency-Key is still being processed.",
                               type_="idempotency-key-in-use")
            if outcome == "replay":
                status, ctype, text = data
                response = request.make_response(text, status=status, headers=[
                    ("Content-Type", ctype), ("Idempotent-Replayed", "true")])
                return _finish(state, response)
            state["idem"] = (idem_key, data)
            # The claim row was committed by another transaction AFTER this request's REPEATABLE
            # READ snapshot was taken (the key check already read the database), so _store's UPDATE
            # would not see it and silently change nothing. End that snapshot here (only reads so
            # far): the business work and _store then run in a transaction that sees the claim.
            end_read_snapshot(request.env.cr)
    response = func(ctrl, body=body, **path_kwargs) if method in BODY_METHODS else func(ctrl, **path_kwargs)
    if state["idem"]:
        request.env["api.idempotency.key"]._store(
            state["idem"][1], response.status_code, response.headers.get("Content-Type"),
            response.get_data(as_text=True))
    return _finish(state, response)


def _finish(state, response):
    for name, value in state["headers"].items():
        response.headers[name] = value
    response.headers["X-Request-Id"] = request_id()
    # Technical log row, same transaction as the business work (raw INSERT, no business data).
    request.env["api.request.log"]._insert(request.env.cr, state, response.status_code, None,
                                           response.get_data(as_text=True) if state["log_bodies"] else None)
    return response


# ---------------------------------------------------------------------- listing
def _secret():
    # Technical read of the database secret to sign cursors (not business data).
    return request.env["ir.config_parameter"].sudo().get_param("database.secret") or "rest_webhooks"


def list_response(model, domain, *, sort_columns, default_fields):
    """One keyset-paginated page: a single id query (record rules applied by ``_search``) and one
    batched read through ``_rest_representation``. The list parameters were checked by ``_run``."""
    args = request.httprequest.args
    q = api_query()
    limit = q.get("limit", api_params.DEFAULT_LIMIT)
    offset = q.get("offset", 0)
    sort, desc = api_params.parse_sort(q.get("sort"))
    fields, count = q.get("fields"), q.get("count", False)
    sort_key = ("-" if desc else "") + sort
    after = None
    if "cursor" in q:
        try:
            after = decode_cursor(_secret(), q["cursor"], sort_key)
        except CursorError as exc:
            # well-formed (the schema's pattern) but not issued by this server for this sort: the
            # page it names does not exist
            raise ApiError(404, "Unknown cursor: %s" % exc, type_="invalid-cursor",
                           errors=[{"field": "cursor", "message": str(exc)}]) from None
    query = model._search(domain)
    col = SQL.identifier(query.table, sort_columns[sort])
    idcol = SQL.identifier(query.table, "id")
    direction = SQL("DESC" if desc else "ASC")
    if after is not None:
        op = SQL("<" if desc else ">")
        if sort == "id":
            query.add_where(SQL("%s %s %s", idcol, op, after[1]))
        else:  # keyset on (sort key, id): a row comparison the btree index can seek to
            query.add_where(SQL("(%s, %s) %s (%s, %s)", col, idcol, op, after[0], after[1]))
    elif offset:
        query.offset = offset
    query.order = SQL("%s %s, %s %s", col, direction, idcol, direction)
    query.limit = limit + 1
    request.env.cr.execute(query.select(idcol, SQL("%s::text", col) if sort != "id" else idcol))
    rows = request.env.cr.fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    records = model.browse([r[0] for r in rows])
    data = records._rest_representation(fields or default_fields)
    body = {"data": data, "has_more": has_more, "next_cursor": None}
    headers = {}
    if has_more:
        last_value = rows[-1][1] if sort != "id" else rows[-1][0]
        body["next_cursor"] = encode_cursor(_secret(), sort_key, last_value, rows[-1][0])
        params = [(k, v) for k, v in args.items(multi=True) if k not in ("cursor", "offset")]
        params.append(("cursor", body["next_cursor"]))
        headers["Link"] = '<%s?%s>; rel="next"' % (request.httprequest.path, urlencode(params))
    if count:
        body["total"] = model.search_count(domain)
    return json_response(body, headers=headers)
