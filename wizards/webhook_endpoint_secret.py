"""Dialog showing an endpoint's signing secret once (after creation or rotation).

Like Odoo's ``res.users.apikeys.show``, it is an abstract model: the secret travels only in the
action's context (``default_secret``) to the user who clicked, and is never stored in a row that
other managers could read back until the transient vacuum.
"""
from odoo import fields, models


class WebhookEndpointSecret(models.AbstractModel):
    _name = "webhook.endpoint.secret"
    _description = "Webhook signing secret (shown once)"

    # the field 'id' is needed by the onchange that fills the dialog from its defaults
    id = fields.Id()
    endpoint_id = fields.Many2one("webhook.endpoint", readonly=True)
    secret = fields.Char(readonly=True)
