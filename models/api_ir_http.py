"""REST API plumbing in ir.http: the ``rest_api`` auth method (Odoo API keys + verified-key cache +
rate limit) and problem+json for every error under /api/ (including Odoo-level 404/405/413).

Verified-key cache (per process): ``sha256(key) -> (key id, user id, key name, stored hash)``, TTL 5
min. A hit skips pbkdf2 but still runs one primary-key lookup that re-checks, in the database every
worker shares, that the key row still exists with the same hash, is not expired, has the right
scope and belongs to an active user. So a revoked or expired key or an archived user is refused on
the very next request by every worker and server; the cache only saves the ~3.6 ms hash.
"""
import hashlib
import json
import logging
import re
import time

import psycopg2
import psycopg2.errors
import werkzeug.exceptions
from psycopg2.pool import PoolError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from odoo import models
from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT
from odoo.exceptions import AccessDenied, AccessError, ConcurrencyError, MissingError, UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..controllers.common import json_response, request_id
from ..controllers.nodb import NODB_ROUTE
from ..lib.api_errors import ApiError
from ..lib.input_guard import InputError
from ..lib.problem import PROBLEM_CONTENT_TYPE, problem
from ..lib.ttl_cache import TTLCache
from .res_users_api import API_KEY_SCOPE

_logger = logging.getLogger(__name__)

_KEY_CACHE = TTLCache(maxsize=4096, ttl=300)
BEARER = re.compile(r"^bearer\s+(\S+)\s*$", re.IGNORECASE)
API_PREFIX = "/api/"
# Routes under /api/ that are not REST API calls: no request log / API state for them.
_NOT_LOGGED = ("/api/v1/webhooks/", "/api/v1/health")

# The user's API settings ride along with the key check: no extra query per request.
_SETTINGS = "u.api_rate_limit, u.api_rate_window, u.api_log_bodies"
_VALID_SQL = """
    SELECT """ + _SETTINGS + """ FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
     WHERE k.id = %s AND k.key = %s AND u.active
       AND (k.scope IS NULL OR k.scope = %s)
       AND (k.expiration_date IS NULL OR k.expiration_date >= clock_timestamp() at time zone 'utc')
"""
_LOOKUP_SQL = """
    SELECT k.id, k.user_id, k.name, k.key, """ + _SETTINGS + """ FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
     WHERE k.index = %s AND u.active
       AND (k.scope IS NULL OR k.scope = %s)
       AND (k.expiration_date IS NULL OR k.expiration_date >= clock_timestamp() at time zone 'utc')
"""


