"""Issue 10, outbound side: a user with only "Integrations: manager" (plus internal user) cannot act as
the administrator. Each test acts as such a non-administrator manager, through the ORM as that user
or over HTTP, and reproduces a hole that existed before the fix:

- API keys: only for dedicated integration users with no more rights than the manager, within
  Odoo's expiry limit of the target user, logged in the target's chatter (never the key);
- signing secrets: shown once for real (the flag cannot be reset, no stored row others can read),
  hints are fingerprints, not prefixes;
- webhook payloads: built with the endpoint's payload user's rights, not as superuser;
- "Send test event": no response body shown or stored;
- the documented manager flow (create, edit, disable, delete an endpoint) works in the UI without
  the manager being able to write server actions or automation rules.
"""
import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.rest_webhooks.lib.standard_webhooks import secret_fingerprint
from odoo.addons.rest_webhooks.models.res_users_api import API_KEY_SCOPE

from .webhook_common import WebhookTestMixin

MANAGER_GROUPS = "base.group_user,rest_webhooks.group_integration_manager"


class ManagerMixin:

    @classmethod
    def _make_users(cls):
        env = cls.env
        cls.manager = new_test_user(env, "sec_manager", groups=MANAGER_GROUPS)
        cls.other_manager = new_test_user(env, "sec_manager2", groups=MANAGER_GROUPS)
        cls.integration = new_test_user(env, "sec_integration",
                                        groups="base.group_user,rest_webhooks.group_api_user")
        # an API user with a right the manager lacks (sales)
        cls.rich = new_test_user(
            env, "sec_rich", groups="base.group_user,rest_webhooks.group_api_user,sales_team.group_sale_manager")
        cls.admin = env.ref("base.user_admin")


