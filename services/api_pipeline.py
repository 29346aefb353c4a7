"""The REST API request pipeline. Every call to an ``api_route`` operation runs these steps, in order:

1. ``authenticate``        Bearer API key or OAuth2 access token -> its user and scopes (ir.http
                           auth method ``rest_api``)
2. ``authorize``           the user is in "REST API: user"; the key or token has the operation's scope
3. ``rate_limit``          one count per call in the user's sliding window (429 past the quota); a
                           batch (``counts_items``) counts its other items after ``parse_body``.
                           Steps 1-3 share one short transaction on the primary, committed at once
                           (on the request's own connection, or one primary cursor for a replica read)
   -- Odoo dispatches the route; its wrapper calls ``run`` --
4. ``check_input``         path and query values are storable (lib/input_guard); the declared query
                           parameters parsed and checked against their published schemas
5. ``claim_idempotency``   Idempotency-Key: claim it, or replay the stored response (409/422 on misuse)
6. ``parse_body``          strict JSON, validated against the operation's published schema
7. the operation's handler (ORM as the caller, no sudo)
8. ``store_response``      the response of a claimed key, in the request's transaction
9. ``finish``              RateLimit and X-Request-Id headers, the request-log row (buffered, written
                           after the response in batches: services/log_buffer.py)

Steps 1-3 run in Odoo's authentication, before the route; a failure anywhere is answered by
``error_response`` (problem+json, claim released, log row buffered). The state of the
call travels in one ``ApiCall`` (services/api_call.py).
"""
import logging

import psycopg2
import psycopg2.errors
import werkzeug.exceptions
from psycopg2.pool import PoolError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from odoo.exceptions import AccessDenied, AccessError, ConcurrencyError, MissingError, UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..lib import api_schemas
from ..lib.api_errors import ApiError, BusinessError, Conflict, NotFound, validation_error
from ..lib.api_params import parse_query
from ..lib.idempotency import request_fingerprint, valid_key
from ..lib.input_guard import InputError, check_path, check_query_string, check_value, loads
from ..lib.problem import PROBLEM_CONTENT_TYPE, problem
from ..lib.schema_check import check, coerce_integers
from ..lib.scopes import allows
from .api_call import IdempotencyClaim, current_call, existing_call
from .api_keys import bearer_token, verify_api_key
from .cursors import is_test_cursor, own_transaction, read_committed_cursor
from .http import API_PREFIX, MCP_PATH, PROTECTED_RESOURCE_PREFIX, json_response, request_id
from .oauth_tokens import is_access_token, verify_access_token

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
READ_PRIMARY_HEADER = "X-Read-Primary"
BODY_METHODS = ("POST", "PATCH", "PUT")
# Routes under /api/ that are not REST API operations: their errors are answered but not logged.
_NOT_LOGGED = ("/api/v1/webhooks/", "/api/v1/health")
UNAVAILABLE = ApiError(503, "The database is temporarily unavailable; retry shortly.",
                       type_="service-unavailable", headers={"Retry-After": "1"})


class ApiErrorHTTP(HTTPException):
    """Carries an ApiError through Odoo's authentication wrapper (which lets only HTTP errors pass)."""

    def __init__(self, api_error):
        super().__init__(api_error.detail)
        self.api_error = api_error
        self.code = api_error.status


# ---------------------------------------------------------------------- 1-3: ir.http auth 'rest_api'
def authenticate():
    """Steps 1-3. The key check and the rate count share one short transaction committed at once on
    the primary: on the request's own connection (its operation then runs in a new transaction that
    sees the count), or for a read on the replica in one cursor of the primary (the key is checked
    there, so a revoked one is refused at once, not after the replica replayed its removal)."""
    call = current_call()
    if call.user_id is None or not call.rate_checked:
        cr = request.env.cr
        if cr.readonly:  # a read on the replica (without a replica the read-only cursor is the primary's)
            with read_committed_cursor(request.env.registry) as primary:
                _check_and_count(call, primary)
        else:
            with own_transaction(cr):
                _check_and_count(call, cr)
    request.update_env(user=call.user_id)
    _warm_company_paths(call)
    request.session.can_save = False  # stateless
    if call.rate_limited:
        raise ApiErrorHTTP(ApiError(429, "Rate limit exceeded for this user; retry later.", type_="rate-limited"))


def _warm_company_paths(call):
    """Odoo's multi-company record rules on partners and products use ('company_id', 'parent_of',
    company_ids), which reads res.company.parent_path; left to itself that read loads every column
    of the user's companies on each request (the cache is per transaction). The key check read
    these paths with the key (``call.company_paths``): they go into this transaction's ORM cache, as
    a fetch would put them, without a query (a cache warm-up: nothing is returned to the client).
    Done here, in the operation's transaction: the commit of the key check's transaction clears the
    cache. A company the key check did not see (none expected) is read instead."""
    companies = request.env.companies.sudo()
    paths = call.company_paths
    if all(cid in paths for cid in companies._ids):
        companies._fields["parent_path"]._insert_cache(companies, [paths[cid] for cid in companies._ids])
    else:
        companies.fetch(["parent_path"])


