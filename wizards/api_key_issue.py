"""Wizard for integration managers: issue a scoped, expiring API key for an integration user.

Odoo lets users create keys only for themselves; a manager issuing one for an integration user is
what this adds, within limits (models/res_users_delegation.py): an administrator may issue a key for
any "REST API: user" but the superuser; an integration manager only for dedicated integration users
with no more rights than the manager's own. The expiry obeys Odoo's limit for the target user (the
largest "API Keys maximum duration" of the target's groups, as when the user creates a key). The key
is shown once through Odoo's own ``res.users.apikeys.show`` dialog, never stored in clear (the wizard
row is deleted), and each issue is noted in the target user's chatter (without the key).
"""
import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.scopes import key_column
from ..models.res_users_delegation import GROUP_API_USER, GROUP_MANAGER

DEFAULT_DAYS = 90


class ApiKeyIssue(models.TransientModel):
    _name = "api.key.issue"
    _description = "Issue a REST API key"

    user_id = fields.Many2one("res.users", "Integration user", required=True,
                              domain=lambda self: self._user_domain())
    name = fields.Char("Key description", required=True)
    scope_ids = fields.Many2many("api.scope", string="Scopes", required=True,
                                 help="What the key may do, within the user's own rights; * is everything "
                                      "the user may do.")
    expiration_date = fields.Datetime(
        required=True, default=lambda self: fields.Datetime.now() + datetime.timedelta(days=DEFAULT_DAYS))
    max_days = fields.Float("Longest allowed (days)", compute="_compute_max_days",
                            help="The longest key duration Odoo allows this user (API Keys maximum duration "
                                 "of the user's groups); 0: no limit (administrators).")

    @api.model
    def _user_domain(self):
        return [("all_group_ids", "in", self.env.ref(GROUP_API_USER).ids)] + \
            self.env["res.users"]._rw_delegable_domain(self.env.user)

    @api.depends("user_id")
    def _compute_max_days(self):
        for wiz in self:
            user = wiz.user_id.sudo()  # technical: group settings of the chosen user
            if not user or user._is_system():
                wiz.max_days = 0.0
            else:
                # Odoo's own formula (res.users.apikeys._check_expiration_date)
                wiz.max_days = max(g.api_key_duration for g in user.all_group_ids) or 1.0

    @api.onchange("user_id")
    def _onchange_user_id_clamp_expiration(self):
        if self.max_days:
            latest = fields.Datetime.now() + datetime.timedelta(days=self.max_days)
            if not self.expiration_date or self.expiration_date > latest:
                self.expiration_date = latest - datetime.timedelta(minutes=1)

    @api.constrains("expiration_date")
    def _check_expiration(self):
        for wiz in self:
            if wiz.expiration_date <= fields.Datetime.now():
                raise ValidationError(self.env._("The expiration date must be in the future."))

    def action_issue(self):
        self.ensure_one()
        issuer = self.env.user
        if not issuer.has_group(GROUP_MANAGER):
            raise AccessError(self.env._("Only integration managers can issue API keys for other users."))
        target = self.user_id
        if not target.has_group(GROUP_API_USER):
            raise ValidationError(self.env._("The user must be in the group 'REST API: user'."))
        refusal = issuer._rw_delegation_refusal(target)
        if refusal:
            raise AccessError(self.env._("You cannot issue an API key for this user: %s", refusal))
        # No sudo: generating as the target user applies Odoo's expiry limit for that user
        # (res.users.apikeys._check_expiration_date raises ValidationError beyond it). The key row
        # records the target user; _generate writes it with plain SQL, so no ACL is involved.
        key = self.env["res.users.apikeys"].with_user(target)._generate(
            self._scope_column(), self.name, self.expiration_date)
        self._log_issue(target)
        self.unlink()
        return {
            "type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
            "views": [(False, "form")], "target": "new", "context": {"default_key": key},
        }

    def _scope_column(self):
        """res_users_apikeys.scope for the chosen scopes: rest_webhooks (*) or rest_webhooks:<scopes>."""
        return key_column(self.scope_ids._scope_set())

    def _log_issue(self, target):
        """Note the issue in the target user's chatter (res.users has none; its partner has)."""
        issuer = self.env.user
        body = self.env._(
            "REST API key \"%(name)s\" issued by %(issuer)s on %(when)s UTC: scope %(scope)s, "
            "expires on %(expiry)s UTC.",
            name=self.name, issuer=issuer.name, when=fields.Datetime.to_string(fields.Datetime.now()),
            scope=self._scope_column(), expiry=fields.Datetime.to_string(self.expiration_date))
        # sudo: a technical log line on the user's partner, which the manager may not be allowed to write
        target.partner_id.sudo().message_post(
            body=body, author_id=issuer.partner_id.id, message_type="comment", subtype_xmlid="mail.mt_note")
