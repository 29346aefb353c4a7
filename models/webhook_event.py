"""webhook.event: one verified inbound event, stored once per (source, event id), processed once.

Flow: the controller stores the event with ``INSERT ... ON CONFLICT DO NOTHING`` (the unique
constraint on (source, event id) in PostgreSQL is the dedupe, whatever the number of workers; with a
source's replay window on, a second unique index on (source, body hash) refuses the same signed body
under another event id) and
wakes the processing cron, which runs after the request's commit. Why a cron rather than inline
processing: the sender gets its 200 within milliseconds whatever the handler costs (providers time
out after a few seconds and then retry), a handler error never turns into a non-2xx (which would
make the sender retry an event we already hold), and a crash between acknowledging and processing
loses nothing (the row stays ``received`` and the next cron run, at the latest a minute later,
picks it up). Events are claimed with ``FOR UPDATE SKIP LOCKED`` so several cron workers never
process the same event.

A handler that meets a concurrent transaction (a deadlock, a lock wait past ``lock_timeout``, a
serialization failure: what Odoo retries for a request) did not fail: its savepoint is rolled back
and the event stays ``received``, due again after a growing delay (``retry_at``), up to
``TRANSIENT_ATTEMPTS`` attempts; only then is it marked failed.
"""
import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from .webhook_handlers import get_handler

_logger = logging.getLogger(__name__)

PROCESS_CRON = "rest_webhooks.ir_cron_inbound_webhooks"
# Events are processed about this many seconds after they are acknowledged, those of a burst in one
# cron run: per-run overhead is paid once per second rather than once per event.
PROCESS_DELAY = 1
BATCH_SIZE = 50
MAX_ERROR_LENGTH = 4000
# A handler that met a concurrent transaction is run again after 10 s, 20 s, 40 s, 80 s; the fifth
# such attempt in a row marks the event failed.
TRANSIENT_ATTEMPTS = 5
TRANSIENT_DELAY = 10


