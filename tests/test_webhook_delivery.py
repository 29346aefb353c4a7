"""End-to-end outbound webhooks in one transaction: business write -> base.automation rule ->
"Send signed webhook" server action -> webhook.delivery (outbox) -> dispatcher -> a real HTTP
receiver on 127.0.0.1 that verifies the signatures independently (standardwebhooks from PyPI)."""
import datetime
import json

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .webhook_common import WebhookTestMixin


@tagged("post_install", "-at_install")
class TestWebhookDelivery(WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls.partner = cls.env["res.partner"].create({"name": "Webhook Customer", "email": "c@example.com"})
        cls.product = cls.env["product.product"].create({"name": "Widget", "list_price": 10.0})

    def _order(self, **vals):
        return self.env["sale.order"].create(dict({
            "partner_id": self.partner.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2})],
        }, **vals))

    def test_created_event_signed_and_delivered(self):
        receiver = self.start_receiver()
        endpoint, secret = self.make_endpoint(receiver, custom_headers="X-Tenant: acme")
        order = self._order()
        self.env.cr.flush()  # what the commit does: precommit hooks insert the queued deliveries
        delivery = self.env["webhook.delivery"].search([("endpoint_id", "=", endpoint.id)])
        self.assertEqual(len(delivery), 1)
        self.assertEqual((delivery.state, delivery.event_type, delivery.res_id),
                         ("pending", "sale.order.created", order.id))
        self.assertEqual(self.dispatch(), 1)

        self.assertEqual(len(receiver.received), 1)
        got = receiver.received[0]
        self.assertEqual(got.verified_with, [secret], got.error)
        self.assertTrue(got.legacy_ok)
        self.assertEqual(got.headers["webhook-id"], delivery.event_id)
        self.assertEqual(got.headers["x-odoo-event"], "sale.order.created")
        self.assertEqual(got.headers["content-type"], "application/json")
        self.assertEqual(got.headers["x-tenant"], "acme")
        body = json.loads(got.body)
        self.assertEqual(body["type"], "sale.order.created")
        self.assertTrue(body["timestamp"].endswith("Z"))
        # the payload is the REST representation of the record, taken when the event happened
        self.assertEqual(body["data"], order._rest_representation()[0] | {"id": order.id})
        self.assertEqual(got.body, delivery.payload.encode())
        self.assertEqual(json.loads(delivery.payload_pretty), body)  # the form's indented view
        self.assertIn('\n  "type": "sale.order.created"', delivery.payload_pretty)

        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.last_status_code, 200)
        attempt = delivery.attempt_ids
        self.assertEqual(len(attempt), 1)
        self.assertTrue(attempt.success)
        self.assertEqual(attempt.status_code, 200)
        self.assertFalse(attempt.response_excerpt)  # the receiver is on 127.0.0.1: an internal answer is not kept
        self.assertIn("webhook-signature", json.loads(attempt.request_headers))
        self.assertEqual(endpoint.count_delivered, 1)
        self.assertEqual(endpoint.success_rate, 100.0)
        # nothing left to send
        self.assertEqual(self.dispatch(), 0)
        self.assertEqual(len(receiver.received), 1)

    def test_payload_fields_subset(self):
        receiver = self.start_receiver()
        self.make_endpoint(receiver, model="res.partner", payload_fields="name, email")
        partner = self.env["res.partner"].create({"name": "Subset", "email": "s@example.com", "phone": "123"})
        self.dispatch()
        data = self.body(receiver.received[0])["data"]
        self.assertEqual(set(data), {"id", "name", "email"})
        self.assertEqual(data["id"], partner.id)

    def test_updated_only_when_chosen_fields_change(self):
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(
            receiver, event_created=False, event_updated=True,
            update_field_ids=[Command.set([self.env["ir.model.fields"]._get("sale.order", "client_order_ref").id])])
        order = self._order()
        order.note = "<p>not watched</p>"
        self.env.cr.flush()  # what the commit does: precommit hooks insert the queued deliveries
        self.assertFalse(endpoint.delivery_ids)
        order.client_order_ref = "PO-42"
        # a second change in the same transaction is the same event for everybody else
        order.client_order_ref = "PO-43"
        self.env.cr.flush()
        self.assertEqual(endpoint.delivery_ids.mapped("event_type"), ["sale.order.updated"])
        self.assertEqual(json.loads(endpoint.delivery_ids.payload)["data"], order._rest_representation()[0])

    def test_deleted_event_carries_record_as_before(self):
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner", event_created=False,
                                               event_deleted=True)
        partner = self.env["res.partner"].create({"name": "Going away"})
        pid = partner.id
        partner.unlink()
        self.dispatch()
        self.assertEqual(len(receiver.received), 1)
        body = self.body(receiver.received[0])
        self.assertEqual(body["type"], "res.partner.deleted")
        self.assertEqual((body["data"]["id"], body["data"].get("name")), (pid, "Going away"))
        self.assertEqual(endpoint.delivery_ids.state, "delivered")

    def test_order_confirmed_and_cancelled(self):
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, event_created=False, event_confirmed=True,
                                               event_cancelled=True)
        order = self._order()
        self.env.cr.flush()
        self.assertFalse(endpoint.delivery_ids)
        order.action_confirm()
        order._action_cancel()
        self.dispatch()
        types = [self.body(r)["type"] for r in receiver.received]
        self.assertEqual(sorted(types), ["sale.order.cancelled", "sale.order.confirmed"])

    def test_domain_filter(self):
        receiver = self.start_receiver()
        self.make_endpoint(receiver, model="res.partner", filter_domain="[('is_company', '=', True)]")
        self.env["res.partner"].create({"name": "A person"})
        company = self.env["res.partner"].create({"name": "A company", "is_company": True})
        self.dispatch()
        self.assertEqual([self.body(r)["data"]["id"] for r in receiver.received], [company.id])

    def test_payloads_are_read_in_the_payload_users_companies_not_the_editors(self):
        # the editor works with two companies selected; the payload user belongs to the first only:
        # its rights (record rules) are those of its own companies, and the editor's save goes through
        main = self.env.company
        other = self.env["res.company"].create({"name": "Second company"})
        editor = new_test_user(self.env, "mc_editor", groups="base.group_user,base.group_partner_manager",
                               company_id=main.id, company_ids=[Command.set([main.id, other.id])])
        reader = new_test_user(self.env, "mc_reader", groups="base.group_user",
                               company_id=main.id, company_ids=[Command.set([main.id])])
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner", run_as_user_id=reader.id,
                                               company_id=False, filter_domain="[('city', '=', 'Ghent')]")
        plain, _secret = self.make_endpoint(receiver, model="res.partner", run_as_user_id=reader.id,
                                            company_id=False)
        Partner = self.env["res.partner"].with_user(editor).with_context(allowed_company_ids=[other.id, main.id])
        shared = Partner.create({"name": "Shared in Ghent", "city": "Ghent"})
        theirs = Partner.create({"name": "Second company's", "city": "Ghent", "company_id": other.id})
        self.env.cr.flush()
        by_record = {d.res_id: d for d in endpoint.delivery_ids}
        self.assertEqual(set(by_record), {shared.id}, "the second company's partner is not the reader's")
        self.assertFalse(by_record[shared.id].payload_restricted)
        self.assertEqual(json.loads(by_record[shared.id].payload)["data"]["name"], "Shared in Ghent")
        # without a filter, the partner the reader may not read is sent as its id only
        plain_by_record = {d.res_id: d for d in plain.delivery_ids}
        self.assertEqual(set(plain_by_record), {shared.id, theirs.id})
        self.assertTrue(plain_by_record[theirs.id].payload_restricted)
        self.assertFalse(plain_by_record[shared.id].payload_restricted)

    def test_rules_follow_endpoint_lifecycle(self):
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, event_updated=True, event_deleted=True)
        rules = endpoint.automation_ids
        self.assertEqual(sorted(rules.mapped("trigger")), ["on_create", "on_unlink", "on_write"])
        self.assertEqual(set(rules.action_server_ids.mapped("state")), {"rw_webhook"})
        self.assertEqual(rules.action_server_ids.rw_endpoint_id, endpoint)
        # deactivating removes the rules: no more events
        endpoint.action_disable()
        self.assertFalse(endpoint.automation_ids)
        self.assertFalse(rules.exists())
        self._order()
        self.env.cr.flush()
        self.assertFalse(endpoint.delivery_ids)
        # enabling recreates them
        endpoint.action_enable()
        self.assertEqual(len(endpoint.automation_ids), 3)
        order = self._order()
        self.env.cr.flush()
        self.assertEqual(endpoint.delivery_ids.filtered(lambda d: d.res_id == order.id).mapped("event_type"),
                         ["sale.order.created"])
        # deleting the endpoint removes its rules and server actions
        rules, actions = endpoint.automation_ids, endpoint.automation_ids.action_server_ids
        endpoint.unlink()
        self.assertFalse(rules.exists())
        self.assertFalse(actions.exists())

    def test_server_action_in_a_rule_written_by_an_admin(self):
        receiver = self.start_receiver()
        endpoint, secret = self.make_endpoint(receiver, event_created=False)
        self.assertFalse(endpoint.automation_ids)
        self.env["base.automation"].create({
            "name": "Order reference set",
            "model_id": self.env["ir.model"]._get_id("sale.order"),
            "trigger": "on_write",
            "trigger_field_ids": [Command.set([self.env["ir.model.fields"]._get("sale.order", "client_order_ref").id])],
            "action_server_ids": [Command.create({
                "name": "Tell the ERP", "model_id": self.env["ir.model"]._get_id("sale.order"),
                "state": "rw_webhook", "rw_endpoint_id": endpoint.id, "rw_event": "reference_set",
            })],
        })
        order = self._order()
        order.client_order_ref = "REF-1"
        self.dispatch()
        self.assertEqual(len(receiver.received), 1)
        self.assertEqual(self.body(receiver.received[0])["type"], "sale.order.reference_set")
        self.assertEqual(receiver.received[0].verified_with, [secret])

    def test_webhook_action_run_keeps_odoo_access_checks(self):
        """run() of a "Send signed webhook" action skips the evaluation context but not Odoo's checks:
        a user who may not write the records, or lacks the action's groups, is refused; a user who
        may, enqueues one delivery per record."""
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, event_created=False)
        action = self.env["ir.actions.server"].create({
            "name": "Manual webhook", "model_id": self.env["ir.model"]._get_id("sale.order"),
            "state": "rw_webhook", "rw_endpoint_id": endpoint.id, "rw_event": "pushed"})
        order = self._order()
        reader = self.env["res.users"].create({
            "name": "Reader", "login": "webhook-reader",
            "group_ids": [Command.set([self.env.ref("base.group_user").id])]})
        with mute_logger("odoo.addons.base.models.ir_actions"), self.assertRaises(AccessError):
            action.with_user(reader).with_context(active_model="sale.order", active_ids=order.ids).run()
        action.group_ids = [Command.set([self.env.ref("base.group_system").id])]
        with self.assertRaises(AccessError):
            action.with_user(reader).with_context(active_model="sale.order", active_ids=order.ids).run()
        self.assertFalse(endpoint.delivery_ids)
        action.with_context(active_model="sale.order", active_ids=order.ids).run()  # administrator
        self.assertEqual(endpoint.delivery_ids.mapped("event_type"), ["sale.order.pushed"])

    def test_redirect_is_a_failure(self):
        receiver = self.start_receiver()
        receiver.script = [(302, {"Location": "http://127.0.0.1:1/elsewhere"})]
        endpoint, _secret = self.make_endpoint(receiver)
        self._order()
        self.dispatch()
        delivery = endpoint.delivery_ids
        self.assertEqual(len(receiver.received), 1)
        self.assertEqual((delivery.state, delivery.last_status_code), ("retrying", 302))
        self.assertIn("redirect", delivery.attempt_ids.error)

    def test_send_test_event_button(self):
        receiver = self.start_receiver()
        endpoint, secret = self.make_endpoint(receiver, model="res.partner")
        action = endpoint.action_send_test()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(len(receiver.received), 1)
        self.assertEqual(self.body(receiver.received[0])["type"], "res.partner.test")
        self.assertEqual(receiver.received[0].verified_with, [secret])
        receiver.default_status = 500
        action = endpoint.action_send_test()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("500", action["params"]["message"])

    def test_webhook_machinery_models_refused(self):
        receiver = self.start_receiver()
        for model in ("webhook.delivery", "webhook.attempt", "base.automation"):
            with self.subTest(model=model), self.assertRaises(ValidationError):
                self.make_endpoint(receiver, model=model)

    def test_invalid_configuration_is_refused(self):
        receiver = self.start_receiver()
        for vals in [{"filter_domain": "[('no_such_field', '=', 1)]"},
                     {"payload_fields": "name, no_such_json_name"},
                     {"custom_headers": "webhook-id: forged"},
                     {"custom_headers": "X-Ok: fine\nnot a header line"},
                     {"event_confirmed": True, "model": "res.partner"},
                     {"timeout": 0}]:
            vals = dict(vals)
            model = vals.pop("model", "sale.order")
            with self.subTest(vals=vals), self.assertRaises(ValidationError), \
                    mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.make_endpoint(receiver, model=model, **vals)

    def test_created_then_deleted_in_one_transaction(self):
        receiver = self.start_receiver()
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner", event_deleted=True)
        partner = self.env["res.partner"].create({"name": "Ephemeral"})
        partner.unlink()
        self.env.cr.flush()
        # nobody outside saw it exist: only the deletion (with the record as it was) is sent
        self.assertEqual(endpoint.delivery_ids.mapped("event_type"), ["res.partner.deleted"])
        self.assertEqual(json.loads(endpoint.delivery_ids.payload)["data"]["name"], "Ephemeral")


