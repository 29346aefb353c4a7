"""webhook.delivery: one event for one endpoint (the transactional outbox) and its dispatcher.

Sending itself (HTTP session, threads) is lib/webhook_sender.py; endpoint health is on the endpoint.

A delivery references the event it sends (rest.change, the event store, stored once whatever the
number of endpoints) and the body built for its endpoint's payload user (rest.change.body, shared by
the endpoints with the same payload user and fields). The row is inserted in the business
transaction (webhook.endpoint._enqueue). After commit the
dispatcher cron claims due rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (so several cron workers
or servers never send one delivery concurrently), sends them, records each attempt, and schedules
the next attempt (lib/retry.py) or marks the delivery delivered / dead. Progress is committed per
batch with ``ir.cron._commit_progress``.
"""
import datetime
import json
import logging
import math
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import retry, standard_webhooks, webhook_sender
from ..lib.representation import json_dumps
from .rest_change_body import build_body

_logger = logging.getLogger(__name__)

DISPATCHER_CRONS = ("rest_webhooks.ir_cron_webhook_dispatch", "rest_webhooks.ir_cron_webhook_dispatch_2")
MAX_BATCHES_PER_RUN = 200
# A batch's deliveries not started within this many seconds wait for the next batch or run: a batch
# of slow receivers (7 waves of 8 at a 60 s timeout) outlasted Odoo's cron time limit, the worker was
# killed before anything was committed, and the same batch was claimed and sent again.
SEND_BATCH_SECONDS = 45
GC_CHUNK = 10000   # delivered deliveries removed per query by the daily clean-up
GC_SECONDS = 300   # ... for at most this long per run (then the next run goes on)
# The outbox hand-off of created/updated events (``_queue_at_precommit``), in the transaction's
# precommit data: (endpoint id, model, record id) -> event type, and whether the insert is registered.
_QUEUED = "rest_webhooks.queued"
_INSERT_REGISTERED = "rest_webhooks.insert_registered"
_WAKE_REGISTERED = "rest_webhooks.wake"


