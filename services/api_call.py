"""The REST API call in progress: one typed object the pipeline steps fill in, in order.

It lives on the request (``request._rw_call``), so it survives Odoo's retries of the request after
a serialization failure: a retried request is not counted twice against the rate limit and keeps its
Idempotency-Key claim.
"""
import time
from dataclasses import dataclass, field

from odoo.http import request


@dataclass
class IdempotencyClaim:
    key: str          # the client's Idempotency-Key
    record_id: int    # its api.idempotency.key row, claimed for this request
    stored: bool = False  # its response is stored (an MCP tool's, before the JSON-RPC answer)


@dataclass
class ApiCall:
    started: float = field(default_factory=time.perf_counter)
    # authenticate
    user_id: int | None = None
    key_id: int | None = None        # the API key (res.users.apikeys id), or
    client_id: int | None = None     # the OAuth2 client (api.client id) whose token was sent
    key_name: str | None = None
    scopes: frozenset = frozenset()  # what the key or token grants (lib/scopes.py)
    # authorize: the scope the operation needs (its route's ``rest_webhooks_scope``)
    required_scope: str | None = None
    # the user's API settings, read with the key: (rate limit, rate window, log bodies)
    user_settings: tuple = ()
    # the parent paths of the user's companies, read with the key: {company id: parent_path}
    company_paths: dict = field(default_factory=dict)
    # rate-limit
    rate_checked: bool = False
    rate_limited: bool = False
    rate_headers: dict = field(default_factory=dict)
    log_bodies: bool = False
    items_counted: bool = False  # a batch's items counted (services/api_pipeline.rate_limit_items)
    # check_input: the declared query parameters, parsed and checked
    query: dict = field(default_factory=dict)
    # claim the Idempotency-Key
    idempotency: IdempotencyClaim | None = None
    # the log row: the MCP method and tool (e.g. "tools/call list_orders") and a tool's failure
    mcp_call: str | None = None
    error_title: str | None = None

    def elapsed_ms(self):
        return round((time.perf_counter() - self.started) * 1000.0, 3)


def current_call():
    """The call of the current request, created on first use."""
    call = getattr(request, "_rw_call", None)
    if call is None:
        call = request._rw_call = ApiCall()
    return call


def existing_call():
    """The call of the current request, or None when the pipeline never started (e.g. a 404)."""
    return getattr(request, "_rw_call", None) if request else None
