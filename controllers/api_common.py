"""REST API operations: the ``api_route`` decorator, and list pagination.

``api_route`` declares one operation: it registers the Odoo route (auth ``rest_api``) and an
operation descriptor in ``OPERATIONS``, from which /api/v1/openapi.json is built. The route's body
is only the operation's handler; everything around it (key, rate limit, Idempotency-Key, body
parsing and validation, log, problem+json) is the pipeline in services/api_pipeline.py.
"""
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from odoo import http
from odoo.http import request
from odoo.tools import SQL

from ..lib import api_params, api_schemas
from ..lib.api_errors import ApiError
from ..lib.cursor import CursorError, decode_cursor, encode_cursor
from ..lib.schema_check import parse_datetime
from ..lib.scopes import ALL, PER_TOOL, SCOPES
from ..services import api_pipeline
from ..services.api_call import current_call
from ..services.http import json_response

OPERATIONS = []
DATETIME_FILTERS = ("date_from", "date_to", "updated_since")
# filters every list offers: several records by id or by external reference in one call
BULK_FILTERS = [("ids", "id", "in"), ("external_refs", "external_ref", "in")]
# schemas of path parameters other than integer ids (published in OpenAPI and in MCP tools)
PATH_SCHEMAS = {"ref": api_schemas.EXTERNAL_REF}
_ARG = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]\w*)>")


@dataclass(frozen=True)
class Operation:
    """What the pipeline needs to know of an operation: its method, its declared query parameters
    (name + JSON Schema) and the name of its body schema (lib/api_schemas)."""
    method: str
    parameters: tuple
    request_schema_name: str | None
    counts_items: bool = False  # the rate limit counts len(body["items"]), not 1
    idempotent: bool = False    # honours the Idempotency-Key header
    free_form: tuple = ()       # top-level body members whose content the handler checks (check_value)


def api_route(path, method, *, scope, operation_id, summary, tags, description="", parameters=(),
              request_schema_name=None, responses=None, idempotent=False, errors=None, links=None,
              counts_items=False, mcp=None, free_form=()):
    """Route decorator for one REST operation. ``scope``: the scope (lib/scopes.SCOPES) a key or
    token needs to call it, checked by the pipeline's authorize step (required: an operation cannot
    forget it). ``idempotent``: honours Idempotency-Key.
    ``parameters``: the query parameters (name + JSON Schema) the pipeline parses and checks before
    the endpoint runs (read them with ``api_query()``); ``request_schema_name``: the body schema
    (lib/api_schemas), checked the same way; ``errors``: the error statuses the operation can return;
    ``counts_items``: a batch, counted by the rate limit as one request per item of body["items"];
    ``mcp``: also an MCP tool (controllers/api_mcp.py): ``{"description": text for a model,
    "destructive": bool, "idempotent": bool}``, running this same handler; ``free_form``: top-level
    members of the body holding arbitrary JSON (MCP's params) that the handler checks itself with
    lib/input_guard.check_value (the pipeline checks the rest)."""
    if (scope not in SCOPES and scope != PER_TOOL) or scope == ALL:
        raise ValueError("api_route %s %s: unknown scope %r" % (method, path, scope))
    entry = {
        "scope": scope, "path": path, "method": method, "operation_id": operation_id, "summary": summary,
        "tags": list(tags), "description": description, "parameters": list(parameters),
        "request_schema": request_schema_name, "responses": responses or {}, "idempotent": idempotent,
        "errors": list(errors) if errors else None, "links": links or {}, "mcp": mcp,
    }
    operation = Operation(method, tuple(parameters), request_schema_name, counts_items, idempotent, tuple(free_form))
    path_args = _ARG.findall(path)
    # what an MCP tool call needs to run the operation as the route does (the handler below)
    entry.update(operation=operation, path_args=path_args)
    OPERATIONS.append(entry)

    def decorator(func):
        entry["handler"] = func

        def wrapper(self, *args, **kwargs):
            # query-string arguments arrive as kwargs too: endpoints read api_query()
            path_kwargs = {k: kwargs[k] for k in path_args if k in kwargs}
            return api_pipeline.run(operation, func, self, path_kwargs)
        # no functools.wraps: Odoo would inspect the inner signature and warn about query args
        wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = func.__name__, func.__qualname__, func.__doc__
        wrapper.__module__ = func.__module__
        return http.route(path, type="http", auth="rest_api", methods=[method], csrf=False, save_session=False,
                          readonly=api_pipeline.read_only if method == "GET" else False,
                          max_content_length=api_pipeline.MAX_BODY_BYTES, rest_webhooks_scope=scope)(wrapper)
    return decorator