class WebhookEvent(models.Model):
    _name = "webhook.event"
    _description = "Inbound webhook event"
    _order = "received_at desc, id desc"
    _rec_name = "event_id"

    source_id = fields.Many2one("webhook.source", required=True, ondelete="cascade", index=True,
                                readonly=True)
    company_id = fields.Many2one(related="source_id.company_id")
    event_id = fields.Char("Event ID", required=True, readonly=True)
    event_type = fields.Char(readonly=True, index=True)
    payload = fields.Text(readonly=True)
    headers = fields.Text(readonly=True, help="Selected request headers (JSON); signatures are not kept.")
    received_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    state = fields.Selection([
        ("received", "Received"),
        ("processed", "Processed"),
        ("failed", "Failed"),
        ("ignored", "Ignored"),
    ], required=True, default="received", readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    transient_attempts = fields.Integer(readonly=True, help="Attempts in a row that met a concurrent transaction.")
    retry_at = fields.Datetime("Retry at", readonly=True, copy=False,
                               help="The handler met a concurrent transaction (a lock, a deadlock): the "
                                    "event is processed again from this time on.")
    processed_at = fields.Datetime(readonly=True)
    result = fields.Char(readonly=True)
    error = fields.Text(readonly=True)
    body_hash = fields.Char("Body SHA-256", readonly=True, copy=False,
                            help="Kept while the source's replay window is on: the same signed body is "
                                 "not accepted again under another event id.")

    _source_event_uniq = models.Constraint(
        "UNIQUE(source_id, event_id)", "This event was already received from this source.")
    # Only events stored with a replay window carry a hash; a hash older than the window is cleared
    # when the same body comes again (see _store), so the index only ever refuses replays.
    _source_body_hash_uniq = models.UniqueIndex(
        "(source_id, body_hash) WHERE body_hash IS NOT NULL",
        "This body was already received from this source.")

    # ------------------------------------------------------------------ storing (controller)
    @api.model
    def _store(self, source_id, event_id, event_type, payload_text, headers, body_hash=None,
               replay_cutoff=None):
        """Insert the event unless (source, event id) exists, or, when ``body_hash`` is given (the
        source's replay window is on), unless the same body was received from the source since
        ``replay_cutoff``; return (id or None, created: bool).

        One INSERT on the hot path. Runs in the request's transaction (REPEATABLE READ): when a
        concurrent request inserted the same event (or body) and committed after our snapshot,
        PostgreSQL raises a serialization failure and Odoo re-runs the whole request, which then
        sees the row and answers "duplicate"; when the other request has not committed yet, the
        INSERT waits for it. No duplicate either way: both keys are unique indexes, and
        ``ON CONFLICT DO NOTHING`` (no target) covers both.
        """
        now = fields.Datetime.now()
        for attempt in range(2):
            self.env.cr.execute(SQL("""
                INSERT INTO webhook_event (source_id, event_id, event_type, payload, headers, received_at,
                                           state, attempts, body_hash, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, 'received', 0, %s, %s, %s)
                ON CONFLICT DO NOTHING
                RETURNING id
            """, source_id, event_id, event_type, payload_text, json.dumps(headers), now, body_hash,
                now, now), log_exceptions=False)  # an expected serialization failure is retried, not an error
            row = self.env.cr.fetchone()
            if row:
                self._wake_processor()
                return row[0], True
            if not body_hash:
                self.env.cr.execute(SQL("SELECT id FROM webhook_event WHERE source_id = %s AND event_id = %s",
                                        source_id, event_id))
                row = self.env.cr.fetchone()
                return (row and row[0]), False
            # the same event id (first), else the same body
            self.env.cr.execute(SQL("""
                SELECT id, event_id = %s, received_at FROM webhook_event
                 WHERE source_id = %s AND (event_id = %s OR body_hash = %s)
                 ORDER BY event_id = %s DESC LIMIT 1
            """, event_id, source_id, event_id, body_hash, event_id))
            row = self.env.cr.fetchone()
            if not row or row[1] or not replay_cutoff or row[2] >= replay_cutoff or attempt:
                return (row and row[0]), False
            # same body, received before the window: it no longer counts; free its hash and insert
            self.env.cr.execute(SQL("UPDATE webhook_event SET body_hash = NULL WHERE id = %s", row[0]),
                                log_exceptions=False)
        return None, False  # not reached: the second attempt inserts or returns above

    @api.model
    def _wake_processor(self):
        """Trigger the processing cron (it starts once this transaction has committed); a fresh
        trigger already due is enough, so a burst of events does not pile up triggers."""
        self.env["ir.cron"]._rw_wake_xmlids([PROCESS_CRON], delay=PROCESS_DELAY)

    # ------------------------------------------------------------------ processing (cron)
    @api.model
    def _cron_process(self):
        return self.sudo()._process_pending(commit=True)

    @api.model
    def _process_pending(self, commit=True, batch_size=BATCH_SIZE):
        """Process 'received' events batch by batch (``ir.cron._rw_drain``); ``commit=False`` stays
        in the current transaction (tests). Returns the number of events processed."""
        def process(events):
            for event in events:
                event._process()
        return self.env["ir.cron"]._rw_drain(lambda: self._claim(batch_size), process, self._count_pending,
                                             commit=commit)

    @api.model
    def _count_pending(self):
        return self.search_count([("state", "=", "received"), "|", ("retry_at", "=", False),
                                  ("retry_at", "<=", fields.Datetime.now())])

    @api.model
    def _claim(self, limit, states=("received",), ids=None):
        """Lock up to ``limit`` events in ``states``; rows locked by another worker are skipped."""
        self.env.flush_all()
        # an event waiting for its retry after a transient error is not due before its time
        if ids is None:
            where = SQL("state IN %s AND (retry_at IS NULL OR retry_at <= %s)", tuple(states), fields.Datetime.now())
        else:  # chosen by a user (Reprocess): now, even an event waiting for its retry
            where = SQL("state IN %s AND id IN %s", tuple(states), tuple(ids) or (0,))
        self.env.cr.execute(SQL("""
            SELECT id FROM webhook_event WHERE %s
             ORDER BY received_at, id LIMIT %s FOR UPDATE SKIP LOCKED
        """, where, limit))
        events = self.browse([r[0] for r in self.env.cr.fetchall()])
        # what processing reads of every event; the payload only when a handler needs it
        events.fetch(["source_id", "event_id", "attempts"])
        return events

    def _run_as_env(self):
        """The environment of the source's run-as user, in the source's company (no superuser); the
        user belongs to that company (checked by the source and again before running)."""
        source = self.source_id
        user = source.run_as_user_id
        return self.env(user=user.id, su=False, context=dict(
            self.env.context, allowed_company_ids=[source.company_id.id], tz=user.sudo().tz or "UTC"))

    def _process(self):
        """Run the source's handler on this event as the run-as user; record the outcome.

        The handler runs in a savepoint: on error its writes are rolled back and the event is
        marked failed with the error, kept for a reprocess from the UI; on a transient error (the
        module docstring) it is due again later."""
        self.ensure_one()
        event = self.sudo()  # technical write of the event's own state
        source = event.source_id
        state, message, error, retry_at, transient = "processed", False, False, False, 0
        try:
            if source.handler_type == "none":  # store only: nothing to run, nothing to roll back
                state, message = "processed", "stored only"
            else:
                # Defensive: a source written by SQL, or before an upgrade, may name a run-as user
                # (an administrator...) or a server action that the source's rules refuse today.
                # Such an event does not run; it fails with the reason (reprocess once fixed).
                problem = source._handler_problem()
                if problem:
                    raise UserError(self.env._("Not run: %s", problem))
                with self.env.cr.savepoint():
                    payload = json.loads(event.payload or "null")
                    state, message = event._run_handler(payload)
        except Exception as exc:  # noqa: BLE001 - any handler error is recorded on the event
            self.env.invalidate_all()
            error = (str(exc) or exc.__class__.__name__)[:MAX_ERROR_LENGTH]
            state = "failed"
            if isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                transient = event.transient_attempts + 1
                if transient < TRANSIENT_ATTEMPTS:
                    state, retry_at = "received", fields.Datetime.now() + timedelta(
                        seconds=TRANSIENT_DELAY * 2 ** (transient - 1))
                    cron = self.env.ref(PROCESS_CRON, raise_if_not_found=False)
                    if cron:
                        cron.sudo()._rw_trigger_at(retry_at)  # technical: a cron trigger
            _logger.info("inbound webhook event %s of %s %s: %s", event.event_id, source.name,
                         "failed" if state == "failed" else "will be retried at %s" % retry_at, exc)
        if not retry_at:
            transient = 0  # counted in a row, while the event waits for its retry
        event.write({
            "state": state,
            "result": (message or "")[:255] or False,
            "error": error,
            "retry_at": retry_at,
            "transient_attempts": transient,
            "attempts": event.attempts + 1,
            "processed_at": fields.Datetime.now(),
        })
        return state

    def _run_handler(self, payload):
        source = self.source_id
        env = self._run_as_env()
        if source.handler_type == "server_action":
            action = source.server_action_id.with_env(env).with_context(
                active_model=self._name, active_id=self.id, active_ids=[self.id],
                webhook_payload=payload, webhook_event_type=self.event_type)
            action.run()
            return "processed", "server action %s ran" % action.sudo().name
        handler = get_handler(source.handler_code)
        if not handler:
            raise UserError(self.env._("Unknown Python handler %s", source.handler_code))
        info = {"id": self.id, "event_id": self.event_id, "event_type": self.event_type,
                "source": source.name, "headers": json.loads(self.headers or "{}")}
        state, message = handler(env, payload, info)
        if state not in ("processed", "ignored"):
            raise UserError(self.env._("Handler returned an invalid state %s", state))
        return state, message

    # ------------------------------------------------------------------ UI
    def action_reprocess(self):
        """Process failed or ignored events again, now (as the source's run-as user), and events
        waiting for their retry after a transient error without waiting."""
        events = self._claim(len(self.ids) or 1, states=("failed", "ignored", "received"), ids=self.ids)
        events = events.filtered(lambda e: e.state != "received" or e.retry_at)
        if not events:
            raise UserError(self.env._("Only failed or ignored events, or events waiting for a retry, that no "
                                       "one else is processing can be reprocessed."))
        for event in events:
            event._process()
        return True

    # ------------------------------------------------------------------ retention
    @api.autovacuum
    def _gc_old_events(self):
        """Delete handled events (processed, ignored, failed) older than the retention period
        (ir.config_parameter rest_webhooks.inbound_retention_days, default 30). An event retried by
        its sender after that would be stored and processed again: keep the retention above the
        senders' retry window (Stripe: 3 days, Shopify: 48 hours, Standard Webhooks: ~1.5 days)."""
        days = self.env["res.config.settings"]._rw_setting("inbound_retention_days")
        cutoff = fields.Datetime.now() - timedelta(days=max(1, days))
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "DELETE FROM webhook_event WHERE received_at < %s AND state != 'received'", cutoff))
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        if count:
            _logger.info("inbound webhooks: deleted %s events received before %s", count, cutoff)
        return count