class WebhookDelivery(models.Model):
    _name = "webhook.delivery"
    _description = "Webhook delivery"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Char("Webhook id", required=True, readonly=True, copy=False,
                           default=lambda self: self.env["webhook.endpoint"]._new_event_id(),
                           help="The webhook-id header: the same for every attempt and replay of this event.")
    endpoint_id = fields.Many2one("webhook.endpoint", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True)
    event_type = fields.Char(required=True, index=True, readonly=True)
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record id", model_field="res_model", readonly=True)
    change_id = fields.Many2one("rest.change", "Event", readonly=True, index="btree_not_null", ondelete="restrict",
                                help="The stored event this delivery sends (the change feed reads it too).")
    body_id = fields.Many2one("rest.change.body", "Stored body", readonly=True, index="btree_not_null",
                              ondelete="restrict")
    version = fields.Integer(related="change_id.seq", string="Record version")
    payload = fields.Text("Body", compute="_compute_payload", inverse="_inverse_payload", readonly=True,
                          compute_sudo=True,  # the stored bodies are technical rows
                          help="The exact request body, built when the event happened.")
    payload_pretty = fields.Text("Payload", compute="_compute_payload_pretty")
    payload_restricted = fields.Boolean(
        "Only the id sent", related="body_id.restricted",
        help="The endpoint's payload user may not read this record: the event carries its id only.")
    state = fields.Selection([("pending", "Pending"), ("retrying", "Retrying"), ("delivered", "Delivered"),
                              ("dead", "Dead")], default="pending", required=True, index=True, readonly=True)
    attempt_count = fields.Integer("Attempts (this cycle)", readonly=True,
                                   help="Attempts since the delivery was queued or last replayed.")
    next_attempt_at = fields.Datetime(readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer("Last HTTP status", readonly=True)
    last_error = fields.Text(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    attempt_ids = fields.One2many("webhook.attempt", "delivery_id", string="Attempts", readonly=True)
    request_headers = fields.Text("Last request headers", compute="_compute_request_headers")

    _event_id_uniq = models.Constraint("UNIQUE(event_id)", "The webhook id must be unique.")
    _due_idx = models.Index("(next_attempt_at, id) WHERE state IN ('pending', 'retrying')")

    @api.depends("body_id.body")
    def _compute_payload(self):
        for d in self:
            d.payload = d.body_id.body

    def _inverse_payload(self):
        # a delivery written by hand (no event): its own body, shared with nobody
        for d in self:
            d.body_id = self.env["rest.change.body"].sudo().create({"body": d.payload}) if d.payload else False

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for d in self:
            try:
                d.payload_pretty = json.dumps(json.loads(d.payload), indent=2, ensure_ascii=False)
            except (TypeError, ValueError):
                d.payload_pretty = d.payload

    def _compute_request_headers(self):
        for d in self:
            last = d.attempt_ids[:1]
            d.request_headers = last.request_headers if last else False

    @api.model
    def _build_body(self, event_type, when, data, version):
        return build_body(event_type, when, data, version)

    @api.model
    def _create_for(self, endpoint, event_type, model, when, items):
        """Insert the deliveries of ``endpoint`` for ``items``: (record id, change id, version, data,
        restricted); each references its event and the body stored for the endpoint's payload user
        (rest.change.body, shared with the endpoints that have the same payload user and fields).
        ``version`` None: the event is not numbered yet (it is at commit: rest.change). Technical
        rows (the outbox)."""
        if not items:
            return self.sudo()
        user_id, fields_key = endpoint._payload_key()
        bodies = self.env["rest.change.body"]._store([
            (change_id, user_id, fields_key, event_type, when, data, restricted, version)
            for _rec_id, change_id, version, data, restricted in items])
        return self.sudo().create([{
            "endpoint_id": endpoint.id, "event_type": event_type, "res_model": model, "res_id": item[0],
            "change_id": item[1], "body_id": body_id, "next_attempt_at": when,
        } for item, body_id in zip(items, bodies, strict=True)])

    @api.model
    def _queue_at_precommit(self, endpoint, records, event_type):
        """The outbox hand-off of created/updated events: remember (endpoint, record, event type) in
        this transaction and insert the deliveries in one batch right before it commits
        (``_insert_queued_events``), so each record is read once, in the state the transaction
        produced. Several created/updated events of one record and endpoint in one transaction are one
        event for everybody else ("created" wins: computed fields are often written during the
        creation itself). Ids, not records: a record would keep its environment (base.automation gives
        each record one) alive until the commit, and Odoo looks environments up by scanning them all."""
        data = self.env.cr.precommit.data
        queued = data.setdefault(_QUEUED, {})
        created = event_type.endswith(".created")
        # the event itself (stored once, whatever the number of endpoints); orders and partners
        # record theirs anyway (rest.change.mixin), other models when a webhook asks
        self.env["rest.change"]._record(records, "created" if created else "updated", any_model=True)
        for rec_id in records.ids:
            key = (endpoint.id, records._name, rec_id)
            if created or key not in queued:
                queued[key] = event_type
        if not data.get(_INSERT_REGISTERED):
            data[_INSERT_REGISTERED] = True
            self.env.cr.precommit.add(self._insert_queued_events)
        self._wake_dispatcher_on_commit()

    @api.model
    def _insert_queued_events(self):
        """Precommit: insert the created/updated deliveries queued in this transaction. The events
        are written first (rest.change); each record is read once per payload user and payload
        fields (batched), not once per endpoint, and the body is stored once for them. A record
        created then deleted in the same transaction was never seen by anyone else: nothing is sent
        for its creation."""
        data = self.env.cr.precommit.data
        data.pop(_INSERT_REGISTERED, None)
        queued = data.pop(_QUEUED, {})
        Change = self.env["rest.change"]
        Change._write_pending()  # no-op when its own hook ran already
        written = Change._written()
        groups = {}
        for (endpoint_id, model, rec_id), event_type in queued.items():
            if (model, rec_id) in written:  # else gone by now
                groups.setdefault((endpoint_id, model), []).append((rec_id, event_type))
        now = fields.Datetime.now()
        reads = {}  # (payload user, fields, model) -> {record id: (data, restricted)}
        for (endpoint_id, model), items in groups.items():
            endpoint = self.env["webhook.endpoint"].sudo().browse(endpoint_id)
            if not endpoint.exists():
                continue
            known = reads.setdefault((*endpoint._payload_key(), model), {})
            missing = [rec_id for rec_id, _t in items if rec_id not in known]
            if missing:
                records = self.env[model].sudo().browse(missing)
                known.update(zip(records.ids, endpoint._payload_data(records), strict=True))
            by_type = {}
            for rec_id, event_type in items:
                by_type.setdefault(event_type, []).append((rec_id, written[(model, rec_id)], None, *known[rec_id]))
            for event_type, type_items in by_type.items():
                self._create_for(endpoint, event_type, model, now, type_items)

    # ------------------------------------------------------------------ waking the dispatcher
    @api.model
    def _wake_dispatcher_on_commit(self):
        """Ask the dispatcher crons to run right after this transaction commits (once per transaction)."""
        data = self.env.cr.precommit.data
        if data.get(_WAKE_REGISTERED):
            return
        data[_WAKE_REGISTERED] = True
        self.env.cr.precommit.add(self._wake_dispatchers)

    @api.model
    def _wake_dispatchers(self):
        self.env["ir.cron"]._rw_wake_xmlids(DISPATCHER_CRONS)

    # ------------------------------------------------------------------ dispatcher
    @api.model
    def _cron_dispatch(self):
        """Entry point of the dispatcher crons: send due deliveries batch by batch until none is left,
        then arm this process's wake-up for the next retry (``ir.cron._rw_arm_wake_ups``)."""
        done = self.sudo()._dispatch_due(commit=True)
        self.env["ir.cron"]._rw_arm_wake_ups(DISPATCHER_CRONS)
        return done

    @api.model
    def _dispatch_due(self, commit=True, max_batches=MAX_BATCHES_PER_RUN):
        """Claim, send and record due deliveries. ``commit=False`` keeps everything in the current
        transaction (tests, synchronous use). Returns the number of deliveries processed."""
        Settings = self.env["res.config.settings"]
        batch_size = Settings._rw_setting("webhook_dispatch_batch")
        concurrency = Settings._rw_setting("webhook_dispatch_concurrency")
        return self.env["ir.cron"]._rw_drain(
            lambda: self._claim_due(batch_size), lambda deliveries: deliveries._send_batch(concurrency),
            self._count_due, commit=commit, max_batches=max_batches)

    @api.model
    def _claim_due(self, limit):
        """Lock up to ``limit`` due deliveries of active endpoints that are not paused; rows locked
        by another transaction (another dispatcher) are skipped, so no delivery is sent twice
        concurrently."""
        self.env.cr.flush()  # precommit hooks too: payloads queued by this very transaction
        self.env.cr.execute(SQL("""
            SELECT d.id %s
             ORDER BY d.next_attempt_at, d.id
             LIMIT %s
               FOR UPDATE OF d SKIP LOCKED
        """, self._due_sql(), limit))
        ids = [row[0] for row in self.env.cr.fetchall()]
        deliveries = self.browse(ids)
        # another transaction may have changed them since our snapshot: read the locked rows anew
        deliveries.invalidate_recordset()
        return deliveries

    @api.model
    def _count_due(self):
        self.env.cr.execute(SQL("SELECT count(*) FROM (SELECT 1 %s LIMIT 10000) due", self._due_sql()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _due_sql(self):
        """FROM and WHERE of the deliveries due now, of active endpoints that are not paused: what the
        dispatcher claims and counts."""
        now = fields.Datetime.now()
        return SQL("""
              FROM webhook_delivery d
              JOIN webhook_endpoint e ON e.id = d.endpoint_id AND e.active
                                     AND (e.paused_until IS NULL OR e.paused_until <= %s)
             WHERE d.state IN ('pending', 'retrying') AND d.next_attempt_at <= %s""", now, now)

    def _prepare_request(self, now_ts):
        """Everything a sending thread needs for this delivery (no ORM access after this)."""
        self.ensure_one()
        ep = self.endpoint_id
        body = (self.payload or "").encode("utf-8")
        secrets = ep._signing_secrets()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": webhook_sender.USER_AGENT,
        }
        headers.update(ep._parsed_custom_headers())
        headers.update({
            "webhook-id": self.event_id,
            "webhook-timestamp": str(now_ts),
            "webhook-signature": standard_webhooks.sign_all(secrets, self.event_id, now_ts, body),
            "X-Odoo-Event": self.event_type,
            "X-Odoo-Signature": standard_webhooks.legacy_signature(secrets[0], body),
        })
        return {"url": ep.url, "body": body, "headers": headers, "timeout": ep.timeout or 10.0}

    def _send_batch(self, concurrency=8):
        """Send these (claimed) deliveries, in parallel threads for the network part only."""
        Settings = self.env["res.config.settings"]
        allow_local = Settings._rw_setting("webhook_allow_local_network")
        allow_http = allow_local or Settings._rw_setting("webhook_allow_http")
        now_ts = int(time.time())
        jobs = []
        for delivery in self:
            try:
                job = delivery._prepare_request(now_ts)
            except Exception as exc:  # noqa: BLE001 - one bad delivery must not stop the others
                # (e.g. a signing secret written by an import that is not base64): this one fails and
                # is retried with backoff like any failed attempt; the batch goes on
                _logger.warning("webhook delivery %s: request not prepared: %s", delivery.id, exc)
                jobs.append({"headers": {}, "not_sent": "not sent: the request could not be prepared "
                             "(%s: %s)" % (type(exc).__name__, exc)})
                continue
            if job["url"].lower().startswith("http:") and not allow_http:
                job["refused"] = "plain http is not allowed (Settings › Integrations)"
            jobs.append(job)
        deadline = time.monotonic() + SEND_BATCH_SECONDS
        results = webhook_sender.send_all(jobs, allow_local, concurrency, deadline=deadline)
        sent = [i for i, result in enumerate(results) if not result.get("skipped")]
        # those not started in time stay due, untouched (no attempt): the next batch or run sends them
        self.browse([self._ids[i] for i in sent])._record_results([jobs[i] for i in sent], [results[i] for i in sent])
        return len(sent)

    def _record_results(self, jobs, results):
        now = fields.Datetime.now()
        attempt_vals = []
        # "Send test event": the answer's body is not kept (the URL may be an internal service)
        test_send = self.env.context.get("rw_test_send")
        gone, failed, succeeded, pauses = set(), set(), set(), {}
        for delivery, job, result in zip(self, jobs, results, strict=True):
            status = result["status_code"]
            outcome = retry.classify(status)
            if status is not None and 300 <= status < 400:
                outcome = retry.RETRY
            error = result["error"] or (False if outcome == retry.SUCCESS else "HTTP %s" % status)
            attempt_vals.append({
                "delivery_id": delivery.id,
                "endpoint_id": delivery.endpoint_id.id,
                "attempted_at": now,
                "duration_ms": result["duration_ms"],
                "status_code": status or 0,
                "success": outcome == retry.SUCCESS,
                "error": error,
                # not the answer of an internal service ("allow local network"): a manager could
                # otherwise point an endpoint at one and read what it answers
                "response_excerpt": result["response_excerpt"] if not test_send and not result.get("internal_peer")
                else False,
                "request_headers": json_dumps(job["headers"]),
            })
            vals = {"last_attempt_at": now, "last_status_code": status or 0, "last_error": error,
                    "attempt_count": delivery.attempt_count + 1}
            if outcome == retry.SUCCESS:
                vals.update(state="delivered", delivered_at=now, next_attempt_at=False)
                succeeded.add(delivery.endpoint_id)
            elif outcome == retry.GONE:
                vals.update(state="dead", next_attempt_at=False,
                            last_error=self.env._("410 Gone: the receiver asked to stop; endpoint disabled"))
                gone.add(delivery.endpoint_id)
            else:
                retry_after = retry.parse_retry_after(result["retry_after"])
                delay = retry.next_delay(vals["attempt_count"], retry_after)
                pause = None if test_send else retry.pause_seconds(status, retry_after)
                if pause is not None:
                    # the receiver is overloaded or down for maintenance: it means the endpoint,
                    # not only this delivery (its other deliveries wait too)
                    until = now + datetime.timedelta(seconds=pause)
                    pauses[delivery.endpoint_id] = max(until, pauses.get(delivery.endpoint_id, until))
                if delay is None:
                    vals.update(state="dead", next_attempt_at=False)
                else:
                    # whole seconds: Odoo datetimes (and "now" in the claim query) have no microseconds
                    vals.update(state="retrying",
                                next_attempt_at=now + datetime.timedelta(seconds=math.ceil(delay)))
                failed.add(delivery.endpoint_id)
            delivery.write(vals)
        self.env["webhook.attempt"].create(attempt_vals)
        self.env["webhook.endpoint"]._record_health(succeeded, failed, gone, now, pauses)
        retry_times = {d.next_attempt_at for d in self if d.state == "retrying" and d.next_attempt_at}
        if retry_times:
            cron = self.env.ref(DISPATCHER_CRONS[0], raise_if_not_found=False)
            if cron:
                # wake up for the earliest retry (the periodic run covers the others); and run the
                # other dispatcher cron now, which another cron worker (normally another node's: this
                # one is busy) takes and so arms its own wake-up too, in case this process dies first
                cron._rw_trigger_at(min(retry_times))
                running = self.env.context.get("cron_id")
                others = [x for x in DISPATCHER_CRONS[1:] + DISPATCHER_CRONS[:1]
                          if self.env["ir.model.data"]._xmlid_to_res_id(x, raise_if_not_found=False) != running]
                self.env["ir.cron"]._rw_wake_xmlids(others[:1])

    @api.autovacuum
    def _gc_delivered(self):
        """Delivered events older than the retention period (default 30 days) are removed with their
        attempts; dead ones stay until someone replays or deletes them."""
        days = self.env["res.config.settings"]._rw_setting("webhook_retention_days")
        limit = fields.Datetime.now() - datetime.timedelta(days=days)
        # in chunks until none is left or the time budget is spent (the daily run used to remove at
        # most one chunk: a site delivering more than that a day grew without bound)
        deadline = time.monotonic() + GC_SECONDS
        while True:
            old = self.sudo().search([("state", "=", "delivered"), ("delivered_at", "<", limit)], limit=GC_CHUNK)
            old.unlink()
            if len(old) < GC_CHUNK or time.monotonic() > deadline:
                break
        # bodies of deliveries without a stored event (test events) go with them; the others go with
        # their event (rest.change's retention, once no delivery references it)
        self.env.cr.execute("""DELETE FROM rest_change_body b WHERE b.change_id IS NULL
                                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.body_id = b.id)""")

    # ------------------------------------------------------------------ user actions
    def _send_now(self):
        """Send these deliveries right away, in the current transaction (used by "Send test event")."""
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT id FROM webhook_delivery WHERE id IN %s FOR UPDATE NOWAIT",
                                tuple(self.ids)))
        self.invalidate_recordset()
        self.sudo()._send_batch()

    def action_retry_now(self):
        todo = self.filtered(lambda d: d.state in ("pending", "retrying"))
        if not todo:
            raise UserError(self.env._("Only pending or retrying deliveries can be retried now; use Replay for "
                              "delivered or dead ones."))
        todo.sudo().write({"next_attempt_at": fields.Datetime.now()})
        # asked by a user: now, even if the receiver asked the endpoint to wait (Retry-After)
        todo.endpoint_id.filtered("paused_until").sudo().write({"paused_until": False})
        self._wake_dispatcher_on_commit()
        return True

    def action_replay(self):
        """Queue delivered or dead deliveries again: same webhook-id and payload, a new retry cycle."""
        todo = self.filtered(lambda d: d.state in ("delivered", "dead"))
        if not todo:
            raise UserError(self.env._("Select delivered or dead deliveries to replay."))
        todo.sudo().write({"state": "pending", "attempt_count": 0, "next_attempt_at": fields.Datetime.now(),
                           "delivered_at": False})
        self._wake_dispatcher_on_commit()
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"title": self.env._("Replay"), "type": "success",
                       "message": self.env._("%s deliveries queued again.", len(todo)),
                       "next": {"type": "ir.actions.act_window_close"}},
        }
