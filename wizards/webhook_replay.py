"""Transient wizard: replay the dead (and optionally delivered) deliveries of an endpoint whose events
happened in a date range. A replay sends the stored event again: the same body (rest.change.body,
with the record's version at the time) and the same webhook-id."""
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class WebhookReplay(models.TransientModel):
    _name = "webhook.replay"
    _description = "Replay webhook deliveries"

    endpoint_id = fields.Many2one("webhook.endpoint", required=True, context={"active_test": False})
    date_from = fields.Datetime("Events from", required=True)
    date_to = fields.Datetime("Events until", required=True, default=fields.Datetime.now)
    include_delivered = fields.Boolean("Include delivered", help="Also send delivered events again.")
    count = fields.Integer("Deliveries to replay", compute="_compute_count")

    def _domain(self):
        states = ["dead", "delivered"] if self.include_delivered else ["dead"]
        # the event's time (the event store); a delivery without a stored event (a test event): its own
        in_range = Domain.OR([
            [("change_id.occurred_at", ">=", self.date_from), ("change_id.occurred_at", "<=", self.date_to)],
            [("change_id", "=", False), ("create_date", ">=", self.date_from), ("create_date", "<=", self.date_to)],
        ])
        return Domain([("endpoint_id", "=", self.endpoint_id.id), ("state", "in", states)]) & in_range

    @api.depends("endpoint_id", "date_from", "date_to", "include_delivered")
    def _compute_count(self):
        for wiz in self:
            ok = wiz.endpoint_id and wiz.date_from and wiz.date_to
            wiz.count = self.env["webhook.delivery"].search_count(wiz._domain()) if ok else 0

    def action_replay(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The start of the range is after its end."))
        deliveries = self.env["webhook.delivery"].search(self._domain())
        if not deliveries:
            raise UserError(self.env._("No delivery to replay in this range."))
        return deliveries.action_replay()