def _check_and_count(call, cr):
    """Steps 1-3 with ``cr``: the key or token, the user's group and the operation's scope, one count
    in the user's rate window. Runs once per request (not again when Odoo retries it)."""
    if call.user_id is None:
        token = bearer_token(request.httprequest.headers)
        if not token:
            raise werkzeug.exceptions.Unauthorized("Missing API key: send 'Authorization: Bearer <key>'.")
        verify = verify_access_token if is_access_token(token) else verify_api_key
        found = verify(cr, token)
        if not found:
            raise werkzeug.exceptions.Unauthorized("Invalid, expired or revoked API key or access token.")
        (call.key_id, call.client_id, call.user_id, call.key_name, call.scopes, call.user_settings,
         call.company_paths) = found
    request.update_env(user=call.user_id)
    authorize(call)
    rate_limit(call, cr)


def authorize(call):
    if not request.env.user.has_group("rest_webhooks.group_api_user"):
        raise werkzeug.exceptions.Forbidden("This user may not use the REST API (group 'REST API: user').")
    # fail closed: an operation without a declared scope is refused to every key
    if call.required_scope is None or not allows(call.scopes, call.required_scope):
        raise ApiErrorHTTP(ApiError(
            403, "This API key or access token lacks the scope '%s' this operation needs." % call.required_scope,
            type_="insufficient-scope", title="Insufficient scope",
            headers={"WWW-Authenticate": 'Bearer realm="api", error="insufficient_scope", scope="%s"'
                                         % call.required_scope}))


def rate_limit(call, cr):
    """Count the call once, with ``cr`` (committed with the key check); the verdict is applied by
    ``authenticate`` (past the quota: 429)."""
    if not call.rate_checked:
        quota, window, call.log_bodies = request.env.user._api_settings(*call.user_settings)
        allowed, call.rate_headers = request.env["api.rate.counter"]._hit(call.user_id, quota, window, cr=cr)
        call.rate_checked, call.rate_limited = True, not allowed


def rate_limit_items(call, count):
    """A batch (operation ``counts_items``) counts one request per item: the call itself was counted
    in ``rate_limit``, the other ``count - 1`` are counted here, once (not again on Odoo's retries)."""
    if not call.items_counted:
        quota, window, _log = request.env.user._api_settings(*call.user_settings)
        allowed, headers = request.env["api.rate.counter"]._hit(call.user_id, quota, window, amount=count - 1)
        call.rate_headers = dict(headers, **{"RateLimit-Cost": str(count)})
        call.items_counted, call.rate_limited = True, not allowed
    if call.rate_limited:
        raise ApiError(429, "Rate limit exceeded for this user: a batch counts one request per item; "
                       "retry later or send fewer items.", type_="rate-limited",
                       headers={"Retry-After": call.rate_headers.get("Retry-After", "1")})


# ---------------------------------------------------------------------- 4-9: the route wrapper
def run(operation, handler, controller, path_kwargs):
    """Steps 4-9 for ``operation`` (controllers/api_common.py) around its ``handler``."""
    call = current_call()
    check_input(call, operation)
    replayed = claim_idempotency(call, operation)
    if replayed is not None:
        return finish(call, replayed)
    if operation.method in BODY_METHODS:
        body = parse_body(operation)
        if operation.counts_items:
            rate_limit_items(call, len(body["items"]))
        response = handler(controller, body=body, **path_kwargs)
    else:
        response = handler(controller, **path_kwargs)
    store_response(call, response)
    return finish(call, response)


def check_input(call, operation):
    hreq = request.httprequest
    check_path(hreq.environ.get("PATH_INFO", "").encode("latin-1"))
    check_query_string(hreq.query_string)
    call.query, errors = parse_query(hreq.args, operation.parameters)
    if errors:
        if any(e["field"] == "cursor" for e in errors):  # not of the cursor's shape: malformed
            raise ApiError(400, "Invalid cursor.", type_="invalid-cursor", errors=errors)
        raise validation_error(errors, "Invalid query parameters.")


def claim_idempotency(call, operation):
    """Claim the request's Idempotency-Key; returns the stored response to replay, or None."""
    hreq = request.httprequest
    key = hreq.headers.get("Idempotency-Key") if operation.idempotent and operation.method in BODY_METHODS else None
    if key is None:
        return None
    if not valid_key(key):
        raise ApiError(400, "Idempotency-Key must be 1-255 printable ASCII characters.",
                       type_="invalid-idempotency-key")
    fingerprint = request_fingerprint(hreq.method, hreq.path, hreq.query_string.decode("latin-1"),
                                      hreq.get_data(cache=True))
    replay = claim_key(call, key, fingerprint)
    if replay is None:
        return None
    status, content_type, text = replay
    return request.make_response(text, status=status, headers=[
        ("Content-Type", content_type), ("Idempotent-Replayed", "true")])


