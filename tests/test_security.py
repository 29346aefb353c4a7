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



@tagged("post_install", "-at_install")
class TestGenericRepresentation(TransactionCase):

    def test_generic_representation_respects_field_groups(self):
        """res.users has no curated representation: a plain internal user gets the generic one without
        the fields restricted to groups it lacks (like read(), instead of an AccessError)."""
        user = self.env["res.users"].create({
            "name": "Rep", "login": "rep_test",
            "group_ids": [(6, 0, [self.env.ref("base.group_user").id])]})
        restricted = [n for n, f in user._fields.items()
                      if f.groups and f.store and not user.has_groups(f.groups)]
        self.assertIn("api_rate_limit", restricted)
        as_user = user.with_user(user)
        [row] = as_user._rest_representation()
        self.assertEqual(row["id"], user.id)
        self.assertEqual(row["login"], "rep_test")
        self.assertEqual(row["company_id"], {"id": user.company_id.id, "name": user.company_id.display_name})
        for name in restricted:
            self.assertNotIn(name, row)
        # an administrator does get them
        [admin_row] = user.with_user(self.env.ref("base.user_admin"))._rest_representation()
        self.assertIn("api_rate_limit", admin_row)
