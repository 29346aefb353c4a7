"""Whom an integration manager may act through: issue an API key to, or build webhook payloads as.

DESIGN: "No role may reach another user's rights". An administrator (base.group_system) may pick
any user except the superuser. Anyone else (an integration manager) may pick only a dedicated
integration user: not an administrator (Settings or Access Rights), not the superuser, not an
integration manager, with no group the manager lacks (the target's groups, implied ones
included, are a subset of the manager's, "REST API: user" aside) and in no company the manager is
not in. Used by api.key.issue (models/
api_key_issue.py) and webhook.endpoint.run_as_user_id (models/webhook_endpoint.py).
"""
from odoo import SUPERUSER_ID, api, models

GROUP_API_USER = "rest_webhooks.group_api_user"
GROUP_MANAGER = "rest_webhooks.group_integration_manager"
ADMIN_GROUPS = ("base.group_system", "base.group_erp_manager")


class ResUsers(models.Model):
    _inherit = "res.users"

    def _rw_delegation_refusal(self, target):
        """Why user ``self`` may not act through user ``target``; ``None`` when it may."""
        self.ensure_one()
        target.ensure_one()
        # sudo: comparing group memberships (configuration), not reading business data
        me, them = self.sudo(), target.sudo()
        if them.id == SUPERUSER_ID:
            return self.env._("%s is the superuser.", them.name)
        if me._is_system():
            return None
        if them._is_admin() or them._is_system():
            return self.env._("%s is an administrator.", them.name)
        if them.has_group(GROUP_MANAGER):
            return self.env._("%s is an integration manager.", them.name)
        extra = them.all_group_ids - me.all_group_ids - self.env.ref(GROUP_API_USER)
        if extra:
            return self.env._("%(user)s has rights you do not have: %(groups)s.", user=them.name,
                              groups=", ".join(extra.mapped("full_name")))
        # a key of a user in a company the manager is not in reads and writes that company's records
        companies = them.company_ids - me.company_ids
        if companies:
            return self.env._("%(user)s belongs to companies you do not: %(companies)s.", user=them.name,
                              companies=", ".join(companies.mapped("name")))
        return None

    @api.model
    def _rw_delegable_domain(self, manager):
        """Domain of the users ``manager`` may act through (the UI side of ``_rw_delegation_refusal``,
        which the server checks again)."""
        if manager._is_system():
            return [("id", "!=", SUPERUSER_ID)]
        Groups = self.env["res.groups"].sudo()  # technical: group ids only
        allowed = manager.sudo().all_group_ids | self.env.ref(GROUP_API_USER)
        forbidden = Groups.search([("id", "not in", allowed.ids)])
        for xmlid in ADMIN_GROUPS + (GROUP_MANAGER,):
            forbidden |= self.env.ref(xmlid)
        # users having a forbidden group, directly or implied: none of their own groups implies one
        implying = Groups.search([("all_implied_ids", "in", forbidden.ids)])
        others = self.env["res.company"].sudo().search([("id", "not in", manager.sudo().company_ids.ids)])
        return [("id", "!=", SUPERUSER_ID), ("group_ids", "not in", implying.ids),
                ("company_ids", "not in", others.ids)]