@tagged("post_install", "-at_install")
class TestManagerIssuesApiKeys(ManagerMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_users()

    def _issue(self, issuer, target, expiry, name="Connector key"):
        wizard = self.env["api.key.issue"].with_user(issuer).create({
            "user_id": target.id, "name": name, "expiration_date": expiry,
            "scope_ids": [Command.set(self.env.ref("rest_webhooks.api_scope_all").ids)]})
        return wizard.action_issue()

    def _keys(self, user):
        return self.env["res.users.apikeys"].sudo().search([("user_id", "=", user.id)])

    def test_manager_cannot_issue_key_for_administrator(self):
        self.assertTrue(self.admin.has_group("rest_webhooks.group_api_user"))
        before = self._keys(self.admin)
        with self.assertRaises(AccessError):
            self._issue(self.manager, self.admin, fields.Datetime.now() + datetime.timedelta(days=30))
        self.assertEqual(self._keys(self.admin), before)

    def test_manager_cannot_issue_key_for_superuser_manager_or_richer_user(self):
        root = self.env.ref("base.user_root")
        for target in (root, self.other_manager, self.rich):
            with self.subTest(target=target.login), self.assertRaises(AccessError):
                self._issue(self.manager, target, fields.Datetime.now() + datetime.timedelta(days=30))
            self.assertFalse(self._keys(target))

    def _offered(self, user):
        """The users the wizard's user field proposes to ``user`` (its domain, as the web client gets it)."""
        env = self.env(user=user)
        domain = env["api.key.issue"]._fields["user_id"]._description_domain(env)
        return env["res.users"].search(domain)

    def test_wizard_offers_only_integration_users_the_manager_may_serve(self):
        self.assertFalse(self.manager._is_admin() or self.manager._is_system())
        offered = self._offered(self.manager)
        self.assertIn(self.integration, offered)
        for user in (self.admin, self.env.ref("base.user_root"), self.other_manager, self.rich, self.manager):
            self.assertNotIn(user, offered, user.login)
        # the administrator's choice: every REST API user but the superuser
        offered = self._offered(self.admin)
        self.assertTrue({self.admin, self.rich, self.other_manager, self.integration} <= set(offered))
        self.assertNotIn(self.env.ref("base.user_root"), offered)

    def test_manager_cannot_act_through_a_user_of_another_company(self):
        # same groups as the manager's integration user, but also in a company the manager is not in:
        # its key would read and write that company's orders and partners
        # (the manager is in two companies too, so both have "Multi Companies": the groups match)
        other, mine = (self.env["res.company"].create({"name": name}) for name in ("Sec Other Company", "Sec Mine"))
        here = self.env.company
        both = new_test_user(self.env, "sec_two_companies", groups="base.group_user,rest_webhooks.group_api_user",
                             company_id=here.id, company_ids=[Command.set([here.id, other.id])])
        self.manager.company_ids = [Command.link(mine.id)]
        self.assertFalse(both.all_group_ids - self.manager.all_group_ids - self.env.ref("rest_webhooks.group_api_user"))
        with self.assertRaises(AccessError):
            self._issue(self.manager, both, fields.Datetime.now() + datetime.timedelta(days=30))
        self.assertFalse(self._keys(both))
        self.assertIn("Sec Other Company", self.manager._rw_delegation_refusal(both))
        self.assertNotIn(both, self._offered(self.manager))
        self.assertIn(self.integration, self._offered(self.manager))
        # a manager in both companies may; so may an administrator
        self.manager.company_ids = [Command.link(other.id)]
        self.assertIsNone(self.manager._rw_delegation_refusal(both))
        self.assertIn(both, self._offered(self.manager))
        self._issue(self.manager, both, fields.Datetime.now() + datetime.timedelta(days=30))
        self.assertEqual(len(self._keys(both)), 1)

    def test_manager_key_obeys_odoo_expiry_limit_of_target_user(self):
        # year 9999 used to pass (sudo()._generate skips the per-group limit)
        with self.assertRaises(ValidationError):
            self._issue(self.manager, self.integration, datetime.datetime(9999, 12, 31))
        self.assertFalse(self._keys(self.integration))
        # "Role / User" allows 90 days: 91 is refused, 30 is fine
        with self.assertRaises(ValidationError):
            self._issue(self.manager, self.integration, fields.Datetime.now() + datetime.timedelta(days=91))
        expiry = (fields.Datetime.now() + datetime.timedelta(days=30)).replace(microsecond=0)
        action = self._issue(self.manager, self.integration, expiry)
        key = action["context"]["default_key"]
        self.assertEqual(self.env["res.users.apikeys"]._check_credentials(scope=API_KEY_SCOPE, key=key),
                         self.integration.id)
        [row] = self._keys(self.integration)
        self.assertEqual((row.scope, row.name, row.expiration_date), (API_KEY_SCOPE, "Connector key", expiry))

    def test_issued_key_is_logged_in_target_chatter_without_the_key(self):
        expiry = (fields.Datetime.now() + datetime.timedelta(days=10)).replace(microsecond=0)
        action = self._issue(self.manager, self.integration, expiry, name="Shop sync")
        key = action["context"]["default_key"]
        messages = self.env["mail.message"].search([
            ("model", "=", "res.partner"), ("res_id", "=", self.integration.partner_id.id),
            ("body", "ilike", "Shop sync")])
        self.assertEqual(len(messages), 1)
        body = messages.body
        self.assertEqual(messages.author_id, self.manager.partner_id)
        for expected in (self.manager.name, API_KEY_SCOPE, fields.Datetime.to_string(expiry), "Shop sync"):
            self.assertIn(expected, body)
        self.assertNotIn(key, body)
        self.assertNotIn(key[:8], body)

    def test_administrator_may_issue_for_administrator_beyond_user_limit(self):
        other_admin = new_test_user(self.env, "sec_admin2",
                                    groups="base.group_system,rest_webhooks.group_api_user")
        action = self._issue(self.admin, other_admin, fields.Datetime.now() + datetime.timedelta(days=400))
        self.assertTrue(action["context"]["default_key"])
        with self.assertRaises(AccessError):
            self._issue(self.admin, self.env.ref("base.user_root"),
                        fields.Datetime.now() + datetime.timedelta(days=10))


@tagged("post_install", "-at_install")
class TestManagerSecrets(ManagerMixin, WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls._make_users()

    def _endpoint(self, user):
        receiver = self.start_receiver()
        return self.env["webhook.endpoint"].with_user(user).create({
            "name": "Secret test", "url": receiver.url,
            "model_id": self.env["ir.model"]._get_id("res.partner")})

    def test_secret_revealed_cannot_be_reset_over_write(self):
        endpoint = self._endpoint(self.manager)
        action = endpoint.action_show_secret()
        self.assertEqual(action["context"]["default_secret"], endpoint.sudo().secret)
        # readonly in the form, but RPC write() used to accept it and re-enable the button
        with self.assertRaises(AccessError):
            endpoint.write({"secret_revealed": False})
        with self.assertRaises(AccessError):
            endpoint.with_user(self.other_manager).write({"secret_revealed": False})
        self.assertTrue(endpoint.secret_revealed)
        with self.assertRaises(UserError):
            endpoint.action_show_secret()

    def test_shown_secret_is_stored_in_no_row_another_manager_could_read(self):
        endpoint = self._endpoint(self.manager)
        secret = endpoint.sudo().secret
        action = endpoint.action_show_secret()
        self.assertNotIn("res_id", action)
        self.assertEqual(action["context"]["default_secret"], secret)
        # the dialog model has no table: nothing for manager B to search_read until a vacuum
        Secret = self.env["webhook.endpoint.secret"]
        self.assertFalse(Secret._auto)
        self.env.cr.execute("SELECT to_regclass('webhook_endpoint_secret')")
        self.assertIsNone(self.env.cr.fetchone()[0])
        # the dialog still fills in from its defaults (what the web client does)
        result = Secret.with_user(self.manager).with_context(**action["context"]).onchange(
            {}, [], {"secret": {}, "endpoint_id": {"fields": {"display_name": {}}}})
        self.assertEqual(result["value"]["secret"], secret)

    def test_secret_hint_is_a_fingerprint_not_a_prefix(self):
        endpoint = self._endpoint(self.manager)
        secret = endpoint.sudo().secret
        self.assertEqual(endpoint.secret_hint, secret_fingerprint(secret))
        self.assertRegex(endpoint.secret_hint, r"^sha256:[0-9a-f]{4}$")
        self.assertNotIn(secret[6:10], endpoint.secret_hint)  # "whsec_" + the random part used to show
        action = endpoint.action_rotate_secret()
        self.assertEqual(endpoint.secret_hint, secret_fingerprint(action["context"]["default_secret"]))


@tagged("post_install", "-at_install")
class TestManagerPayloadUser(ManagerMixin, WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls._make_users()

    def test_payload_of_unreadable_record_is_its_id_only(self):
        """A manager without sales rights used to receive full sale orders (payload built as superuser)."""
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, model="sale.order", env=self.env(user=self.manager),
                                               event_deleted=True)
        self.assertEqual(endpoint.run_as_user_id, self.manager)
        partner = self.env["res.partner"].create({"name": "Customer of payload test"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        self.env.cr.flush()  # runs the precommit hook inserting created/updated deliveries
        delivery = endpoint.sudo().delivery_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.payload_restricted, True)
        self.dispatch()
        got = self.body(receiver.received[-1])
        self.assertEqual(got["type"], "sale.order.created")
        self.assertEqual(got["data"], {"id": order.id})
        # deleted events (read right away) too
        order.unlink()
        deleted = endpoint.sudo().delivery_ids.filtered(lambda d: d.event_type == "sale.order.deleted")
        self.assertIn('"data":{"id":%d}' % order.id, deleted.payload)

    def test_manager_reads_no_payload_built_with_administrator_rights(self):
        """Deliveries of an endpoint whose payloads are built as an administrator (or the superuser)
        are for administrators; a manager reads those built as themselves or a non-administrator."""
        receiver = self.start_receiver()
        partner_model = self.env["ir.model"]._get_id("res.partner")
        admin_endpoint = self.env["webhook.endpoint"].with_user(self.admin).create({
            "name": "Admin partners", "url": receiver.url, "model_id": partner_model, "timeout": 5,
            "event_updated": False})
        system_endpoint, _secret = self.make_endpoint(receiver, model="res.partner")  # superuser
        own_endpoint = self.env["webhook.endpoint"].with_user(self.manager).create({
            "name": "Manager partners", "url": receiver.url, "model_id": partner_model, "timeout": 5,
            "event_updated": False})
        self.env["res.partner"].create({"name": "Payload visibility"})
        self.env.cr.flush()  # runs the precommit hook inserting created/updated deliveries
        Delivery = self.env["webhook.delivery"]
        endpoints = admin_endpoint | system_endpoint | own_endpoint
        self.assertEqual(len(Delivery.search([("endpoint_id", "in", endpoints.ids)])), 3)
        self.assertEqual(Delivery.with_user(self.manager).search([("endpoint_id", "in", endpoints.ids)]).endpoint_id,
                         own_endpoint)
        self.assertEqual(len(Delivery.with_user(self.admin).search([("endpoint_id", "in", endpoints.ids)])), 3)
        admin_delivery = Delivery.search([("endpoint_id", "=", admin_endpoint.id)])
        with self.assertRaises(AccessError):
            admin_delivery.with_user(self.other_manager).read(["payload"])

    def test_manager_reads_no_payload_built_with_rights_they_lack(self):
        """Not another manager's payloads, nor those of a user with a group the manager lacks (set
        up by an administrator): only their own and their reach's (the rule of the payload user)."""
        receiver = self.start_receiver()
        vals = {"url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner"), "timeout": 5,
                "event_updated": False}
        Endpoint = self.env["webhook.endpoint"]
        other_managers = Endpoint.with_user(self.other_manager).create(dict(vals, name="Other manager's"))
        rich = Endpoint.with_user(self.admin).create(dict(vals, name="Sales manager's", run_as_user_id=self.rich.id))
        shared = Endpoint.with_user(self.other_manager).create(dict(vals, name="Integration user's",
                                                                    run_as_user_id=self.integration.id))
        self.env["res.partner"].create({"name": "Payload reach"})
        self.env.cr.flush()
        endpoints = other_managers | rich | shared
        Delivery = self.env["webhook.delivery"]
        self.assertEqual(len(Delivery.search([("endpoint_id", "in", endpoints.ids)])), 3)
        self.assertEqual(Delivery.with_user(self.manager).search([("endpoint_id", "in", endpoints.ids)]).endpoint_id,
                         shared)
        self.assertEqual(Delivery.with_user(self.other_manager).search([("endpoint_id", "in", endpoints.ids)])
                         .endpoint_id, other_managers | shared)
        with self.assertRaises(AccessError):
            Delivery.search([("endpoint_id", "=", other_managers.id)]).with_user(self.manager).read(["payload"])
        self.assertEqual(endpoints.with_user(self.manager).mapped("payload_in_reach"), [False, False, True])
        self.assertEqual(len(Delivery.with_user(self.admin).search([("endpoint_id", "in", endpoints.ids)])), 3)

    def test_payload_leaves_out_fields_the_payload_user_cannot_read(self):
        """res.users' api_rate_limit is for integration managers only: an endpoint whose payload user
        is a plain integration user sends the users without it; the superuser's endpoint with it."""
        receiver = self.start_receiver()
        Endpoint = self.env["webhook.endpoint"].with_user(self.manager)
        limited = Endpoint.create({"name": "Users as integration user", "url": receiver.url,
                                   "model_id": self.env["ir.model"]._get_id("res.users"),
                                   "event_updated": False, "run_as_user_id": self.integration.id,
                                   "timeout": 5})
        full, _secret = self.make_endpoint(receiver, model="res.users")  # system endpoint: superuser
        target = new_test_user(self.env, "sec_payload_target", groups="base.group_user", api_rate_limit=77)
        self.env.cr.flush()  # runs the precommit hook inserting created/updated deliveries
        [limited_delivery, full_delivery] = [
            ep.sudo().delivery_ids.filtered(lambda d: d.res_id == target.id) for ep in (limited, full)]
        self.assertIn('"login":"sec_payload_target"', limited_delivery.payload)
        self.assertNotIn("api_rate_limit", limited_delivery.payload)
        self.assertFalse(limited_delivery.payload_restricted)
        self.assertIn('"api_rate_limit":77', full_delivery.payload)

    def test_manager_cannot_build_payloads_as_administrator_or_richer_user(self):
        receiver = self.start_receiver()
        Endpoint = self.env["webhook.endpoint"].with_user(self.manager)
        vals = {"name": "Escalation", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner")}
        for target in (self.admin, self.rich, self.other_manager, self.env.ref("base.user_root")):
            with self.subTest(target=target.login), self.assertRaises(AccessError):
                Endpoint.create(dict(vals, run_as_user_id=target.id))
        endpoint = Endpoint.create(vals)
        with self.assertRaises(AccessError):
            endpoint.write({"run_as_user_id": self.admin.id})
        # an endpoint an administrator set up builds payloads as the administrator: a manager may
        # not redirect it elsewhere unless the payloads are then built with rights the manager has
        admin_endpoint = self.env["webhook.endpoint"].with_user(self.admin).create(vals)
        self.assertEqual(admin_endpoint.run_as_user_id, self.admin)
        mine = admin_endpoint.with_user(self.manager)
        with self.assertRaises(AccessError):
            mine.write({"url": receiver.url + "/elsewhere"})
        with self.assertRaises(AccessError):
            mine.write({"payload_fields": "id,email"})
        mine.write({"url": receiver.url + "/elsewhere", "run_as_user_id": self.manager.id})
        self.assertEqual(admin_endpoint.run_as_user_id, self.manager)
        mine.action_disable()  # harmless changes stay possible
        self.assertFalse(admin_endpoint.active)
        # administrators choose anyone, and may edit endpoints set up by the system (superuser payloads)
        system_endpoint = self.env["webhook.endpoint"].create(vals)
        self.assertEqual(system_endpoint.run_as_user_id, self.env.ref("base.user_root"))
        system_endpoint.with_user(self.admin).write({"url": receiver.url + "/admin"})
        with self.assertRaises(AccessError):
            system_endpoint.with_user(self.manager).write({"url": receiver.url + "/manager"})
        system_endpoint.with_user(self.admin).write({"run_as_user_id": self.rich.id})

    def test_filter_uses_only_what_the_payload_user_may_read(self):
        # the generated rules evaluate the filter as superuser: whether a delivery is queued would
        # tell the manager what a field (or a model) they cannot read holds
        receiver = self.start_receiver()
        vals = {"name": "Oracle", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner")}
        Endpoint = self.env["webhook.endpoint"].with_user(self.manager)
        for domain in ("[('signup_type', '=like', 'a%')]",                    # field of Access Rights admins
                       "[('sale_order_ids.amount_total', '>', 1000)]"):     # a model the manager cannot read
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                Endpoint.create(dict(vals, filter_domain=domain))
        endpoint = Endpoint.create(dict(vals, filter_domain="[('city', '=', 'Ghent')]"))
        with self.assertRaises(ValidationError):
            endpoint.write({"filter_domain": "[('signup_type', '!=', False)]"})
        # the administrator's payload user may: the same filter is accepted for them
        admin_endpoint = self.env["webhook.endpoint"].with_user(self.admin).create(
            dict(vals, filter_domain="[('sale_order_ids.amount_total', '>', 1000)]"))
        self.assertEqual(admin_endpoint.run_as_user_id, self.admin)

    def test_filter_is_evaluated_as_the_payload_user_when_the_event_happens(self):
        # the generated rules evaluate the filter as superuser: a partner the manager may not see,
        # or whose parent the manager may not see, got an event when it matched, which told the
        # manager what the hidden partner holds (here: that it is in Ghent)
        self.env["ir.rule"].create({
            "name": "Managers do not see the secret partners", "model_id": self.env["ir.model"]._get_id("res.partner"),
            "groups": [Command.set(self.env.ref("rest_webhooks.group_integration_manager").ids)],
            "domain_force": "[('ref', '!=', 'SECRET')]"})
        receiver = self.start_receiver()
        endpoint = self.env["webhook.endpoint"].with_user(self.manager).create({
            "name": "Ghent", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner"),
            "event_created": True, "event_updated": True, "event_deleted": True,
            "filter_domain": "['|', ('city', '=', 'Ghent'), ('parent_id.city', '=', 'Ghent')]"})
        Partner = self.env["res.partner"]
        hidden = Partner.create({"name": "Hidden in Ghent", "city": "Ghent", "ref": "SECRET", "is_company": True})
        child = Partner.create({"name": "Child in Bruges", "city": "Bruges", "parent_id": hidden.id, "type": "other"})
        seen = Partner.create({"name": "Seen in Ghent", "city": "Ghent"})
        Partner.create({"name": "Seen in Bruges", "city": "Bruges"})
        self.env.cr.flush()
        with self.assertRaises(AccessError):
            hidden.with_user(self.manager).check_access("read")
        child.with_user(self.manager).check_access("read")
        deliveries = endpoint.sudo().delivery_ids
        self.assertEqual(deliveries.mapped("res_id"), [seen.id])
        # updates and deletions alike
        (hidden | child | seen).write({"comment": "Updated"})
        self.env.cr.flush()
        (child | hidden).unlink()
        self.env.cr.flush()
        self.assertEqual(set(endpoint.sudo().delivery_ids.mapped("res_id")), {seen.id})
        self.assertEqual(len(endpoint.sudo().delivery_ids), 2)

    def test_context_default_cannot_choose_the_payload_user(self):
        # create() checked only run_as_user_id in the values: default_run_as_user_id in the context
        # (honoured by default_get) built the payloads as the superuser or an administrator
        receiver = self.start_receiver()
        vals = {"name": "Default escalation", "url": receiver.url,
                "model_id": self.env["ir.model"]._get_id("res.partner")}
        Endpoint = self.env["webhook.endpoint"]
        for target in (self.env.ref("base.user_root"), self.admin, self.rich):
            with self.subTest(target=target.login), self.assertRaises(AccessError):
                Endpoint.with_user(self.manager).with_context(default_run_as_user_id=target.id).create(vals)
        self.assertFalse(Endpoint.sudo().search([("name", "=", "Default escalation")]))
        # a default the manager may choose is kept
        mine = Endpoint.with_user(self.manager).with_context(default_run_as_user_id=self.integration.id).create(vals)
        self.assertEqual(mine.run_as_user_id, self.integration)

    def test_manager_gets_no_signing_secret_of_an_administrator_endpoint(self):
        # whoever holds the secret signs events the administrator's receiver trusts as this endpoint's
        receiver = self.start_receiver()
        vals = {"name": "Admin secret", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner")}
        admin_endpoint = self.env["webhook.endpoint"].with_user(self.admin).create(vals)
        secret = admin_endpoint.sudo().secret
        mine = admin_endpoint.with_user(self.manager)
        for action in (mine.action_show_secret, mine.action_rotate_secret):
            with self.subTest(action=action.__name__), self.assertRaises(AccessError):
                action()
        self.assertEqual(admin_endpoint.sudo().secret, secret)
        self.assertFalse(admin_endpoint.secret_revealed)
        mine.action_disable()  # disabling stays possible
        self.assertFalse(admin_endpoint.active)
        # the manager's own endpoint: shown, rotated
        own = self.env["webhook.endpoint"].with_user(self.manager).create(vals)
        shown = own.action_show_secret()["context"]["default_secret"]
        self.assertEqual(shown, own.sudo().secret)
        rotated = own.action_rotate_secret()["context"]["default_secret"]
        self.assertEqual((own.sudo().secret, own.sudo().previous_secret), (rotated, shown))
        self.assertNotEqual(rotated, admin_endpoint.sudo().secret)


@tagged("post_install", "-at_install")
class TestManagerApiClients(ManagerMixin, TransactionCase):
    """An OAuth2 client an administrator runs as themselves: a manager used to get its secret (so a
    token acting as the administrator) with "New secret", and could widen its scopes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_users()
        cls.scope_read = cls.env.ref("rest_webhooks.api_scope_orders_read")
        cls.scope_all = cls.env.ref("rest_webhooks.api_scope_all")
        cls.admin_client = cls.env["api.client"].with_user(cls.admin).create({
            "name": "Admin's client", "user_id": cls.admin.id, "scope_ids": [Command.set(cls.scope_read.ids)]})

    def _hash(self, client):
        self.env.cr.execute("SELECT secret_hash FROM api_client WHERE id = %s", (client.id,))
        return self.env.cr.fetchone()[0]

    def test_manager_cannot_take_over_an_administrator_client(self):
        secret_hash = self._hash(self.admin_client)
        mine = self.admin_client.with_user(self.manager)
        with self.assertRaises(AccessError):
            mine.action_new_secret()
        self.assertEqual(self._hash(self.admin_client), secret_hash)
        for vals in ({"scope_ids": [Command.set(self.scope_all.ids)]}, {"name": "Mine now"},
                     {"token_lifetime": 86400}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                mine.write(vals)
        self.assertEqual(self.admin_client.scope_ids, self.scope_read)
        # revoking it stays possible, reactivating it does not
        mine.action_revoke()
        self.assertFalse(self.admin_client.active)
        with self.assertRaises(AccessError):
            mine.write({"active": True})
        self.assertFalse(self.admin_client.active)

    def test_manager_manages_the_clients_of_integration_users(self):
        client = self.env["api.client"].with_user(self.manager).create({
            "name": "Connector", "user_id": self.integration.id, "scope_ids": [Command.set(self.scope_read.ids)]})
        secret = client.action_new_secret()["context"]["default_secret"]
        self.assertTrue(secret and client.has_secret)
        client.write({"scope_ids": [Command.set(self.scope_all.ids)], "token_lifetime": 600})
        self.assertEqual((client.scope_ids, client.token_lifetime), (self.scope_all, 600))
        # and the administrator manages anyone's
        self.admin_client.with_user(self.admin).write({"name": "Renamed"})
        client.with_user(self.admin).action_new_secret()
        self.assertEqual(self.admin_client.name, "Renamed")


@tagged("post_install", "-at_install")
class TestManagerSendTest(ManagerMixin, WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls._make_users()

    def test_send_test_shows_status_and_time_but_no_response_body(self):
        receiver = self.start_receiver(default_status=500)
        receiver.response_body = b"internal-service: db_password=hunter2"
        endpoint = self.env["webhook.endpoint"].with_user(self.manager).create({
            "name": "Probe", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner"),
            "timeout": 5})
        action = endpoint.action_send_test()
        self.assertEqual(len(receiver.received), 1)
        message = action["params"]["message"]
        self.assertRegex(message, r"^Test event failed \(HTTP 500, \d+ ms\)\.$")
        attempt = endpoint.delivery_ids.attempt_ids
        self.assertEqual(attempt.status_code, 500)
        self.assertFalse(attempt.response_excerpt)
        for value in (message, attempt.error, attempt.summary, endpoint.last_error,
                      endpoint.delivery_ids.last_error):
            self.assertNotIn("hunter2", value or "")
        receiver.default_status = 200
        action = endpoint.action_send_test()
        self.assertRegex(action["params"]["message"], r"^Test event delivered \(HTTP 200, \d+ ms\)\.$")
        self.assertFalse(any(endpoint.delivery_ids.attempt_ids.mapped("response_excerpt")))

    def test_deliveries_keep_no_answer_of_an_internal_address(self):
        # "allow local network" lets an endpoint reach 127.0.0.1: a manager could point one at an
        # internal service and read its answers in the attempts (only global addresses' are kept)
        receiver = self.start_receiver()
        receiver.response_body = b"internal service secrets"
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
        self.env["res.partner"].create({"name": "excerpt not kept"})
        self.dispatch()
        attempt = endpoint.delivery_ids.attempt_ids
        self.assertEqual((attempt.status_code, attempt.success), (200, True))
        self.assertFalse(attempt.response_excerpt)
        self.assertEqual(receiver.received[-1].json["data"]["name"], "excerpt not kept")  # it was sent


@tagged("post_install", "-at_install")
class TestManagerEndpointUi(ManagerMixin, WebhookTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls._make_users()

    def test_manager_creates_endpoint_in_the_ui(self):
        """The README's manager flow in the browser, as a manager without administrator rights."""
        receiver = self.start_receiver()
        action = self.env.ref("rest_webhooks.action_webhook_endpoint")
        action.context = repr({"active_test": False, "default_url": receiver.url,
                               "default_model_id": self.env["ir.model"]._get_id("res.partner")})
        self.start_tour("/odoo/action-rest_webhooks.action_webhook_endpoint", "rest_webhooks_endpoint_tour",
                        login=self.manager.login)
        endpoint = self.env["webhook.endpoint"].search([("name", "=", "Tour endpoint")])
        self.assertEqual(endpoint.create_uid, self.manager)
        self.assertEqual(endpoint.run_as_user_id, self.manager)
        self.assertEqual(len(endpoint.automation_ids), 2)
        self.assertEqual(len(receiver.received), 1)

    def test_manager_edits_disables_deletes_endpoint_over_rpc(self):
        receiver = self.start_receiver()
        self.authenticate(self.manager.login, self.manager.login)
        model_id = self.env["ir.model"]._get_id("res.partner")
        # what the endpoint form reads for a manager (the automation rules tab is for administrators)
        spec = {"name": {}, "secret_hint": {}, "run_as_user_id": {"fields": {"display_name": {}}},
                "update_field_ids": {"fields": {"display_name": {}}}, "model_id": {"fields": {"display_name": {}}}}

        def call(method, args, kwargs=None):
            return self.make_jsonrpc_request("/web/dataset/call_kw/webhook.endpoint/" + method, {
                "model": "webhook.endpoint", "method": method, "args": args, "kwargs": kwargs or {}})

        [row] = call("web_save", [[], {"name": "RPC endpoint", "url": receiver.url, "model_id": model_id,
                                       "event_updated": True}], {"specification": spec})
        endpoint = self.env["webhook.endpoint"].browse(row["id"])
        self.assertEqual(row["run_as_user_id"]["id"], self.manager.id)
        self.assertEqual(len(endpoint.automation_ids), 2)
        self.assertEqual(set(endpoint.automation_ids.action_server_ids.mapped("state")), {"rw_webhook"})
        call("web_save", [[endpoint.id], {"event_deleted": True}], {"specification": spec})
        endpoint.invalidate_recordset()
        self.assertEqual(len(endpoint.automation_ids), 3)
        call("action_disable", [[endpoint.id]])
        endpoint.invalidate_recordset()
        self.assertFalse(endpoint.active)
        self.assertFalse(endpoint.automation_ids)
        call("unlink", [[endpoint.id]])
        self.assertFalse(endpoint.exists())

    def test_manager_still_cannot_write_server_actions_or_automation_rules(self):
        model = self.env["ir.model"]._get("res.partner")
        with self.assertRaises(AccessError):
            self.env["ir.actions.server"].with_user(self.manager).create({
                "name": "code", "model_id": model.id, "state": "code", "code": "env.user.write({})"})
        with self.assertRaises(AccessError):
            self.env["base.automation"].with_user(self.manager).create({
                "name": "rule", "model_id": model.id, "trigger": "on_create"})
        endpoint = self.env["webhook.endpoint"].with_user(self.manager).create({
            "name": "Own rules", "url": "http://127.0.0.1:9/hook", "model_id": model.id})
        rule = endpoint.sudo().automation_ids[:1]
        with self.assertRaises(AccessError):
            rule.with_user(self.manager).write({"filter_domain": "[]"})
        with self.assertRaises(AccessError):
            rule.action_server_ids.with_user(self.manager).write({"state": "code", "code": "pass"})
