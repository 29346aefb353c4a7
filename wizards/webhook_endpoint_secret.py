"""Transient wizard showing an endpoint's signing secret once (after creation or rotation)."""
from odoo import fields, models


class WebhookEndpointSecret(models.TransientModel):
    _name = "webhook.endpoint.secret"
    _description = "Webhook signing secret (shown once)"

    endpoint_id = fields.Many2one("webhook.endpoint", required=True, ondelete="cascade")
    secret = fields.Char(readonly=True)
