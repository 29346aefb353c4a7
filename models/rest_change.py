"""rest.change: the event store. Each business event is stored once: one row per change of a record
(created, updated, archived, deleted) and per business event of it (an order confirmed, cancelled, a
custom webhook event), with its position ``seq`` in COMMIT order. The change feed (GET
/api/v1/changes) reads the rows marked ``feed`` (changes of orders and partners, recorded whatever
made them, with or without webhooks); the outbound webhooks (webhook.delivery) and their replays
reference the rows and the bodies stored with them (rest.change.body: one per payload user).

Why not a plain sequence: ``nextval`` is taken when the row is written, not when its transaction
commits. T1 takes 10, T2 takes 11, T2 commits, a reader reads up to 11 and moves its cursor there,
then T1 commits 10: the reader never sees it. Here a transaction's changes are collected in memory,
written by a precommit hook WITHOUT a position, and numbered by PostgreSQL at COMMIT: a deferred
constraint trigger (``rest_change_commit_order``, fired when the transaction commits, after every
savepoint and precommit hook) takes one transaction-level advisory lock and numbers the
transaction's rows in the order they were written (``nextval`` of ``rest_change_position``). The
lock is held until the transaction ends, so a second committing transaction numbers its changes only
after the first has committed (PostgreSQL makes a commit visible before it releases the
transaction's locks): whenever a reader sees position N, it already sees every position below N.
Only the COMMIT of writing transactions is serialised: not their business work, and not the time
between a savepoint (which runs the precommit hooks) and the commit, so a batch or an import that
flushes at every item holds no lock that another writer waits for, and a transaction waiting for a
row lock never holds it (no deadlock between the lock and row locks). An advisory lock, not a
counter row: updating a row another REPEATABLE READ transaction committed after our snapshot is a
serialization failure. Positions are strictly increasing, not contiguous.

Events whose payload is a snapshot taken when they happen (deletions: the record is gone at commit;
business events) are inserted right away; the other changes when the precommit hook runs, with
their payloads read then. Numbering in the order rows were written gives the newest state the
highest version. A webhook body stored before its event is numbered carries ``"version":null``,
which a deferred trigger on rest_change_body (fired after its event's) replaces by the position.

``version`` of a record is the ``seq`` of its latest event: monotonic per record (two transactions
changing one record also write its row, so they commit one after the other), the same number in the
feed entry and in every webhook payload of the event. A consumer keeps the highest version it has
applied per record and drops anything older or equal.
"""
import datetime

import odoo.modules.module
from odoo import api, fields, models, sql_db
from odoo.tools import SQL

_PENDING = "rest_webhooks.changes"
_NOW = "rest_webhooks.changes_now"
_WRITTEN = "rest_webhooks.changes_written"
_REGISTERED = "rest_webhooks.changes_registered"
_NUMBER_NOW = "rest_webhooks.changes_number_now"
RESOURCES = {"sale.order": "orders", "res.partner": "partners"}
CHANGES = ["created", "updated", "archived", "deleted"]
RETENTION_PARAM = "rest_webhooks.change_retention_days"
DEFAULT_RETENTION_DAYS = 30
COMMIT_ORDER_LOCK = 0x7265737463686731  # the advisory lock key numbering changes in commit order
# the deferred triggers that number the changes and write their positions into the bodies, at COMMIT
COMMIT_TRIGGERS = ("rest_change_commit_order", "rest_change_body_version")


def _has_ref(model):
    """Whether ``model`` stores an external_ref column (orders, partners), not only a related field."""
    field = model._fields.get("external_ref")
    return bool(field and field.store)


def _external_ref(rec):
    return (rec.external_ref or None) if _has_ref(rec) else None



def forget_rolled_back(cr, table, cache, keys):
    """Drop from ``cache`` ({key: row id of ``table`` stored in this transaction}) the ``keys``
    whose row is gone: a savepoint rolled back since (Odoo's non-flushing savepoints, e.g. the
    import's "Test" run, keep the transaction's precommit data), so the row is stored again instead
    of being referenced. One query, and only when this transaction already stored one of them."""
    hits = {key: cache[key] for key in keys if key in cache}
    if hits:
        cr.execute(SQL("SELECT id FROM %s WHERE id = ANY(%s)", SQL.identifier(table), list(hits.values())))
        alive = {row[0] for row in cr.fetchall()}
        for key, row_id in hits.items():
            if row_id not in alive:
                del cache[key]