def claim_key(call, key, fingerprint):
    """Claim Idempotency-Key ``key`` for the request of ``fingerprint`` (an HTTP request, or an MCP
    tool call): None when claimed, ``(status, content type, text)`` of the stored response to
    replay; ApiError 409 when the key stands for another request or one still running."""
    if call.idempotency and call.idempotency.key == key:
        call.idempotency.stored = False  # Odoo retries the request: the store was rolled back
        return None  # already claimed by this request before Odoo retried it
    hreq = request.httprequest
    Keys = request.env["api.idempotency.key"]
    outcome, data = Keys._claim(call.user_id, key, fingerprint, hreq.method, hreq.path)
    if outcome == "mismatch":
        # 409, not the IETF draft's suggested 422: the body is valid (the contract promises that a
        # request the OpenAPI document calls valid is never 400/422); it conflicts with what the key
        # already stands for
        raise ApiError(409, "This Idempotency-Key was used with a different request.", type_="idempotency-key-reuse")
    if outcome == "running":
        raise ApiError(409, "A request with this Idempotency-Key is still being processed.",
                       type_="idempotency-key-in-use")
    if outcome == "replay":
        return data
    call.idempotency = IdempotencyClaim(key, data)
    # the claim was committed on the request's connection before its operation's transaction
    # began: the handler and store_response see it
    return None


def parse_body(operation):
    """The JSON body, strictly decoded (lib/input_guard) and valid against the operation's schema."""
    hreq = request.httprequest
    length = hreq.content_length or 0
    if length > MAX_BODY_BYTES:
        raise ApiError(413, "The body is larger than %d bytes." % MAX_BODY_BYTES)
    if not length and operation.request_schema_name is None:
        return None
    mimetype = hreq.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "Send the body as application/json (got %r)." % (mimetype or "nothing"),
                       headers={"Accept": "application/json"})
    body = loads(hreq.get_data(cache=True), check=not operation.free_form)
    if operation.free_form:  # every value but the free-form members' content, which the handler checks
        check_value({k: None if k in operation.free_form else v for k, v in body.items()}
                    if isinstance(body, dict) else body)
    if operation.request_schema_name is not None:
        body = valid_value(body, request_schemas(request.env)[operation.request_schema_name])
    return body


def valid_value(value, schema, detail=None):
    """``value`` checked against ``schema`` (422 naming the fields), integers as Python ints."""
    errors = check(value, schema)
    if errors:
        raise validation_error(errors, detail) if detail else validation_error(errors)
    return coerce_integers(value, schema)


_SCHEMA_CACHE = {}


def request_schemas(env):
    """The request-body schemas (lib/api_schemas) with the database's country codes; the OpenAPI
    document publishes exactly these. Countries are reference data every user may read."""
    codes = env["res.country"]._rw_codes()
    schemas = _SCHEMA_CACHE.get(codes)
    if schemas is None:  # kept in a local: another thread may clear the cache between two lines
        schemas = api_schemas.request_schemas(codes)
        _SCHEMA_CACHE.clear()
        _SCHEMA_CACHE[codes] = schemas
    return schemas


def store_response(call, response):
    """Store the response of the claimed key, once (an MCP tool stores its own, not the JSON-RPC answer)."""
    if call.idempotency and not call.idempotency.stored:
        request.env["api.idempotency.key"]._store(
            call.idempotency.record_id, response.status_code, response.headers.get("Content-Type"),
            response.get_data(as_text=True))
        call.idempotency.stored = True


def finish(call, response):
    for name, value in call.rate_headers.items():
        response.headers[name] = value
    response.headers["X-Request-Id"] = request_id()
    body = response.get_data(as_text=True) if call.log_bodies else None
    # deferred: buffered and written after the response, in a batch (services/log_buffer.py); with
    # the immediate setting in the request's transaction, or on the primary for a replica read
    request.env["api.request.log"]._record(call, response.status_code, call.error_title, body,
                                           cr=None if request.env.cr.readonly else request.env.cr)
    return response


def read_only(controller, rule, args):
    """Whether a GET operation runs on a read-only cursor: a replica when Odoo has one
    (``db_replica_host``), so reads leave the primary alone. ``X-Read-Primary: 1`` reads the
    primary instead (read-after-write: a replica may lag behind a write the client just made).
    The rate counter and the log row use their own short read-write transactions on the primary.
    HttpCase's test cursors share one transaction that cannot host those next to a read-only one,
    so under tests the route stays read-write (the real-server tests cover the read-only path)."""
    return request.httprequest.headers.get(READ_PRIMARY_HEADER, "").strip().lower() not in ("1", "true", "yes") \
        and not is_test_cursor(request.env.cr)


