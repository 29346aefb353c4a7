"""Per-user REST API settings: rate-limit quota and window, request-body logging."""
from odoo import fields, models

API_KEY_SCOPE = "rest_webhooks"


class ResUsers(models.Model):
    _inherit = "res.users"

    api_rate_limit = fields.Integer(
        "API requests per window", default=0,
        groups="rest_webhooks.group_integration_manager",
        help="Quota per API key and window; 0 uses the database default "
             "(ir.config_parameter rest_webhooks.api_rate_limit, 600).")
    api_rate_window = fields.Integer(
        "API rate window (s)", default=0,
        groups="rest_webhooks.group_integration_manager",
        help="Window length in seconds; 0 uses rest_webhooks.api_rate_window (60).")
    api_log_bodies = fields.Boolean(
        "Log API request/response bodies", default=False,
        groups="rest_webhooks.group_integration_manager",
        help="Store request and response bodies in the API request log for this user.")

    def _api_settings(self, rate_limit=None, rate_window=None, log_bodies=None):
        """``(quota, window, log_bodies)`` for this user. The API passes the column values it read
        with the key check; otherwise they are read here (sudo: the API user may not read these
        manager-only fields, and they are configuration, not business data)."""
        self.ensure_one()
        if rate_limit is None:
            user = self.sudo()
            rate_limit, rate_window, log_bodies = user.api_rate_limit, user.api_rate_window, user.api_log_bodies
        icp = self.env["ir.config_parameter"].sudo()
        quota = rate_limit or int(icp.get_param("rest_webhooks.api_rate_limit", 600))
        window = rate_window or int(icp.get_param("rest_webhooks.api_rate_window", 60))
        return quota, max(window, 1), bool(log_bodies)
