import datetime

from odoo import fields, models
from odoo.tools import SQL

# A due trigger younger than this means the cron workers were just notified.
FRESH_TRIGGER = datetime.timedelta(seconds=60)


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _rw_wake(self):
        """Trigger these crons unless a trigger is already due and fresh.

        A burst of events (inbound webhooks, outbox rows) must not pile up triggers and
        notifications: a due trigger created less than a minute ago and not yet consumed means the
        workers were just notified. An older one means nobody picked it up (workers were down), so
        trigger and notify again. The trigger row and its NOTIFY take effect when the current
        transaction commits.
        """
        now = fields.Datetime.now()
        self.env["ir.cron.trigger"].flush_model(["cron_id", "call_at"])
        for cron in self.sudo():  # technical: scheduling our own crons, not business data
            if not cron.active:
                continue
            self.env.cr.execute(SQL(
                "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= %s AND call_at > %s LIMIT 1",
                cron.id, now, now - FRESH_TRIGGER))
            if not self.env.cr.rowcount:
                cron._trigger()