def api_query():
    """The declared query parameters of this request, parsed and checked by the pipeline (absent
    ones left out)."""
    return current_call().query


def query_domain(filters):
    """The domain of the list filters present in this request's query: ``filters`` is a list of
    ``(parameter, field, operator)``; date-time parameters are compared as naive UTC."""
    query = api_query()
    domain = []
    for name, field, operator in filters:
        if name in query:
            value = query[name]
            if name in DATETIME_FILTERS:
                value = parse_datetime(value)
            elif operator.endswith("like"):  # "exact" and "contains" filters: the text, not a pattern
                value = api_params.like_literal(value)
            domain.append((field, operator, value))
    return domain


def visible_record(model, record_id, label):
    """The record of ``model`` with this id that the caller may see, or a 404 problem; found with
    the columns of its representation, in one query (record rules applied). Archived records too:
    an id names one (the upsert by reference and the change feed give their ids; the representation
    says ``active``)."""
    record = model.with_context(active_test=False).search_fetch(
        [("id", "=", record_id)], model._rest_fetch_names(), limit=1).with_env(model.env)
    if not record:
        raise ApiError(404, "No %s %s (or you may not see it)." % (label, record_id))
    return record


def record_response(record, status=200, fetched=False):
    """The record's one JSON representation (``_rest_representation``) as the response.
    ``fetched``: ``record`` comes from ``visible_record`` unchanged (its columns are loaded)."""
    return json_response(record._rest_representation(fetched=fetched)[0], status=status)


# ---------------------------------------------------------------------- listing
def _cursor_secret():
    # Technical read of the database secret to sign cursors (not business data).
    return request.env["ir.config_parameter"].sudo().get_param("database.secret") or "rest_webhooks"


def list_response(model, domain, *, sort_columns, default_fields):
    """One keyset-paginated page in one query: the ids (record rules applied by ``_search``) with the
    columns ``_rest_representation`` reads and the sort key. The list parameters were checked by
    the pipeline (``check_input``)."""
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
            after = decode_cursor(_cursor_secret(), q["cursor"], sort_key)
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
    fields = fields or default_fields
    # the page's ids, the columns its representation reads and the sort key, in one query (as
    # search_fetch does)
    names = set(model._rest_fetch_names(fields)) | ({sort_columns[sort]} - {"id"})
    found, joined = model._rest_fetch_page(query, names, fields)
    has_more = len(found) > limit
    records = found[:limit]
    data = records._rest_representation(fields, fetched=True, joined=joined)
    body = {"data": data, "has_more": has_more, "next_cursor": None}
    headers = {}
    if has_more:
        last = records[-1]
        # the sort key as loaded (datetimes to the microsecond), as text PostgreSQL reads back
        last_value = last.id if sort == "id" else str(last[sort_columns[sort]])
        body["next_cursor"] = encode_cursor(_cursor_secret(), sort_key, last_value, last.id)
        params = [(k, v) for k, v in args.items(multi=True) if k not in ("cursor", "offset")]
        params.append(("cursor", body["next_cursor"]))
        headers["Link"] = '<%s?%s>; rel="next"' % (request.httprequest.path, urlencode(params))
    if count:
        body["total"] = model.search_count(domain)
    return json_response(body, headers=headers)
