"""rest.change: the change feed (GET /api/v1/changes): one row per change of an order or a partner
(created, updated, archived, deleted), with a position ``seq`` strictly increasing in COMMIT order.

Why not a plain sequence: ``nextval`` is taken when the row is written, not when its transaction
commits. T1 takes 10, T2 takes 11, T2 commits, a reader reads up to 11 and moves its cursor there,
then T1 commits 10: the reader never sees it. Here the changes of a transaction are collected in
memory and written by a precommit hook, which numbers them (``nextval`` of ``rest_change_position``)
only after taking one transaction-level advisory lock. The lock is held until the transaction ends,
so a second writer numbers its changes only after the first has committed (PostgreSQL makes a
commit visible before it releases the transaction's locks): whenever a reader sees position N, it
already sees every position below N. Only the tail of writing transactions (their precommit and
commit) is serialised, not their business work. An advisory lock, not a counter row: updating a
row another REPEATABLE READ transaction committed after our snapshot is a serialization failure.
A rolled-back transaction leaves a gap in the positions (strictly increasing, not contiguous).

``version`` of a record is the ``seq`` of its latest change: monotonic per record, so a consumer
keeps the highest version it has applied and drops anything older.
"""
import datetime

from odoo import api, fields, models

_PENDING = "rest_webhooks.changes"
_REGISTERED = "rest_webhooks.changes_registered"
RESOURCES = {"sale.order": "orders", "res.partner": "partners"}
CHANGES = ["created", "updated", "archived", "deleted"]
RETENTION_PARAM = "rest_webhooks.change_retention_days"
DEFAULT_RETENTION_DAYS = 30
COMMIT_ORDER_LOCK = 0x7265737463686731  # the advisory lock key numbering changes in commit order


class RestChange(models.Model):
    _name = "rest.change"
    _description = "REST change feed entry"
    _order = "seq"
    _log_access = False

    seq = fields.Integer("Position", required=True, readonly=True)  # bigint column, see init()
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Integer("Record id", required=True, readonly=True)
    external_ref = fields.Char(readonly=True)
    change = fields.Selection([(c, c.title()) for c in CHANGES], required=True, readonly=True)
    occurred_at = fields.Datetime(required=True, readonly=True)

    _seq_uniq = models.Constraint("UNIQUE (seq)", "One change per position.")
    _record_idx = models.Index("(res_model, res_id, seq)")

    def init(self):
        self.env.cr.execute("""
            ALTER TABLE rest_change ALTER COLUMN seq TYPE bigint;
            CREATE SEQUENCE IF NOT EXISTS rest_change_position;
            CREATE TABLE IF NOT EXISTS rest_change_counter (
                id integer PRIMARY KEY CHECK (id = 1),
                purged_through bigint NOT NULL DEFAULT 0);
            INSERT INTO rest_change_counter (id) VALUES (1) ON CONFLICT DO NOTHING;
        """)

    # ------------------------------------------------------------------ recording
    @api.model
    def _record(self, records, change):
        """Remember ``change`` of ``records`` in this transaction; written at precommit. Several
        changes of one record in one transaction are one change for everybody else: a creation
        stays a creation, a deletion wins, and a record created then deleted was never seen."""
        if not records or records._name not in RESOURCES:
            return
        data = self.env.cr.precommit.data
        pending = data.setdefault(_PENDING, {})
        for rec in records:
            key = (records._name, rec.id)
            before = pending.get(key)
            if change == "deleted":
                if before and before[0] == "created":
                    del pending[key]
                else:
                    pending[key] = ("deleted", rec.external_ref or None)
            elif before is None or (before[0] == "updated" and change == "archived"):
                pending[key] = (change, None)
        if not data.get(_REGISTERED):
            data[_REGISTERED] = True
            self.env.cr.precommit.add(self._write_pending)

    @api.model
    def _write_pending(self):
        """Precommit: number this transaction's changes under the commit-order lock and insert
        them (technical rows: whoever changed the records, the feed records it)."""
        data = self.env.cr.precommit.data
        data.pop(_REGISTERED, None)
        pending = data.pop(_PENDING, {})
        if not pending:
            return
        cr = self.env.cr
        refs = {}
        for model in {m for m, _i in pending}:
            ids = [i for m, i in pending if m == model]
            cr.execute("SELECT id, external_ref FROM %s WHERE id = ANY(%%s)" % self.env[model]._table, (ids,))
            refs.update({(model, i): r for i, r in cr.fetchall()})
        rows = [(m, i, refs.get((m, i)) if change != "deleted" else ref, change)
                for (m, i), (change, ref) in sorted(pending.items())
                if change == "deleted" or (m, i) in refs]  # gone by now: nothing to report
        if not rows:
            return
        cr.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_ORDER_LOCK,))
        cr.execute("SELECT nextval('rest_change_position') FROM generate_series(1, %s)", (len(rows),))
        positions = sorted(r[0] for r in cr.fetchall())
        now = fields.Datetime.now()
        cr.execute("INSERT INTO rest_change (seq, res_model, res_id, external_ref, change, occurred_at) "
                   "SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::int[], %s::varchar[], "
                   "%s::varchar[], %s::timestamp[])",
                   (positions, [r[0] for r in rows], [r[1] for r in rows],
                    [r[2] for r in rows], [r[3] for r in rows], [now] * len(rows)))

    # ------------------------------------------------------------------ reading
    @api.model
    def _purged_through(self):
        self.env.cr.execute("SELECT purged_through FROM rest_change_counter WHERE id = 1")
        row = self.env.cr.fetchone()
        return row[0] if row else 0

    @api.model
    def _read_after(self, after, models_, limit):
        """Up to ``limit`` + 1 entries after position ``after`` for ``models_``, as tuples
        (seq, model, id, external_ref, change, occurred_at). Technical read of the feed table; the
        caller filters by the reader's rights."""
        self.env.cr.execute("""SELECT seq, res_model, res_id, external_ref, change, occurred_at
                                 FROM rest_change WHERE seq > %s AND res_model = ANY(%s)
                                ORDER BY seq LIMIT %s""", (after, list(models_), limit + 1))
        return self.env.cr.fetchall()

    @api.autovacuum
    def _gc_old_changes(self):
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or DEFAULT_RETENTION_DAYS)
        limit = fields.Datetime.now() - datetime.timedelta(days=max(days, 1))
        self.env.cr.execute("""
            WITH gone AS (DELETE FROM rest_change WHERE occurred_at < %s RETURNING seq)
            UPDATE rest_change_counter SET purged_through = GREATEST(
                purged_through, COALESCE((SELECT max(seq) FROM gone), 0)) WHERE id = 1""", (limit,))
