"""Settings page, section "Integrations": the addon's ten settings, typed and bounded.

Each field is stored by Odoo as ``ir.config_parameter`` ``rest_webhooks.<name>``; lib/settings.py
holds their types, defaults and bounds, and ``_rw_setting`` is the one reader the addon uses.
"""
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import settings


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rw_api_rate_limit = fields.Integer(
        "API requests per window", config_parameter="rest_webhooks.api_rate_limit", default=600,
        help="Default quota of a REST API user (all keys of the user share it); a user's own value "
             "on the user form wins.")
    rw_api_rate_window = fields.Integer(
        "API rate window (s)", config_parameter="rest_webhooks.api_rate_window", default=60)
    rw_api_log_retention_days = fields.Integer(
        "API request log retention (days)", config_parameter="rest_webhooks.api_log_retention_days", default=30)
    rw_webhook_allow_http = fields.Boolean(
        "Allow plain http webhook URLs", config_parameter="rest_webhooks.webhook_allow_http")
    rw_webhook_allow_local_network = fields.Boolean(
        "Allow webhooks to local and private addresses", config_parameter="rest_webhooks.webhook_allow_local_network",
        help="Only for receivers on this machine or your private network (tests, on-premise systems): "
             "otherwise webhooks could be aimed at internal services (SSRF).")
    rw_webhook_disable_after_days = fields.Float(
        "Disable a failing endpoint after (days)", config_parameter="rest_webhooks.webhook_disable_after_days",
        default=5.0)
    rw_webhook_dispatch_batch = fields.Integer(
        "Deliveries claimed per batch", config_parameter="rest_webhooks.webhook_dispatch_batch", default=50)
    rw_webhook_dispatch_concurrency = fields.Integer(
        "Parallel sends per batch", config_parameter="rest_webhooks.webhook_dispatch_concurrency", default=8)
    rw_webhook_retention_days = fields.Integer(
        "Outbound delivery retention (days)", config_parameter="rest_webhooks.webhook_retention_days", default=30)
    rw_inbound_retention_days = fields.Integer(
        "Inbound event retention (days)", config_parameter="rest_webhooks.inbound_retention_days", default=30)

    @api.constrains(*("rw_" + name for name in settings.SETTINGS))
    def _check_rw_settings(self):
        for record in self:
            for name in settings.SETTINGS:
                try:
                    settings.check(name, record["rw_" + name])
                except ValueError as exc:
                    raise ValidationError(str(exc)) from None

    @api.model
    def _rw_setting(self, name):
        """The typed value of setting ``name`` (lib/settings.py); its default when unset or invalid.
        Technical read of the addon's own configuration (ir.config_parameter is admin-only)."""
        raw = self.env["ir.config_parameter"].sudo().get_param(settings.SETTINGS[name].key)
        return settings.parse(name, raw)