def ensure_commit_trigger(cr, table, trigger, function):
    """A constraint trigger running ``function`` for each row inserted into ``table``, deferred to the
    COMMIT; created only when missing (creating it locks the table: not at every module update)."""
    cr.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", (trigger, table))
    if not cr.fetchone():
        cr.execute(SQL("CREATE CONSTRAINT TRIGGER %s AFTER INSERT ON %s DEFERRABLE INITIALLY DEFERRED "
                       "FOR EACH ROW EXECUTE FUNCTION %s()", SQL.identifier(trigger), SQL.identifier(table),
                       SQL.identifier(function)))


def fire_commit_triggers(cr):
    """Run now what the deferred triggers would run at COMMIT (for transactions that never commit:
    tests, the benchmark's rolled-back chunks); later rows fire at COMMIT again."""
    names = SQL(", ").join(SQL.identifier(name) for name in COMMIT_TRIGGERS)
    cr.execute(SQL("SET CONSTRAINTS %s IMMEDIATE; SET CONSTRAINTS %s DEFERRED", names, names))


class BigInteger(fields.Integer):
    """An integer field stored as a PostgreSQL bigint (positions may pass 2**31). Odoo keeps
    ``fields.Integer`` as the field class of type "integer" (the first one registered)."""
    _column_type = ("int8", "int8")


