"""Shows a new API client secret once (opened with defaults, never saved: the secret is not stored)."""
from odoo import fields, models


class ApiClientSecret(models.TransientModel):
    _name = "api.client.secret"
    _description = "REST API client secret (shown once)"

    client_ref = fields.Char("Client id", readonly=True)
    secret = fields.Char("Client secret", readonly=True)