# ---------------------------------------------------------------------- errors (ir.http._handle_error)
def is_api_request():
    return bool(request) and request.httprequest.path.startswith(API_PREFIX)


def exception_to_problem(exc):
    """``(status, problem fields, extra headers)`` for any exception."""
    if isinstance(exc, ApiErrorHTTP):
        exc = exc.api_error
    if isinstance(exc, ApiError):
        return exc.status, dict(detail=exc.detail, errors=exc.errors, type_=exc.type_, title=exc.title,
                                extra=exc.extra), dict(exc.headers)
    if isinstance(exc, InputError):
        malformed = exc.status == 400
        return exc.status, dict(
            detail=exc.message if exc.field is None else "%s: %s" % (exc.field, exc.message),
            errors=[{"field": exc.field, "message": exc.message}] if exc.field else None,
            type_="malformed-request" if malformed else "validation-error",
            title="Malformed request" if malformed else "Validation failed"), {}
    if isinstance(exc, BusinessError):
        status = 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422
        return status, dict(detail=exc.detail, errors=exc.errors, type_=exc.type_, title=exc.title), {}
    if isinstance(exc, HTTPException) and exc.code:
        headers = {}
        if exc.code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        return exc.code, dict(detail=exc.description), headers
    if isinstance(exc, AccessDenied):
        return 401, dict(detail="Authentication failed."), {"WWW-Authenticate": 'Bearer realm="api"'}
    if isinstance(exc, AccessError):
        return 403, dict(detail=str(exc.args[0]) if exc.args else None, type_="access-denied"), {}
    if isinstance(exc, MissingError):
        return 404, dict(detail=str(exc.args[0]) if exc.args else None), {}
    if isinstance(exc, UserError):  # includes ValidationError
        # 409: the request is well-formed (its schema holds); it conflicts with the records' state
        # (a recursive parent, a rule of the sale flow), which is not a field error
        return 409, dict(detail=str(exc.args[0]) if exc.args else None, type_="business-rule",
                         title="Business rule violated"), {}
    if isinstance(exc, (PoolError, psycopg2.OperationalError, psycopg2.InterfaceError)) and \
            not isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
        # the database is unreachable or every connection is busy: temporary, say so and when to retry
        return exception_to_problem(UNAVAILABLE)
    if isinstance(exc, (ConcurrencyError, psycopg2.errors.SerializationFailure,
                        psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)):
        return 409, dict(detail="The record was modified concurrently; retry the request.",
                         type_="concurrent-update"), {}
    return 500, dict(detail="Internal error; quote the request id when reporting it."), {}


def problem_of(exc, request_id=None):
    """``(status, problem document, extra headers)`` for any exception."""
    status, fields, headers = exception_to_problem(exc)
    doc = problem(status, fields.get("detail"), title=fields.get("title"), type_=fields.get("type_"),
                  errors=fields.get("errors"), request_id=request_id, **fields.get("extra", {}))
    return status, doc, headers


def error_response(exc):
    """The problem+json answer to a failed /api/ request; releases its Idempotency-Key claim and
    logs it (a REST operation's, in its own transaction: the request's was rolled back)."""
    status, doc, headers = problem_of(exc, request_id())
    if status >= 500:
        _logger.error("REST API request %s failed", request_id(), exc_info=exc)
    call = existing_call()
    headers = {**(call.rate_headers if call else {}), **headers}
    if status == 401 and request.httprequest.path == MCP_PATH:
        # MCP authorization (2025-11-25): the challenge names the RFC 9728 metadata of the resource
        headers["WWW-Authenticate"] = 'Bearer realm="api", resource_metadata="%s"' % (
            request.httprequest.url_root.rstrip("/") + PROTECTED_RESOURCE_PREFIX + MCP_PATH)
    response = json_response(doc, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    # Unrouted requests (no matching /api route: 404/405) never reach authentication (no call):
    # they are answered but not logged.
    path = request.httprequest.path
    if call is not None and not path.startswith(_NOT_LOGGED):
        try:
            _record_failure(call, response, doc)
        except Exception:  # noqa: BLE001 - logging must never turn an answer into a crash
            _logger.exception("could not record failed REST API request %s", request_id())
    return response


def _record_failure(call, response, doc):
    env = request.env
    if call and call.idempotency:
        env["api.idempotency.key"]._release(call.idempotency.record_id)
    # the request's transaction was rolled back: in immediate mode the row gets its own
    env["api.request.log"]._record(call, response.status_code, doc.get("title"), response.get_data(as_text=True))
