"""webhook.attempt: one HTTP attempt of a delivery (time, duration, status, response excerpt, error)."""
from odoo import api, fields, models


class WebhookAttempt(models.Model):
    _name = "webhook.attempt"
    _description = "Webhook delivery attempt"
    _order = "attempted_at desc, id desc"
    _rec_name = "attempted_at"

    delivery_id = fields.Many2one("webhook.delivery", required=True, ondelete="cascade", index=True)
    endpoint_id = fields.Many2one("webhook.endpoint", required=True, ondelete="cascade", index=True)
    attempted_at = fields.Datetime(required=True, default=fields.Datetime.now)
    duration_ms = fields.Integer("Duration (ms)")
    status_code = fields.Integer("HTTP status", help="0: no HTTP answer (see error).")
    success = fields.Boolean()
    error = fields.Text()
    response_excerpt = fields.Text(help="The first kilobyte of the receiver's answer.")
    request_headers = fields.Text(help="Headers sent (JSON).")
    summary = fields.Char(compute="_compute_summary")

    _endpoint_time_idx = models.Index("(endpoint_id, attempted_at)")

    @api.depends("status_code", "error")
    def _compute_summary(self):
        for a in self:
            parts = [("HTTP %s" % a.status_code) if a.status_code else ""]
            if a.error and a.error != parts[0]:
                parts.append(a.error)
            a.summary = " - ".join(p for p in parts if p)
