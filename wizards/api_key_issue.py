"""Wizard for integration managers: issue a scoped, expiring API key for an integration user.

Odoo lets users create keys only for themselves; a manager issuing one for an integration user is
what this adds. The key is shown once through Odoo's own ``res.users.apikeys.show`` dialog and is
never stored in clear (the wizard row is deleted).
"""
import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..models.res_users_api import API_KEY_SCOPE


class ApiKeyIssue(models.TransientModel):
    _name = "api.key.issue"
    _description = "Issue a REST API key"

    user_id = fields.Many2one("res.users", "Integration user", required=True,
                              domain=lambda self: [
                                  ("group_ids", "in", self.env.ref("rest_webhooks.group_api_user").ids)])
    name = fields.Char("Key description", required=True)
    expiration_date = fields.Datetime(required=True,
                                      default=lambda self: fields.Datetime.now() + datetime.timedelta(days=90))

    @api.constrains("expiration_date")
    def _check_expiration(self):
        for wiz in self:
            if wiz.expiration_date <= fields.Datetime.now():
                raise ValidationError(self.env._("The expiration date must be in the future."))

    def action_issue(self):
        self.ensure_one()
        if not self.env.user.has_group("rest_webhooks.group_integration_manager"):
            raise AccessError(self.env._("Only integration managers can issue API keys for other users."))
        if not self.user_id.has_group("rest_webhooks.group_api_user"):
            raise ValidationError(self.env._("The user must be in the group 'REST API: user'."))
        # sudo: generating a key for another user is exactly the privileged act this manager-only
        # wizard exists for; the key row records the target user, the expiry is enforced above.
        key = self.env["res.users.apikeys"].with_user(self.user_id).sudo()._generate(
            API_KEY_SCOPE, self.name, self.expiration_date)
        self.unlink()
        return {
            "type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
            "views": [(False, "form")], "target": "new", "context": {"default_key": key},
        }
