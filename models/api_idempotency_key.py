"""Idempotency-Key records: one per user and key, with the request fingerprint and first response."""
import datetime

from odoo import api, fields, models

from ..services.cursors import own_transaction, read_committed_cursor

RUNNING, DONE = "running", "done"
# A "running" row older than this belongs to a request that died with its worker: take it over.
STALE_AFTER = datetime.timedelta(minutes=10)
# ... and so does one whose owner, the PostgreSQL backend of the claiming request, is gone (Odoo was
# killed, or PostgreSQL restarted): then the retry need not wait for STALE_AFTER.
_OWNER_GONE = """k.owner_pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                              WHERE a.pid = k.owner_pid
                                AND a.backend_start AT TIME ZONE 'UTC' = k.owner_started)"""
KEEP = datetime.timedelta(hours=24)
# the backend of the claiming connection and its start, as owner_pid, owner_started
_OWNER = """pg_backend_pid(), (SELECT backend_start AT TIME ZONE 'UTC' FROM pg_stat_activity
                                WHERE pid = pg_backend_pid())"""


class ApiIdempotencyKey(models.Model):
    _name = "api.idempotency.key"
    _description = "REST API idempotency key"
    _order = "id desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="cascade")
    key = fields.Char(required=True, readonly=True)
    fingerprint = fields.Char(required=True, readonly=True)
    method = fields.Char(readonly=True)
    path = fields.Char(readonly=True)
    state = fields.Selection([(RUNNING, "Running"), (DONE, "Done")], required=True, default=RUNNING,
                             readonly=True)
    status = fields.Integer(readonly=True)
    content_type = fields.Char(readonly=True)
    response_body = fields.Text(readonly=True)
    owner_pid = fields.Integer("Owner backend", readonly=True,
                               help="PostgreSQL backend of the request that holds the running claim")
    owner_started = fields.Datetime("Owner backend start", readonly=True)

    _user_key_uniq = models.Constraint("UNIQUE (user_id, key)", "An idempotency key is used once per user.")

    @api.model
    def _claim(self, user_id, key, fingerprint, method, path):
        """Claim ``key`` for this request in a transaction of its own on the request's connection,
        committed at once, before the request's work begins (services/cursors.own_transaction): the
        request's transaction then sees the claim, and no second connection is needed.

        Returns ``("claimed", id)``, ``("replay", (status, content_type, body))``,
        ``("mismatch", None)`` or ``("running", None)``. The unique index makes two concurrent
        claims harmless: exactly one INSERT wins. The claim's owner is the PostgreSQL backend of
        the request's own connection, which works on while it holds the claim.
        """
        with own_transaction(self.env.cr) as cr:
            return self._claim_with(cr, user_id, key, fingerprint, method, path)

    @api.model
    def _claim_with(self, cr, user_id, key, fingerprint, method, path):
        cr.execute("""
            INSERT INTO api_idempotency_key
                (user_id, key, fingerprint, method, path, state, owner_pid, owner_started,
                 create_date, write_date, create_uid, write_uid)
            VALUES (%s, %s, %s, %s, %s, 'running', """ + _OWNER + """,
                    now() at time zone 'utc', now() at time zone 'utc', %s, %s)
            ON CONFLICT (user_id, key) DO NOTHING
            RETURNING id
        """, (user_id, key, fingerprint, method, path, user_id, user_id))
        row = cr.fetchone()
        if row:
            return "claimed", row[0]
        cr.execute("""
            SELECT id, fingerprint, state, status, content_type, response_body,
                   write_date < (now() at time zone 'utc') - %s OR """ + _OWNER_GONE + """
              FROM api_idempotency_key k WHERE user_id = %s AND key = %s FOR UPDATE
        """, (STALE_AFTER, user_id, key))
        row = cr.fetchone()
        if not row:  # vacuumed between the two statements: try again later
            return "running", None
        rec_id, fp, state, status, ctype, body, stale = row
        if fp != fingerprint:
            return "mismatch", None
        if state == DONE:
            return "replay", (status, ctype, body)
        if stale:
            cr.execute("UPDATE api_idempotency_key SET write_date = now() at time zone 'utc', "
                       "(owner_pid, owner_started) = (SELECT " + _OWNER + ") WHERE id = %s", (rec_id,))
            return "claimed", rec_id
        return "running", None

    @api.model
    def _store(self, rec_id, status, content_type, body):
        """Record the response in the request's own transaction: it commits with the business data."""
        self.env.cr.execute("""
            UPDATE api_idempotency_key
               SET state = 'done', status = %s, content_type = %s, response_body = %s,
                   write_date = now() at time zone 'utc'
             WHERE id = %s
        """, (status, content_type, body, rec_id))

    @api.model
    def _release(self, rec_id):
        """Forget a claim whose request failed, so a retry runs again: on the request's connection
        (its failed work is rolled back first, as it would be anyway), committed at once."""
        if self.env.cr.closed:
            with read_committed_cursor(self.env.registry) as cr:
                cr.execute("DELETE FROM api_idempotency_key WHERE id = %s AND state = 'running'", (rec_id,))
            return
        with own_transaction(self.env.cr) as cr:
            cr.execute("DELETE FROM api_idempotency_key WHERE id = %s AND state = 'running'", (rec_id,))

    @api.autovacuum
    def _gc_expired(self):
        self.env.cr.execute("DELETE FROM api_idempotency_key WHERE create_date < %s",
                            (fields.Datetime.now() - KEEP,))
