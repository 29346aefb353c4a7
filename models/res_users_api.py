"""Per-user REST API settings: rate-limit quota and window, request-body logging."""
from odoo import fields, models

from ..services.api_keys import API_KEY_SCOPE  # noqa: F401 - the scope of the keys the API accepts


class ResUsers(models.Model):
    _inherit = "res.users"

    api_rate_limit = fields.Integer(
        "API requests per window", default=0,
        groups="rest_webhooks.group_integration_manager",
        help="Quota per window, shared by all API keys of the user; 0 uses the database default "
             "(Settings › Integrations, 600).")
    api_rate_window = fields.Integer(
        "API rate window (s)", default=0,
        groups="rest_webhooks.group_integration_manager",
        help="Window length in seconds; 0 uses the database default (Settings › Integrations, 60).")
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
        Settings = self.env["res.config.settings"]
        quota = rate_limit or Settings._rw_setting("api_rate_limit")
        window = rate_window or Settings._rw_setting("api_rate_window")
        return quota, max(window, 1), bool(log_bodies)
