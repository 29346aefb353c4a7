"""Integrations › API keys: every REST API key (its scopes, expiry, usage), revocable by a manager.

A read-only SQL view over Odoo's res_users_apikeys (never the key hash) limited to the keys the API
accepts: scope rest_webhooks[:<scopes>] or global keys."""
from odoo import fields, models, tools
from odoo.exceptions import AccessError

from ..lib.scopes import API_KEY_SCOPE, from_key_column, to_text
from .res_users_delegation import GROUP_MANAGER


class ApiKeyUsage(models.Model):
    _name = "api.key.usage"
    _inherit = ["api.usage.mixin"]
    _description = "REST API key"
    _auto = False
    _order = "id desc"
    _usage_column = "api_key_id"

    name = fields.Char("Description", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    scope = fields.Char("Stored scope", readonly=True)
    scopes = fields.Char(compute="_compute_scopes")
    create_date = fields.Datetime("Created on", readonly=True)
    expiration_date = fields.Datetime(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW api_key_usage AS
            SELECT k.id, k.name, k.user_id, k.scope, k.create_date, k.expiration_date
              FROM res_users_apikeys k
             WHERE k.scope IS NULL OR k.scope = %s OR left(k.scope, %s) = %s
        """, (API_KEY_SCOPE, len(API_KEY_SCOPE) + 1, API_KEY_SCOPE + ":"))

    def _compute_scopes(self):
        for key in self:
            key.scopes = to_text(from_key_column(key.scope)) or self.env._("(none)")

    def action_revoke(self):
        """Delete the keys: refused on the next request by every worker (the key check reads the
        database). A manager may revoke the keys of the users it may issue keys for."""
        if not self.env.user.has_group(GROUP_MANAGER):
            raise AccessError(self.env._("Only integration managers can revoke API keys."))
        for key in self:
            refusal = self.env.user._rw_delegation_refusal(key.user_id)
            if refusal:
                raise AccessError(self.env._("You cannot revoke this key: %s", refusal))
        # sudo: Odoo lets only the owner or an administrator remove a key; the manager's right to
        # act for these users was checked just above. _remove logs who removed which keys.
        self.env["res.users.apikeys"].sudo().browse(self.ids)._remove()
        return {"type": "ir.actions.client", "tag": "reload"}
