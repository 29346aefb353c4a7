"""One row per REST API call: who, what, how it ended, how long it took."""
import datetime
import functools
import time

from odoo import api, fields, models
from odoo.http import request
from odoo.tools import config

from ..services import log_buffer
from ..services.cursors import is_test_cursor
from ..services.http import request_id


class ApiRequestLog(models.Model):
    _name = "api.request.log"
    _description = "REST API request log"
    _order = "id desc"

    method = fields.Char(required=True, readonly=True)
    path = fields.Char(required=True, readonly=True, index=True)
    query_string = fields.Char(readonly=True)
    # POST /api/v1/mcp: the MCP method and, for tools/call, the tool ("tools/call list_orders")
    mcp_call = fields.Char("MCP call", readonly=True, index="btree_not_null")
    status = fields.Integer(readonly=True, index=True)
    duration_ms = fields.Float("Duration (ms)", readonly=True, aggregator="avg")
    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="set null")
    key_name = fields.Char("API key", readonly=True)
    # which key or OAuth2 client made the call (usage in Integrations › API keys / API clients)
    api_key_id = fields.Integer("API key id", readonly=True, index="btree_not_null")
    api_client_id = fields.Many2one("api.client", "API client", readonly=True, index="btree_not_null",
                                    ondelete="set null")
    request_id = fields.Char("Request id", readonly=True, index=True)
    idempotency_key = fields.Char(readonly=True)
    error_title = fields.Char(readonly=True)
    request_body = fields.Text(readonly=True)
    response_body = fields.Text(readonly=True)
    # Refused calls that a flood could repeat without limit (bad keys, rate-limited users) share
    # one row per minute: (401, minute) or (429, user, minute); ``hit_count`` counts them.
    hit_count = fields.Integer("Calls", default=1, readonly=True, aggregator="sum",
                               help="Refused calls of the same kind in the same minute share one row.")
    aggregate_key = fields.Char(readonly=True, copy=False)

    _aggregate_key_uniq = models.UniqueIndex("(aggregate_key) WHERE aggregate_key IS NOT NULL")

    @api.model
    def _retention_days(self):
        return self.env["res.config.settings"]._rw_setting("api_log_retention_days")

    @api.autovacuum
    def _gc_old_logs(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=self._retention_days())
        self.env.cr.execute("DELETE FROM api_request_log WHERE create_date < %s", (limit,))

    @api.model
    def _record(self, call, status, error_title=None, response_body=None, cr=None):
        """Log the current request; ``call`` is its ApiCall (None when it failed before
        authentication). Deferred (services/log_buffer.py): the row is written after the response,
        in a batch. With ``rest_webhooks_request_log = immediate`` in the server's configuration it is
        written with ``cr`` (the request's cursor; a fresh one on the primary when None) instead."""
        row = self._row(call, status, error_title, response_body)
        if IMMEDIATE():
            if cr is None:
                with self.env.registry.cursor() as own:
                    log_buffer.insert_rows(own, [row])
            else:
                log_buffer.insert_rows(cr, [row])
        elif cr is not None and not is_test_cursor(cr):
            # once the request's transaction commits: Odoo retries a request whose commit fails on a
            # concurrent update, and each try buffered its own row (a 2xx per failed try). (HttpCase's
            # test cursors never run post-commit hooks: their rows are buffered at once, as before.)
            cr.postcommit.add(functools.partial(log_buffer.add, cr.dbname, row, None))
        else:
            log_buffer.add(self.env.cr.dbname, row, log_buffer.test_tag(self.env.cr))

    @api.model
    def _row(self, call, status, error_title, response_body):
        """The row of the current request, in log_buffer.COLUMNS order; bodies only when the user's
        ``api_log_bodies`` is on."""
        hreq = request.httprequest
        user_id = call.user_id if call else None
        bodies = bool(call and call.log_bodies)
        req_body = None
        if bodies:
            try:
                req_body = _printable(hreq.get_data(cache=True, as_text=True)[:100000]) or None
            except Exception:  # noqa: BLE001 - e.g. body too large: log without it
                req_body = None
        idem_key = call.idempotency.key if call and call.idempotency else \
            _printable(hreq.headers.get("Idempotency-Key", ""))[:255] or None
        now = log_buffer.utcnow()
        return (hreq.method, _printable(hreq.path[:2000]),
                _printable(hreq.query_string.decode("latin-1")[:2000]) or None, status,
                call.elapsed_ms() if call else None, user_id, call.key_name if call else None, request_id(),
                idem_key, error_title, req_body, (response_body[:100000] if bodies and response_body else None),
                user_id, user_id, aggregate_key(status, user_id, time.time()), call.key_id if call else None,
                call.client_id if call else None, 1, now, now,
                _printable(call.mcp_call) if call and call.mcp_call else None)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # under HttpCase, this process's buffered rows of the running test first (log_buffer)
        log_buffer.BUFFER.flush_test_rows(self.env.cr)
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)


def IMMEDIATE():  # noqa: N802 - reads like a constant; the configuration may change between tests
    return config.get("rest_webhooks_request_log", "deferred") == "immediate"


def usage(cr, column, ids):
    """``{id: (last used at, calls in 24 h, calls in 7 days, last error status)}`` of the keys
    (``column`` api_key_id) or clients (api_client_id) ``ids``, from the log: one grouped query."""
    assert column in ("api_key_id", "api_client_id")
    if not ids:
        return {}
    log_buffer.BUFFER.flush_test_rows(cr)
    cr.execute("""
        SELECT %s, max(create_date),
               COALESCE(sum(hit_count) FILTER (WHERE create_date > (now() AT TIME ZONE 'utc') - interval '1 day'), 0),
               COALESCE(sum(hit_count) FILTER (WHERE create_date > (now() AT TIME ZONE 'utc') - interval '7 days'), 0),
               (array_agg(status ORDER BY id DESC) FILTER (WHERE status >= 400))[1]
          FROM api_request_log WHERE %s = ANY(%%s) GROUP BY 1""" % (column, column), (list(ids),))
    return {row[0]: row[1:] for row in cr.fetchall()}


def _printable(text):
    """The text PostgreSQL can store: a refused request may carry NUL in its path or query."""
    return text.replace("\x00", "\\x00")


def aggregate_key(status, user_id, now):
    """The row a refused call shares with its kind in the same minute, or None for its own row:
    unauthenticated calls (401) all share one row a minute, rate-limited ones (429) one per user."""
    minute = int(now // 60)
    if status == 401 and not user_id:
        return "401:%d" % minute
    if status == 429:
        return "429:%s:%d" % (user_id or 0, minute)
    return None
