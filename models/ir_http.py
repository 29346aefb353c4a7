"""ir.http for the addon: the ``rest_api`` auth method and problem+json under /api/ (the REST API
pipeline, services/api_pipeline.py), OPTIONS and 405 answers, the no-database catch-all kept out of
the database's routing map, and the raw body of inbound webhook form posts."""
import logging

import psycopg2
import werkzeug.exceptions
from psycopg2.pool import PoolError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from odoo import models
from odoo.exceptions import AccessDenied
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..services import api_pipeline
from ..services.api_call import current_call
from ..services.http import API_PREFIX, NODB_ROUTE, request_id

_logger = logging.getLogger(__name__)

FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_PRELOAD = 16 * 1024 * 1024  # larger form bodies are refused by the controller's limit anyway


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    # ------------------------------------------------------------------ routing
    def _generate_routing_rules(self, modules, converters):
        # The /api/ catch-all of controllers/nodb.py only belongs to Odoo's no-database map.
        for url, endpoint in super()._generate_routing_rules(modules, converters):
            if url != NODB_ROUTE:
                yield url, endpoint

    @classmethod
    def _match(cls, path_info):
        if request.httprequest.method == "OPTIONS" and path_info.startswith(API_PREFIX):
            cls._answer_options(path_info)
        try:
            return super()._match(path_info)
        except MethodNotAllowed as exc:
            if not path_info.startswith(API_PREFIX):
                raise
            werkzeug.exceptions.abort(api_pipeline.error_response(exc))

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

    # ------------------------------------------------------------------ authentication
    @classmethod
    def _authenticate(cls, endpoint):
        if endpoint.routing.get("auth") == "rest_api":
            # the operation's scope (api_route), checked by the pipeline's authorize step
            current_call().required_scope = endpoint.routing.get("rest_webhooks_scope")
        return super()._authenticate(endpoint)

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
            raise api_pipeline.ApiErrorHTTP(api_pipeline.UNAVAILABLE) from exc
        except Exception:
            _logger.info("Exception during REST API authentication.", exc_info=True)
            raise AccessDenied() from None

    @classmethod
    def _auth_method_rest_api(cls):
        api_pipeline.authenticate()

    # ------------------------------------------------------------------ dispatch
    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Inbound webhook routes (``rest_webhooks_raw_body=True``) read and cache the raw body of a
        form post before Odoo parses the form from the stream: the signature covers the raw bytes
        (GitHub, for instance, can send ``payload=<json>`` as a form)."""
        if rule.endpoint.routing.get("rest_webhooks_raw_body"):
            httprequest = request.httprequest
            length = httprequest.content_length
            if httprequest.mimetype in FORM_MIMETYPES and length is not None and length <= MAX_FORM_PRELOAD:
                httprequest.get_data(cache=True, parse_form_data=False)
        return super()._pre_dispatch(rule, args)

    @classmethod
    def _dispatch(cls, endpoint):
        """Odoo calls the route with the query and form values as keyword arguments, next to the
        controller as ``self``: ``?self=1`` raised a TypeError (500) before any of our code ran. Our
        routes read their parameters from the request (api_query(), the raw body), not from these."""
        if "self" in request.params and request.httprequest.path.startswith(API_PREFIX):
            request.params = {k: v for k, v in request.params.items() if k != "self"}
        return super()._dispatch(endpoint)

    # ------------------------------------------------------------------ errors
    @classmethod
    def _handle_error(cls, exception):
        if not api_pipeline.is_api_request():
            return super()._handle_error(exception)
        return api_pipeline.error_response(exception)