@tagged("post_install", "-at_install")
class TestEndpointHealth(WebhookTestMixin, TransactionCase):

    def test_health_of_several_endpoints_from_their_attempts(self):
        self._allow_local_network(self.env)
        receiver = self.start_receiver()
        recovered, _s = self.make_endpoint(receiver, model="res.partner", name="recovered")
        failing, _s = self.make_endpoint(receiver, model="res.partner", name="failing")
        silent, _s = self.make_endpoint(receiver, model="res.partner", name="silent")
        Delivery, Attempt = self.env["webhook.delivery"].sudo(), self.env["webhook.attempt"].sudo()
        now = fields.Datetime.now()

        def attempt(endpoint, days_ago, status, error=False):
            delivery = Delivery.create({"endpoint_id": endpoint.id, "event_type": "res.partner.test",
                                        "res_model": "res.partner", "res_id": 1, "payload": "{}",
                                        "next_attempt_at": now})
            Attempt.create({"delivery_id": delivery.id, "endpoint_id": endpoint.id, "status_code": status,
                            "success": 200 <= status < 300, "error": error,
                            "attempted_at": now - datetime.timedelta(days=days_ago)})

        attempt(recovered, 30, 500)       # outside the 7 days
        attempt(recovered, 2, 500)
        attempt(recovered, 1, 200)
        attempt(failing, 3, 200)
        attempt(failing, 2, 503)
        attempt(failing, 1, 0, "ConnectionError: refused")
        endpoints = (recovered | failing | silent).with_user(self.env.user)
        endpoints.invalidate_recordset()
        self.assertEqual(endpoints.mapped("success_rate"), [50.0, 100.0 / 3, 0.0])
        self.assertEqual(endpoints.mapped("last_error"), [False, "ConnectionError: refused", False])
        self.assertEqual([bool(d) for d in endpoints.mapped("last_success_at")], [True, True, False])
        self.assertLess(failing.last_success_at, now - datetime.timedelta(days=2))
