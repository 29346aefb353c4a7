import datetime
import logging
import threading
import time

from odoo import api, fields, models, sql_db
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)

# A due trigger younger than this means the cron workers were just notified.
FRESH_TRIGGER = datetime.timedelta(seconds=60)


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _rw_drain(self, claim, process, count_remaining, commit=True, max_batches=200):
        """The queue loop of the outbox dispatcher and the inbound processor: ``claim()`` a batch
        (rows locked ``FOR UPDATE SKIP LOCKED``, so parallel workers never take the same row),
        ``process(batch)`` (returns how many rows it handled, None for all), then commit the progress
        through Odoo's ``_commit_progress`` (which also stops the loop when the cron's time is up),
        until nothing is claimed or a batch handled nothing. ``commit=False`` keeps everything in the
        current transaction (tests, synchronous use). Returns the rows processed.

        Each batch runs in its own READ COMMITTED transaction: under Odoo's REPEATABLE READ, locking a
        row another worker updated after our snapshot raises a serialization error; READ COMMITTED
        re-checks the row instead."""
        total = 0
        # end the caller's transaction (each batch runs in its own); in a cron job Odoo calls this
        # function again and again until its time is up: once it is, claim nothing more
        if commit and self._commit_progress(0) <= 0:
            return 0
        for _i in range(max_batches):
            if commit:
                self.env.cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
            batch = claim()
            if not batch:
                break
            done = process(batch)
            done = len(batch) if done is None else done
            total += done
            if not done:  # nothing of the batch could be handled now (no time left to send): stop
                break
            if commit:
                if self._commit_progress(done, remaining=count_remaining()) <= 0:
                    break
            else:
                self.env.flush_all()
        return total

    @api.model
    def _rw_wake_xmlids(self, xmlids, delay=0):
        """``_rw_wake`` on the crons of these xml ids (cached id lookups, no existence query)."""
        imd = self.env["ir.model.data"]
        ids = [imd._xmlid_to_res_id(x, raise_if_not_found=False) for x in xmlids]
        self.browse([i for i in ids if i])._rw_wake(delay)

    def _rw_wake(self, delay=0):
        """Trigger these crons unless a trigger is already due and fresh.

        A burst of events (inbound webhooks, outbox rows) must not pile up triggers and
        notifications: a due trigger created less than a minute ago and not yet consumed means the
        workers were just notified. An older one means nobody picked it up (workers were down), so
        trigger and notify again. The trigger row and its NOTIFY take effect when the current
        transaction commits.

        One query in the common case (called on every inbound webhook): which of these active crons
        lack a fresh due trigger. Technical: scheduling our own crons, not business data.

        ``delay`` (seconds): trigger that much later (``_rw_trigger_at``), and count a trigger due
        within that delay as fresh too, so that events arriving meanwhile share one run.
        """
        if not self:
            return
        now = fields.Datetime.now()
        self.flush_model(["active"])
        self.env["ir.cron.trigger"].flush_model(["cron_id", "call_at"])
        self.env.cr.execute(SQL("""
            SELECT c.id FROM ir_cron c
             WHERE c.id IN %s AND c.active
               AND NOT EXISTS (SELECT 1 FROM ir_cron_trigger t
                                WHERE t.cron_id = c.id AND t.call_at <= %s AND t.call_at > %s)
        """, tuple(self.ids), now + datetime.timedelta(seconds=delay), now - FRESH_TRIGGER))
        ids = [r[0] for r in self.env.cr.fetchall()]
        for cron in self.sudo().browse(ids):
            if delay:
                cron._rw_trigger_at(now + datetime.timedelta(seconds=delay))
            else:
                cron._trigger()

    def _rw_trigger_at(self, when):
        """``_trigger(when)``, and, when ``when`` comes before the cron workers' next poll, a wake-up
        call at that moment.

        Odoo only notifies the cron workers for triggers that are already due; a later one waits for
        their next poll (every minute), so a retry due in 5 s went out up to a minute later. After the commit a
        timer thread of this process sends Odoo's own cron notification when the trigger falls due. If
        the process stops first, the trigger row is still there and the next poll runs it.
        """
        self.ensure_one()
        self.sudo()._trigger(when)
        delay = (when - fields.Datetime.now()).total_seconds()
        if 0 < delay < SLEEP_INTERVAL:
            dbname = self.env.cr.dbname
            self.env.cr.postcommit.add(lambda: _notify_later(dbname, delay + 0.2))

    @api.model
    def _rw_arm_wake_ups(self, xmlids):
        """A timer in this process for the earliest future trigger of these crons that falls before
        the cron workers' next poll, whoever created it.

        ``_rw_trigger_at``'s timer lives in the process that scheduled the trigger; when that process
        (or its whole node) dies, the trigger waited for another worker's poll, up to a minute late.
        Every run of the dispatcher crons calls this, so each process that runs them (on any node)
        also wakes the workers on time. One indexed query; timers are not duplicated in a process."""
        imd = self.env["ir.model.data"]
        ids = tuple(i for i in (imd._xmlid_to_res_id(x, raise_if_not_found=False) for x in xmlids) if i)
        if not ids:
            return
        now = fields.Datetime.now()
        self.env["ir.cron.trigger"].flush_model(["cron_id", "call_at"])
        self.env.cr.execute(SQL("""
            SELECT min(call_at) FROM ir_cron_trigger WHERE cron_id IN %s AND call_at > %s AND call_at < %s
        """, ids, now, now + datetime.timedelta(seconds=ARM_WINDOW)))
        when = self.env.cr.fetchone()[0]
        if when:
            _notify_later(self.env.cr.dbname, (when - now).total_seconds() + 0.2)


# seconds ahead that a dispatcher run arms a wake-up for: up to the cron workers' next poll (Odoo's
# SLEEP_INTERVAL plus its per-process jitter of up to 10 s)
ARM_WINDOW = SLEEP_INTERVAL + 10
# moments (time.monotonic()) this process will wake the cron workers of a database at
_ARMED = {}
_ARMED_LOCK = threading.Lock()


def _notify_later(dbname, delay):
    """Send Odoo's cron notification for ``dbname`` in ``delay`` seconds, from a timer thread of this
    process, unless one is already armed for (about) that moment."""
    due = time.monotonic() + delay
    with _ARMED_LOCK:
        now = time.monotonic()
        armed = _ARMED[dbname] = {t for t in _ARMED.get(dbname, ()) if t > now}
        if any(abs(t - due) < 0.5 for t in armed):
            return
        armed.add(due)

    def notify():
        try:
            with sql_db.db_connect("postgres").cursor() as cr:
                cr.execute(SQL("SELECT %s('cron_trigger', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname))
        except Exception:  # noqa: BLE001 - best effort: the cron poll runs the trigger anyway
            _logger.info("could not wake the cron workers of %s", dbname, exc_info=True)
    timer = threading.Timer(delay, notify)
    timer.daemon = True
    timer.name = "rest_webhooks cron wake-up"
    timer.start()