class RestChange(models.Model):
    _name = "rest.change"
    _description = "Business event (change feed, webhooks)"
    _order = "seq"
    _log_access = False

    # empty only inside the writing transaction, until its COMMIT (init's trigger)
    seq = BigInteger("Position", readonly=True)
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Integer("Record id", required=True, readonly=True)
    external_ref = fields.Char(readonly=True)
    change = fields.Char(required=True, readonly=True,
                         help="created, updated, archived, deleted, or a business event (confirmed, ...)")
    feed = fields.Boolean("In the change feed", readonly=True,
                          help="A change of an order or a partner, reported by GET /api/v1/changes.")
    occurred_at = fields.Datetime(required=True, readonly=True)
    body_ids = fields.One2many("rest.change.body", "change_id", string="Payloads", readonly=True)

    _seq_uniq = models.Constraint("UNIQUE (seq)", "One change per position.")
    _record_idx = models.Index("(res_model, res_id, seq)")

    def init(self):
        # ``xact``: the writing transaction (top-level id, also inside savepoints): the trigger numbers
        # that transaction's rows only. A column without default first: existing rows are not rewritten.
        self.env.cr.execute("""
            CREATE SEQUENCE IF NOT EXISTS rest_change_position;
            CREATE TABLE IF NOT EXISTS rest_change_counter (
                id integer PRIMARY KEY CHECK (id = 1),
                purged_through bigint NOT NULL DEFAULT 0);
            INSERT INTO rest_change_counter (id) VALUES (1) ON CONFLICT DO NOTHING;
            ALTER TABLE rest_change ADD COLUMN IF NOT EXISTS xact xid8;
            ALTER TABLE rest_change ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
            DROP INDEX IF EXISTS rest_change_unnumbered_idx;
            CREATE INDEX IF NOT EXISTS rest_change_unnumbered_xact_idx ON rest_change (xact) WHERE seq IS NULL;
            -- no lock_timeout here: an error at COMMIT is not retried by Odoo (the wait is for other
            -- transactions' commits only, never for a transaction at work)
            CREATE OR REPLACE FUNCTION rest_change_number() RETURNS trigger LANGUAGE plpgsql
                SET lock_timeout = 0 AS $$
            DECLARE
                n_rows bigint;
                base_pos bigint;
            BEGIN
                -- one firing per row written; the first one of a commit numbers them all
                IF NOT EXISTS (SELECT 1 FROM rest_change WHERE id = NEW.id AND seq IS NULL) THEN
                    RETURN NULL;
                END IF;
                PERFORM pg_advisory_xact_lock(%(lock)s);
                SELECT count(*) INTO n_rows FROM rest_change WHERE seq IS NULL AND xact = pg_current_xact_id();
                base_pos := nextval('rest_change_position');
                IF n_rows > 1 THEN  -- the sequence is only moved under the lock
                    PERFORM setval('rest_change_position', base_pos + n_rows - 1);
                END IF;
                UPDATE rest_change c SET seq = base_pos + t.n - 1
                  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM rest_change
                         WHERE seq IS NULL AND xact = pg_current_xact_id()) t
                 WHERE c.id = t.id;
                RETURN NULL;
            END $$;
        """, {"lock": COMMIT_ORDER_LOCK})
        ensure_commit_trigger(self.env.cr, "rest_change", COMMIT_TRIGGERS[0], "rest_change_number")

    # ------------------------------------------------------------------ recording
    @api.model
    def _record(self, records, change, any_model=False):
        """Remember ``change`` of ``records`` in this transaction; written at precommit. Several
        changes of one record in one transaction are one change for everybody else: a creation
        stays a creation, a deletion wins, and a record created then deleted was never seen.
        Changes of orders and partners are always recorded (the feed); of other models only when a
        webhook asks (``any_model``)."""
        if not records or (records._name not in RESOURCES and not any_model):
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
                    pending[key] = ("deleted", _external_ref(rec))
            elif before is None or (before[0] == "updated" and change == "archived"):
                pending[key] = (change, None)
        self._register_precommit()

    @api.model
    def _record_now(self, records, change):
        """Store the event ``change`` of ``records`` right away (its payload is a snapshot taken
        now: a deletion, a business event); numbered at commit. Once per record and event in a
        transaction. Returns {record id: rest.change id}. Technical rows."""
        now_rows = self.env.cr.precommit.data.setdefault(_NOW, {})
        forget_rolled_back(self.env.cr, "rest_change", now_rows,
                           [(records._name, rec.id, change) for rec in records])
        todo = [rec for rec in records if (records._name, rec.id, change) not in now_rows]
        if todo:
            when = fields.Datetime.now()
            self.env.cr.execute(
                "INSERT INTO rest_change (res_model, res_id, external_ref, change, occurred_at) "
                "SELECT %s, unnest(%s::int[]), unnest(%s::varchar[]), %s, %s RETURNING id",
                (records._name, [r.id for r in todo], [_external_ref(r) for r in todo], change, when))
            for rec, (change_id,) in zip(todo, self.env.cr.fetchall(), strict=True):
                now_rows[(records._name, rec.id, change)] = change_id
        self._register_precommit()
        return {rec.id: now_rows[(records._name, rec.id, change)] for rec in records}

    @api.model
    def _register_precommit(self):
        data = self.env.cr.precommit.data
        if not data.get(_REGISTERED):
            data[_REGISTERED] = True
            self.env.cr.precommit.add(self._write_pending)

    @api.model
    def _written(self):
        """{(model, record id): rest.change id} of the created/updated/archived events written so
        far in this transaction (the webhook hand-off reads them at precommit)."""
        return self.env.cr.precommit.data.setdefault(_WRITTEN, {})

    @api.model
    def _write_pending(self):
        """Precommit: write this transaction's pending changes (technical rows: whoever changed the
        records, the event is recorded) and mark the deletions stored right away that the feed
        reports. PostgreSQL numbers them all at COMMIT (the module docstring)."""
        data = self.env.cr.precommit.data
        data.pop(_REGISTERED, None)
        pending = data.pop(_PENDING, {})
        now_rows = data.pop(_NOW, {})
        if not pending and not now_rows:
            return
        cr = self.env.cr
        refs = {}
        for model in {m for m, _i in pending}:
            ids = [i for m, i in pending if m == model]
            Model = self.env[model]
            ref_col = "external_ref" if _has_ref(Model) else "NULL"
            cr.execute("SELECT id, %s FROM %s WHERE id = ANY(%%s)" % (ref_col, Model._table), (ids,))
            refs.update({(model, i): r for i, r in cr.fetchall()})
        # deletions stored right away are the feed's deletions too; the others are business events,
        # and deletions of records created in this transaction (nobody saw them exist: not in the feed)
        feed_deleted = {key for key, (change, _ref) in pending.items() if change == "deleted"}
        in_feed = [change_id for (m, i, change), change_id in now_rows.items()
                   if m in RESOURCES and change == "deleted" and (m, i) in feed_deleted]
        rows = [(m, i, refs.get((m, i)) if change != "deleted" else ref, change)
                for (m, i), (change, ref) in sorted(pending.items())
                if (m, i, change) not in now_rows  # stored already
                and (change == "deleted" or (m, i) in refs)]  # gone by now: nothing to report
        if in_feed:
            cr.execute("UPDATE rest_change SET feed = TRUE WHERE id = ANY(%s)", (in_feed,))
            self.invalidate_model(["feed"])
        if rows:
            now = fields.Datetime.now()
            cr.execute("INSERT INTO rest_change (res_model, res_id, external_ref, change, feed, occurred_at) "
                       "SELECT * FROM unnest(%s::varchar[], %s::int[], %s::varchar[], "
                       "%s::varchar[], %s::bool[], %s::timestamp[]) RETURNING id, res_model, res_id",
                       ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                        [r[0] in RESOURCES for r in rows], [now] * len(rows)))
            self._written().update({(m, i): change_id for change_id, m, i in cr.fetchall()})
        self._number_if_never_committed()

    @api.model
    def _number_if_never_committed(self):
        """A test's transaction is rolled back, never committed, so the deferred triggers would never
        number its events: there they fire at the end of each flush (the commit of a test cursor),
        as they would at its commit. For a real transaction it does nothing."""
        test = odoo.modules.module.current_test
        cr = self.env.cr
        if not test or (isinstance(cr, sql_db.Cursor) and cr is not getattr(test, "cr", None)):
            return
        data = cr.precommit.data
        if not data.get(_NUMBER_NOW):
            data[_NUMBER_NOW] = True
            cr.precommit.add(self._number_now)

    @api.model
    def _number_now(self):
        self.env.cr.precommit.data.pop(_NUMBER_NOW, None)
        fire_commit_triggers(self.env.cr)
        self.invalidate_model(["seq"])
        self.env["rest.change.body"].invalidate_model(["body"])
        self.env["webhook.delivery"].invalidate_model(["payload", "payload_pretty", "version"])

    # ------------------------------------------------------------------ reading
    @api.model
    def _purged_through(self):
        self.env.cr.execute("SELECT purged_through FROM rest_change_counter WHERE id = 1")
        row = self.env.cr.fetchone()
        return row[0] if row else 0

    @api.model
    def _head(self):
        """The feed's newest position a reader may start from: every change at or below it is visible
        to this transaction (the module docstring's guarantee), or purged."""
        self.env.cr.execute("""SELECT GREATEST((SELECT max(seq) FROM rest_change),
                                                (SELECT purged_through FROM rest_change_counter WHERE id = 1), 0)""")
        return self.env.cr.fetchone()[0]

    @api.model
    def _read_after(self, after, models_, limit):
        """Up to ``limit`` + 1 entries after position ``after`` for ``models_``, as tuples
        (seq, model, id, external_ref, change, occurred_at). Technical read of the feed table; the
        caller filters by the reader's rights."""
        self.env.cr.execute("""SELECT seq, res_model, res_id, external_ref, change, occurred_at
                                 FROM rest_change WHERE seq > %s AND feed AND res_model = ANY(%s)
                                ORDER BY seq LIMIT %s""", (after, list(models_), limit + 1))
        return self.env.cr.fetchall()

    @api.model
    def _current_version(self, model, res_id):
        """The version of a record: the position of its latest committed event, 0 if none."""
        self.env.cr.execute("SELECT COALESCE(max(seq), 0) FROM rest_change WHERE res_model = %s AND res_id = %s",
                            (model, res_id))
        return self.env.cr.fetchone()[0]

    @api.autovacuum
    def _gc_old_changes(self):
        """Events older than the retention period go, except those a webhook delivery still
        references (it is sent, retried or replayed with the stored event and body); they go once
        the delivery does (webhook.delivery's own retention)."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or DEFAULT_RETENTION_DAYS)
        limit = fields.Datetime.now() - datetime.timedelta(days=max(days, 1))
        self.env.cr.execute("""
            WITH gone AS (DELETE FROM rest_change c WHERE occurred_at < %s
                             AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.change_id = c.id)
                          RETURNING seq)
            UPDATE rest_change_counter SET purged_through = GREATEST(
                purged_through, COALESCE((SELECT max(seq) FROM gone), 0)) WHERE id = 1""", (limit,))
