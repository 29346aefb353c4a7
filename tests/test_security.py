from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):

    def test_every_addon_model_has_access_rules(self):
        """A model without ir.model.access is unusable (or, worse, someone adds a blanket rule later)."""
        models = self.env["ir.model"].search([]).filtered(
            lambda m: "rest_webhooks" in (m.modules or "").split(", ") and not m.transient
            and self.env[m.model]._auto and not self.env[m.model]._abstract)
        missing = [m.model for m in models
                   if not self.env["ir.model.access"].search_count([("model_id", "=", m.id)])]
        self.assertEqual(missing, [], "models of rest_webhooks without ir.model.access")

    def test_manager_implies_api_user_and_admin_is_manager(self):
        manager = self.env.ref("rest_webhooks.group_integration_manager")
        api_user = self.env.ref("rest_webhooks.group_api_user")
        self.assertIn(api_user, manager.all_implied_ids)
        self.assertIn(manager, self.env.ref("base.user_admin").all_group_ids)

    def test_integrations_menu_only_for_managers(self):
        menu = self.env.ref("rest_webhooks.menu_integrations_root")
        self.assertEqual(menu.group_ids, self.env.ref("rest_webhooks.group_integration_manager"))
        plain = self.env["res.users"].create({
            "name": "Plain", "login": "plain_sec_test",
            "group_ids": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(plain)._visible_menu_ids())
