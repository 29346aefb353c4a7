"""Transient wizard: replay the dead (and optionally delivered) deliveries of an endpoint in a date range."""
from odoo import api, fields, models
from odoo.exceptions import UserError


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
        return [("endpoint_id", "=", self.endpoint_id.id), ("state", "in", states),
                ("create_date", ">=", self.date_from), ("create_date", "<=", self.date_to)]

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
