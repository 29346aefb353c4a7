"""Issue 10, inbound side: what an integration manager (not an administrator) can do with inbound
webhook sources. Each test acts as that manager through the ORM or over HTTP, or checks the
defences behind the manager's reach (processing-time checks, the shipped payment handler, the
replay window of the schemes that sign no timestamp)."""
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import requests

from odoo import Command, api
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, Form, HttpCase, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .inbound_common import URL, make_source, payment_body, signed_headers
from .real_server import use_real_cursors

SECRET = "s3cret-for-tests"
HANDLER_ADMIN = "rest_webhooks.group_inbound_handler_admin"
FROZEN = datetime(2026, 11, 23, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestInboundSecurity(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.main = ref("base.main_company")
        cls.other = cls.env["res.company"].create({"name": "Other company (inbound security)"})
        cls.admin = ref("base.user_admin")
        cls.admin.company_ids = [Command.link(cls.other.id)]  # the administrator works for both
        cls.runner = ref("rest_webhooks.user_inbound_webhooks")
        Users = cls.env["res.users"].with_context(no_reset_password=True)

        def user(login, groups, companies=(cls.main,)):
            return Users.create({
                "name": login, "login": login, "company_id": companies[0].id,
                "company_ids": [Command.set([c.id for c in companies])],
                "group_ids": [Command.set([ref(g).id for g in ("base.group_user",) + groups])]})

        # the manager of the issue: internal user + "Integrations: manager", nothing else
        cls.manager = user("inbound_sec_manager", ("rest_webhooks.group_integration_manager",))
        cls.dedicated = user("inbound_sec_runner", ("rest_webhooks.group_inbound_webhook_runner",
                                                    "sales_team.group_sale_salesman_all_leads"))
        cls.sales_user = user("inbound_sec_sales", ("sales_team.group_sale_salesman_all_leads",))
        cls.runner_erp_manager = user("inbound_sec_erp", ("rest_webhooks.group_inbound_webhook_runner",
                                                          "base.group_erp_manager"))
        cls.runner_manager = user("inbound_sec_runner_mgr", ("rest_webhooks.group_inbound_webhook_runner",
                                                             "rest_webhooks.group_integration_manager"))
        cls.partner = cls.env["res.partner"].create({"name": "Inbound security customer"})
        cls.product = cls.env["product.product"].create({"name": "Inbound security widget"})

    # ------------------------------------------------------------------ helpers
    def as_manager(self):
        return self.env(user=self.manager)

    def make_order(self, company=None):
        return self.env["sale.order"].create({
            "partner_id": self.partner.id, "company_id": (company or self.main).id,
            "order_line": [Command.create({"product_id": self.product.id, "price_unit": 100.0,
                                           "tax_ids": [Command.clear()]})],
        })

    def post(self, source, body, headers):
        return self.url_open(URL % source.slug, data=body, headers=headers)

    def events(self, source):
        return self.env["webhook.event"].search([("source_id", "=", source.id)], order="id")

    def process(self):
        return self.env["webhook.event"]._process_pending(commit=False)

    def code_action(self, code="record.write({'result': 'ran'})", model="webhook.event", **vals):
        return self.env["ir.actions.server"].create(dict({
            "name": "Inbound security action", "state": "code", "code": code,
            "model_id": self.env["ir.model"]._get_id(model)}, **vals))

    # ------------------------------------------------------------------ 2. run-as user and handler
    def test_groups_admin_has_handler_admin_group_manager_does_not(self):
        self.assertTrue(self.admin.has_group(HANDLER_ADMIN))  # implied by Settings administrator
        self.assertFalse(self.manager.has_group(HANDLER_ADMIN))
        self.assertFalse(self.manager.has_group("base.group_system"))

    def test_manager_cannot_make_a_source_run_as_the_administrator(self):
        """The hole: a manager set 'Run as' to the administrator. Refused at create, at write and through
        a context default; the source keeps the dedicated user."""
        Source = self.as_manager()["webhook.source"]
        with self.assertRaises(AccessError):
            make_source(Source.env, "github", run_as_user_id=self.admin.id)
        with self.assertRaises(AccessError):
            make_source(Source.with_context(default_run_as_user_id=self.admin.id).env, "github")
        source = make_source(Source.env, "github")  # the defaults are allowed
        self.assertEqual(source.run_as_user_id, self.runner)
        with self.assertRaises(AccessError):
            source.write({"run_as_user_id": self.admin.id})
        with self.assertRaises(AccessError):
            source.write({"run_as_user_id": self.dedicated.id})  # even a valid one: not the manager's choice
        self.assertEqual(source.run_as_user_id, self.runner)
        # the web client may send the unchanged value back with other fields
        source.write({"run_as_user_id": self.runner.id, "name": "Renamed by manager"})
        self.assertEqual(source.name, "Renamed by manager")

    def test_manager_cannot_choose_handler_or_server_action(self):
        """Nor the handler: a code action (created by an administrator for something else) or another
        Python handler is the administrator's choice."""
        action = self.code_action()
        Source = self.as_manager()["webhook.source"]
        for vals in ({"handler_type": "server_action", "server_action_id": action.id},
                     {"handler_type": "none"},
                     {"server_action_id": action.id}):
            with self.assertRaises(AccessError, msg=vals):
                make_source(Source.env, "github", **vals)
        source = make_source(Source.env, "github")
        self.assertEqual((source.handler_type, source.handler_code, source.server_action_id),
                         ("python", "sale_payment_succeeded", self.env["ir.actions.server"]))
        for vals in ({"handler_type": "server_action", "server_action_id": action.id},
                     {"handler_type": "none"}, {"server_action_id": action.id}):
            with self.assertRaises(AccessError, msg=vals):
                source.write(vals)
        # the secret of a source with the shipped handler stays the manager's to set
        source.write({"secret_input": "manager-rotated"})
        self.assertEqual(source.sudo().secret, "manager-rotated")
        # an administrator may (and the manager may then still edit the rest of the source)
        source.with_user(self.admin).write({"handler_type": "server_action", "server_action_id": action.id,
                                            "run_as_user_id": self.dedicated.id})
        source.write({"name": "Still editable", "replay_window_days": 3})
        self.assertEqual((source.handler_type, source.run_as_user_id), ("server_action", self.dedicated))
        # but not its secret: whoever knows it makes the administrator's action run on what they sign
        with self.assertRaises(AccessError):
            source.write({"secret_input": "forge-me"})
        self.assertEqual(source.sudo().secret, "manager-rotated")
        source.with_user(self.admin).write({"secret_input": "admin-rotated"})
        self.assertEqual(source.sudo().secret, "admin-rotated")

    def test_manager_cannot_configure_a_source_of_another_company(self):
        Source = self.as_manager()["webhook.source"]
        self.runner.company_ids = [Command.link(self.other.id)]  # not what stops the manager
        with self.assertRaises(AccessError):
            make_source(Source.env, "github", company_id=self.other.id)
        with self.assertRaises(AccessError):
            make_source(Source.with_context(default_company_id=self.other.id).env, "github")
        source = make_source(Source.env, "github")
        self.assertEqual(source.company_id, self.main)
        with self.assertRaises(AccessError):
            source.write({"company_id": self.other.id})
        self.assertEqual(source.company_id, self.main)
        self.assertFalse(self.env["webhook.source"].search([("company_id", "=", self.other.id)]))

    def test_run_as_user_must_be_dedicated_and_of_the_source_company(self):
        """Even an administrator (who has the handler group) can only pick the shipped user or a
        non-privileged member of the runner group, in the source's company."""
        Source = self.env(user=self.admin)["webhook.source"]
        for user in (self.admin, self.env.ref("base.user_root"), self.runner_erp_manager,
                     self.runner_manager, self.sales_user, self.manager):
            with self.assertRaises(ValidationError, msg=user.login):
                make_source(Source.env, "github", run_as_user_id=user.id)
        self.assertEqual(make_source(Source.env, "github", run_as_user_id=self.dedicated.id).run_as_user_id,
                         self.dedicated)
        # the run-as user must work for the source's company
        with self.assertRaises(ValidationError):
            make_source(Source.env, "github", run_as_user_id=self.dedicated.id, company_id=self.other.id)
        self.dedicated.company_ids = [Command.link(self.other.id)]
        make_source(Source.env, "github", run_as_user_id=self.dedicated.id, company_id=self.other.id)

    def test_run_as_field_domain_offers_only_dedicated_users(self):
        """The choices the form offers (the field's domain as the web client gets it)."""
        Source = self.env["webhook.source"].with_user(self.manager)
        domain = Source.fields_get(["run_as_user_id"])["run_as_user_id"]["domain"]

        def offered(company):
            return self.env["res.users"].with_user(self.manager).search(safe_eval(domain, {"company_id": company.id}))

        self.assertIn(self.runner, offered(self.main))
        self.assertIn(self.dedicated, offered(self.main))
        for user in (self.admin, self.manager, self.sales_user, self.runner_erp_manager, self.runner_manager):
            self.assertNotIn(user, offered(self.main), user.login)
        self.assertNotIn(self.runner, offered(self.other))

    def test_form_shows_handler_fields_readonly_to_managers(self):
        with Form(self.as_manager()["webhook.source"]) as form:
            form.name = "Manager form"
            form.slug = "manager-form-%s" % uuid.uuid4().hex[:6]
            form.scheme = "github"
            form.secret_input = SECRET
            for name, value in (("run_as_user_id", self.admin), ("handler_type", "none")):
                with self.assertRaises(AssertionError, msg=name):  # Form: "can't write on readonly field"
                    setattr(form, name, value)
        source = form.record
        self.assertEqual((source.run_as_user_id, source.handler_type), (self.runner, "python"))
        self.assertFalse(source.can_edit_handler)
        self.assertTrue(source.with_user(self.admin).can_edit_handler)
        with Form(source.with_user(self.admin)) as admin_form:
            admin_form.run_as_user_id = self.dedicated
        self.assertEqual(source.run_as_user_id, self.dedicated)

    def test_server_action_must_be_on_webhook_event(self):
        Source = self.env(user=self.admin)["webhook.source"]
        on_partner = self.code_action("env['res.partner'].search([])", model="res.partner")
        with self.assertRaises(ValidationError):
            make_source(Source.env, "github", handler_type="server_action", server_action_id=on_partner.id)
        source = make_source(Source.env, "github", handler_type="server_action",
                             server_action_id=self.code_action().id, run_as_user_id=self.dedicated.id)
        self.assertEqual(source.server_action_id.model_id.model, "webhook.event")

    def test_code_action_must_be_written_by_a_settings_administrator(self):
        """A code (or Python 'equation') action, or a multi action with one as child, last written by
        someone who may not write code is refused when configured, and not run if set before."""
        Source = self.env(user=self.admin)["webhook.source"]
        actions = {
            "code": self.code_action(),
            "equation": self.env["ir.actions.server"].create({
                "name": "Equation", "state": "object_write", "evaluation_type": "equation",
                "model_id": self.env["ir.model"]._get_id("webhook.event"),
                "update_path": "result", "value": "'ran'"}),
        }
        child = self.code_action()
        actions["multi"] = self.env["ir.actions.server"].create({
            "name": "Multi", "state": "multi", "model_id": self.env["ir.model"]._get_id("webhook.event"),
            "child_ids": [Command.link(child.id)]})
        written = [a for a in actions.values() if a.state != "multi"] + [child]
        source = make_source(Source.env, "github", handler_type="server_action",
                             server_action_id=actions["code"].id, run_as_user_id=self.dedicated.id)
        # what a user allowed to write server actions but not code (e.g. through a custom access
        # right) would leave: the action's last writer is no Settings administrator
        self.env.flush_all()  # (a later flush would write write_uid again)
        self.env.cr.execute("UPDATE ir_act_server SET write_uid = %s WHERE id IN %s",
                            [self.manager.id, tuple(a.id for a in written)])
        self.env.invalidate_all()
        for kind, action in actions.items():
            with self.assertRaises(ValidationError, msg=kind):
                make_source(Source.env, "github", handler_type="server_action", server_action_id=action.id,
                            run_as_user_id=self.dedicated.id)
        # configured before: the event fails, the code does not run
        body = b'{"type": "anything"}'
        self.post(source, body, signed_headers("github", SECRET, body, event_id="written-by-manager"))
        self.process()
        event = self.events(source)
        self.assertEqual(event.state, "failed")
        self.assertIn("not written by a Settings administrator", event.error)
        self.assertFalse(event.result)

    def test_processing_refuses_a_source_that_runs_as_admin_or_outside_its_company(self):
        """A source row written by SQL (or before the upgrade) naming the administrator does not run."""
        source = make_source(self.env, "github")
        order = self.make_order()
        body = payment_body(order.name, amount=100.0, currency=order.currency_id.name)
        self.env.flush_all()
        self.env.cr.execute("UPDATE webhook_source SET run_as_user_id = %s WHERE id = %s",
                            [self.admin.id, source.id])
        self.env.invalidate_all()
        self.post(source, body, signed_headers("github", SECRET, body, event_id="as-admin"))
        self.process()
        event = self.events(source)
        self.assertEqual(event.state, "failed")
        self.assertIn("Not run", event.error)
        self.assertIn("administrator", event.error)
        self.assertEqual(order.state, "draft")
        # back to the dedicated user, but the source moved (by SQL) to a company the user is not in
        self.env.cr.execute("UPDATE webhook_source SET run_as_user_id = %s, company_id = %s WHERE id = %s",
                            [self.runner.id, self.other.id, source.id])
        self.env.invalidate_all()
        event.action_reprocess()
        self.assertEqual(event.state, "failed")
        self.assertIn("does not belong to the company", event.error)
        self.assertEqual(order.state, "draft")

    def test_manager_signed_event_cannot_confirm_an_order_of_another_company(self):
        """The review's reproduction: the manager configures a source of the other company running as
        the administrator, types its secret and signs (over HTTP) an event for an order of that
        company. The configuration is refused; what the manager can configure runs as the dedicated
        user in the manager's company: the order is not found and stays a draft."""
        foreign = self.make_order(company=self.other)
        with self.assertRaises(AccessError):
            make_source(self.as_manager(), "github", "manager-typed-secret", company_id=self.other.id,
                        run_as_user_id=self.admin.id)
        source = make_source(self.as_manager(), "github", "manager-typed-secret")
        for vals in ({"run_as_user_id": self.admin.id}, {"company_id": self.other.id}):
            with self.assertRaises(AccessError, msg=vals):
                source.write(vals)
        body = payment_body(foreign.name, amount=100.0, currency=foreign.currency_id.name)
        res = self.post(source, body, signed_headers("github", "manager-typed-secret", body))
        self.assertEqual(res.json()["status"], "accepted")
        self.process()
        event = self.events(source)
        self.assertEqual(event.state, "failed")
        self.assertIn("no sale order with reference", event.error)
        self.assertEqual(foreign.state, "draft")

    # ------------------------------------------------------------------ 7. payment handler
    def test_payment_without_amount_fails_and_does_not_confirm(self):
        source = make_source(self.env, "github")
        order = self.make_order()
        generic = payment_body(order.name, currency=order.currency_id.name)  # no amount
        stripe_like = json.dumps({"type": "payment_intent.succeeded", "data": {"object": {
            "amount_received": 10000, "metadata": {"order_reference": order.name}}}}).encode()  # no currency
        for key, body in (("generic", generic), ("stripe", stripe_like)):
            self.post(source, body, signed_headers("github", SECRET, body, event_id=key))
        self.process()
        for event in self.events(source):
            self.assertEqual(event.state, "failed", event.event_id)
            self.assertIn("carries no amount", event.error)
        self.assertEqual(order.state, "draft")
        # with the amount, the same order is confirmed
        body = payment_body(order.name, amount=100.0, currency=order.currency_id.name)
        self.post(source, body, signed_headers("github", SECRET, body, event_id="with-amount"))
        self.process()
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------ 8. replay window
    def test_without_window_a_replayed_body_with_a_new_event_id_is_processed_again(self):
        """The documented limit of Shopify/GitHub: the event id is an unsigned header."""
        source = make_source(self.env, "github", handler_type="none")
        self.assertEqual(source.replay_window_days, 0)
        body = b'{"type": "orders/paid", "id": 1}'
        for delivery in ("original", "replayed"):
            res = self.post(source, body, signed_headers("github", SECRET, body, event_id=delivery))
            self.assertEqual(res.json()["status"], "accepted")
        self.assertEqual(self.events(source).mapped("event_id"), ["original", "replayed"])
        self.assertEqual(self.events(source).mapped("body_hash"), [False, False])

    def test_replay_window_answers_duplicate_for_the_same_body_within_the_window(self):
        for scheme, secret in (("github", SECRET), ("shopify", "shpss_test")):
            # set by the manager: the window is not a handler field
            source = make_source(self.as_manager(), scheme, secret)
            source.write({"replay_window_days": 7})
            body = ('{"type": "orders/paid", "scheme": "%s"}' % scheme).encode()
            with freeze_time(FROZEN):
                res = self.post(source, body, signed_headers(scheme, secret, body, event_id="first"))
                self.assertEqual((res.status_code, res.json()), (200, {"status": "accepted", "event_id": "first"}))
            with freeze_time(FROZEN + timedelta(days=6, hours=23)):
                res = self.post(source, body, signed_headers(scheme, secret, body, event_id="replayed"))
                self.assertEqual((res.status_code, res.json()),
                                 (200, {"status": "duplicate", "event_id": "replayed"}), scheme)
                other = body.replace(b"}", b", \"n\": 2}")
                res = self.post(source, other, signed_headers(scheme, secret, other, event_id="other"))
                self.assertEqual(res.json()["status"], "accepted")
            self.assertEqual(self.events(source).mapped("event_id"), ["first", "other"])
            first = self.events(source)[0]
            # after the window the same body is a new event again (the old one keeps no hash)
            with freeze_time(FROZEN + timedelta(days=7, seconds=1)):
                res = self.post(source, body, signed_headers(scheme, secret, body, event_id="much-later"))
                self.assertEqual(res.json()["status"], "accepted", scheme)
                # and the event id dedupe still comes first
                res = self.post(source, body, signed_headers(scheme, secret, body, event_id="first"))
                self.assertEqual(res.json(), {"status": "duplicate", "event_id": "first"})
            self.env.invalidate_all()  # the request freed the old hash in SQL
            self.assertEqual(self.events(source).mapped("event_id"), ["first", "other", "much-later"])
            self.assertFalse(first.body_hash)
            self.assertEqual(len(self.events(source)[2].body_hash), 64)

    def test_replay_window_does_not_apply_to_schemes_that_sign_a_timestamp(self):
        source = make_source(self.env, "stripe", "whsec_stripe_test", handler_type="none",
                             replay_window_days=7)
        body = b'{"id": "evt_1", "type": "x"}'
        self.post(source, body, signed_headers("stripe", "whsec_stripe_test", body))
        self.assertFalse(self.events(source).body_hash)
        with self.assertRaises(ValidationError):
            source.replay_window_days = -1


@tagged("post_install", "-at_install")
class TestInboundReplayConcurrency(BaseCase):
    """Copies of one signed body under different event ids, posted at once to the running server
    (each request in its own transaction): one event is stored."""
    COPIES = 20

    def setUp(self):
        super().setUp()
        use_real_cursors(self)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            source = make_source(env, "shopify", "shpss_concurrent", handler_type="none", replay_window_days=7)
            self.source_id, self.slug = source.id, source.slug
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, api.SUPERUSER_ID, {})["webhook.source"].browse(self.source_id).unlink()

    def test_same_body_under_new_event_ids_at_once_is_stored_once(self):
        body = b'{"type": "orders/paid", "order": 42}'
        barrier = threading.Barrier(self.COPIES)

        def deliver(i):
            headers = signed_headers("shopify", "shpss_concurrent", body, event_id="copy-%d" % i)
            barrier.wait(timeout=30)
            res = requests.post(self.base + URL % self.slug, data=body, headers=headers, timeout=60)
            return res.status_code, res.json().get("status")

        with ThreadPoolExecutor(max_workers=self.COPIES) as pool:
            results = list(pool.map(deliver, range(self.COPIES)))
        self.assertEqual({code for code, _s in results}, {200}, results)
        statuses = [s for _c, s in results]
        self.assertEqual(statuses.count("accepted"), 1, statuses)
        self.assertEqual(statuses.count("duplicate"), self.COPIES - 1)
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM webhook_event WHERE source_id = %s", [self.source_id])
            self.assertEqual(cr.fetchone()[0], 1)