def verify_api_key(cr, token):
    """``(key_id, user_id, key_name, settings)`` for a valid key of scope rest_webhooks (or
    global), else None; ``settings`` is the user's ``(rate_limit, rate_window, log_bodies)``."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = _KEY_CACHE.get(digest)
    if cached is not None:
        key_id, uid, name, stored = cached
        cr.execute(_VALID_SQL, (key_id, stored, API_KEY_SCOPE))
        row = cr.fetchone()
        if row:
            return key_id, uid, name, row
        _KEY_CACHE.pop(digest)
        return None
    cr.execute(_LOOKUP_SQL, (token[:INDEX_SIZE], API_KEY_SCOPE))
    for key_id, uid, name, stored, *settings in cr.fetchall():
        if KEY_CRYPT_CONTEXT.verify(token, stored):
            _KEY_CACHE.set(digest, (key_id, uid, name, stored))
            return key_id, uid, name, tuple(settings)
    return None


def api_state():
    """Per-request API state (survives Odoo's serialization-failure retries of the request)."""
    state = getattr(request, "_rw_api", None)
    if state is None:
        state = {"t0": time.perf_counter(), "headers": {}, "user_id": None, "key_name": None,
                 "key_id": None, "idem": None, "log_bodies": False, "rate_done": False}
        request._rw_api = state
    return state


def is_api_request():
    return bool(request) and request.httprequest.path.startswith(API_PREFIX)


def is_logged_path():
    path = request.httprequest.path
    return path.startswith(API_PREFIX) and not path.startswith(_NOT_LOGGED)


def exception_to_problem(exc):
    """``(status, kwargs for lib.problem.problem, extra headers)`` for any exception."""
    headers = {}
    if isinstance(exc, ApiError):
        return exc.status, dict(detail=exc.detail, errors=exc.errors, type_=exc.type_, title=exc.title), \
            dict(exc.headers)
    if isinstance(exc, InputError):
        malformed = exc.status == 400
        return exc.status, dict(
            detail=exc.message if exc.field is None else "%s: %s" % (exc.field, exc.message),
            errors=[{"field": exc.field, "message": exc.message}] if exc.field else None,
            type_="malformed-request" if malformed else "validation-error",
            title="Malformed request" if malformed else "Validation failed"), headers
    if isinstance(exc, HTTPException) and exc.code:
        if exc.code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers["Allow"] = ", ".join(m for m in exc.valid_methods)
        return exc.code, dict(detail=exc.description), headers
    if isinstance(exc, AccessDenied):
        return 401, dict(detail="Authentication failed."), {"WWW-Authenticate": 'Bearer realm="api"'}
    if isinstance(exc, AccessError):
        return 403, dict(detail=str(exc.args[0]) if exc.args else None, type_="access-denied"), headers
    if isinstance(exc, MissingError):
        return 404, dict(detail=str(exc.args[0]) if exc.args else None), headers
    if isinstance(exc, UserError):  # includes ValidationError
        # 409: the request is well-formed (its schema holds); it conflicts with the records' state
        # (a recursive parent, a rule of the sale flow), which is not a field error
        return 409, dict(detail=str(exc.args[0]) if exc.args else None, type_="business-rule",
                         title="Business rule violated"), headers
    if isinstance(exc, (PoolError, psycopg2.OperationalError, psycopg2.InterfaceError)) and \
            not isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
        # the database is unreachable or every connection is busy: temporary, say so and when to retry
        return 503, dict(detail="The database is temporarily unavailable; retry shortly.",
                         type_="service-unavailable"), {"Retry-After": "1"}
    if isinstance(exc, (ConcurrencyError, psycopg2.errors.SerializationFailure,
                        psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)):
        return 409, dict(detail="The record was modified concurrently; retry the request.",
                         type_="concurrent-update"), headers
    return 500, dict(detail="Internal error; quote the request id when reporting it."), headers


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    # ------------------------------------------------------------------ routing
    def _generate_routing_rules(self, modules, converters):
        # The /api/ catch-all of controllers/nodb.py only belongs to Odoo's no-database map.
        for url, endpoint in super()._generate_routing_rules(modules, converters):
            if url != NODB_ROUTE:
                yield url, endpoint

    # ------------------------------------------------------------------ authentication
    @classmethod
    def _authenticate_explicit(cls, auth):
        """Odoo turns any exception raised while authenticating into AccessDenied (401). For the
        REST API that would tell a client its valid key is bad when the database is merely busy:
        concurrency errors propagate so Odoo's retry loop retries the request, and an unreachable
        database or a full connection pool becomes a 503 problem with Retry-After."""
        if auth != "rest_api":
            return super()._authenticate_explicit(auth)
        try:
            return cls._auth_method_rest_api()
        except (AccessDenied, HTTPException, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            raise
        except (PoolError, psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            _logger.warning("REST API authentication could not reach the database: %s", exc)
            raise ApiErrorHTTP(ApiError(503, "The database is temporarily unavailable; retry shortly.",
                                        type_="service-unavailable", headers={"Retry-After": "1"})) from exc
        except Exception:
            _logger.info("Exception during REST API authentication.", exc_info=True)
            raise AccessDenied() from None

    @classmethod
    def _auth_method_rest_api(cls):
        state = api_state()
        if state["user_id"] is None:
            match = BEARER.match(request.httprequest.headers.get("Authorization", ""))
            if not match:
                raise werkzeug.exceptions.Unauthorized(
                    "Missing API key: send 'Authorization: Bearer <key>'.")
            found = verify_api_key(request.env.cr, match.group(1))
            if not found:
                raise werkzeug.exceptions.Unauthorized("Invalid, expired or revoked API key.")
            state["key_id"], state["user_id"], state["key_name"], state["settings"] = found
        request.update_env(user=state["user_id"])
        request.session.can_save = False  # stateless
        user = request.env.user
        if not user.has_group("rest_webhooks.group_api_user"):
            raise werkzeug.exceptions.Forbidden("This user may not use the REST API (group 'REST API: user').")
        # Odoo's multi-company record rules on partners and products use
        # ('company_id', 'parent_of', company_ids), which reads res.company.parent_path; left to
        # itself that read loads every column of the user's companies on each request (the cache is
        # per request). Load just that column: a cache warm-up, nothing is returned to the client.
        request.env.companies.sudo().fetch(["parent_path"])
        if not state["rate_done"]:
            quota, window, log_bodies = user._api_settings(*state["settings"])
            state["log_bodies"] = log_bodies
            allowed, headers = request.env["api.rate.counter"]._hit(state["user_id"], quota, window)
            state["headers"] = headers
            state["rate_done"] = True
            state["limited"] = not allowed
        if state.get("limited"):
            raise ApiErrorHTTP(ApiError(429, "Rate limit exceeded for this user; retry later.",
                                        type_="rate-limited"))

    # ------------------------------------------------------------------ errors
    @classmethod
    def _match(cls, path_info):
        if request.httprequest.method == "OPTIONS" and path_info.startswith(API_PREFIX):
            cls._answer_options(path_info)
        try:
            return super()._match(path_info)
        except MethodNotAllowed as exc:
            if not path_info.startswith(API_PREFIX):
                raise
            werkzeug.exceptions.abort(cls._rw_error_response(exc))

    @classmethod
    def _answer_options(cls, path_info):
        """OPTIONS under /api/ says which methods the path takes and runs nothing.

        Odoo adds OPTIONS to every route's methods (for CORS preflights); without this the request
        would reach the endpoint of the path, a write handler included."""
        adapter = request.env["ir.http"].routing_map().bind_to_environ(request.httprequest.environ)
        methods = sorted(set(adapter.allowed_methods(path_info)) | {"OPTIONS"})
        if methods == ["OPTIONS"]:
            return  # no route here: matching answers 404
        werkzeug.exceptions.abort(request.make_response("", status=204, headers=[
            ("Allow", ", ".join(methods)), ("X-Request-Id", request_id())]))

    @classmethod
    def _handle_error(cls, exception):
        if not is_api_request():
            return super()._handle_error(exception)
        return cls._rw_error_response(exception)

    @classmethod
    def _rw_error_response(cls, exc):
        if isinstance(exc, ApiErrorHTTP):
            exc = exc.api_error
        status, kwargs, headers = exception_to_problem(exc)
        if status >= 500:
            _logger.error("REST API request %s failed", request_id(), exc_info=exc)
        state = getattr(request, "_rw_api", None) or {}
        headers = {**state.get("headers", {}), **headers}
        doc = problem(status, kwargs.get("detail"), title=kwargs.get("title"), type_=kwargs.get("type_"),
                      errors=kwargs.get("errors"), request_id=request_id())
        response = json_response(doc, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
        # Unrouted requests (no matching /api route: 404/405) run on a read-only cursor before any
        # key is checked; they are answered but not logged.
        if is_logged_path() and not request.env.cr.readonly:
            try:
                cls._rw_after_error(state, response, doc)
            except Exception:  # noqa: BLE001 - logging must never turn an answer into a crash
                _logger.exception("could not record failed REST API request %s", request_id())
        return response

    @classmethod
    def _rw_after_error(cls, state, response, doc):
        """Request log row and idempotency-claim release, in their own short transaction: the
        request's transaction has been rolled back. sudo-free raw SQL on technical tables."""
        env = request.env
        if state.get("idem"):
            env["api.idempotency.key"]._release(state["idem"][1])
        with env.registry.cursor() as cr:
            env["api.request.log"]._insert(cr, state, response.status_code, doc.get("title"),
                                           json.dumps(doc))


class ApiErrorHTTP(werkzeug.exceptions.HTTPException):
    """Carries an ApiError through Odoo's authentication wrapper (which only lets HTTP errors pass)."""
    code = 429

    def __init__(self, api_error):
        super().__init__(api_error.detail)
        self.api_error = api_error
        self.code = api_error.status
