"""Inbound webhooks over real HTTP: verification per scheme, status codes, dedupe, processing as the
run-as user, the payment-succeeded handler, rotation, tolerance edges (freezegun), retention."""
import json
from datetime import datetime, timedelta
from urllib.parse import urlencode

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, freeze_time, new_test_user, tagged

from .inbound_common import SW_SECRET, URL, make_source, payment_body, signed_headers

PROBLEM = "application/problem+json"
FROZEN = datetime(2026, 11, 23, 9, 0, 0)
FROZEN_TS = int((FROZEN - datetime(1970, 1, 1)).total_seconds())


@tagged("post_install", "-at_install")
class TestInboundWebhooks(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner = cls.env.ref("rest_webhooks.user_inbound_webhooks")
        cls.partner = cls.env["res.partner"].create({"name": "Inbound Customer"})
        cls.product = cls.env["product.product"].create({"name": "Widget", "list_price": 100.0})

    def make_order(self, qty=1):
        return self.env["sale.order"].create({
            "partner_id": self.partner.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty,
                                           "price_unit": 100.0, "tax_ids": [Command.clear()]})],
        })

    def post(self, source, body, headers):
        return self.url_open(URL % source.slug, data=body, headers=headers)

    def events(self, source):
        return self.env["webhook.event"].search([("source_id", "=", source.id)])

    def assertProblem(self, res, status):
        self.assertEqual(res.status_code, status, res.text)
        self.assertEqual(res.headers["Content-Type"], PROBLEM)
        doc = res.json()
        self.assertEqual(doc["status"], status)
        return doc

    def process(self):
        return self.env["webhook.event"]._process_pending(commit=False)

    # ------------------------------------------------------------------ happy path, dedupe, handler
    def test_github_payment_confirms_order_once(self):
        source = make_source(self.env, "github")
        order = self.make_order()
        body = payment_body(order.name, amount=100.0, currency=order.currency_id.name)
        headers = signed_headers("github", "s3cret-for-tests", body, event_id="delivery-1")
        res = self.post(source, body, headers)
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json(), {"status": "accepted", "event_id": "delivery-1"})
        event = self.events(source)
        self.assertEqual(len(event), 1)
        self.assertEqual((event.state, event.event_type, event.attempts), ("received", "payment.succeeded", 0))
        self.assertEqual(json.loads(event.payload)["data"]["reference"], order.name)
        stored_headers = json.loads(event.headers)
        self.assertEqual(stored_headers["X-GitHub-Delivery"], "delivery-1")
        self.assertNotIn("X-Hub-Signature-256", stored_headers)  # signatures are not kept
        # storing woke the processing cron: one trigger at most a second after the commit (or a
        # fresh one already there), shared by the events of a burst (a second event adds none)
        cron = self.env.ref("rest_webhooks.ir_cron_inbound_webhooks")
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search([("cron_id", "=", cron.id)])
        self.assertEqual(len(triggers), 1)
        delay = (triggers.call_at - fields.Datetime.now()).total_seconds()
        self.assertTrue(-60 < delay <= 2, delay)
        body2 = payment_body("NO-SUCH-ORDER", amount=1.0)
        res = self.post(source, body2, signed_headers("github", "s3cret-for-tests", body2, event_id="delivery-2"))
        self.assertEqual(res.json()["status"], "accepted")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)
        self.events(source).filtered(lambda e: e.event_id == "delivery-2").unlink()
        self.assertEqual(order.state, "draft")

        self.assertEqual(self.process(), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual((event.state, event.attempts, event.error), ("processed", 1, False))
        self.assertIn(order.name, event.result)
        # the handler ran as the dedicated run-as user, not the superuser
        self.assertEqual(order.write_uid, self.runner)

        # a retry of the same delivery: 200, not stored again, not processed again
        res = self.post(source, body, headers)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json()["status"], "duplicate")
        self.assertEqual(self.events(source), event)
        self.assertEqual(self.process(), 0)
        self.assertEqual(event.attempts, 1)

    def test_shopify_standard_and_generic_hmac_accepted(self):
        for scheme, secret, extra in [("shopify", "shpss_x", {}), ("standard", SW_SECRET, {}),
                                      ("hmac", "generic", {"hmac_header": "X-Sig", "hmac_encoding": "base64"})]:
            source = make_source(self.env, scheme, secret, handler_type="none", **extra)
            body = b'{"type": "something.happened", "n": 1}'
            headers = signed_headers(scheme, secret, body, event_id="E-%s" % scheme,
                                     hmac_header="X-Sig", hmac_encoding="base64")
            res = self.post(source, body, headers)
            self.assertEqual(res.status_code, 200, (scheme, res.text))
            expected_id = "E-%s" % scheme if scheme != "hmac" else res.json()["event_id"]
            self.assertEqual(self.events(source).event_id, expected_id)
            if scheme == "hmac":  # generic default: dedupe on the body's SHA-256
                self.assertTrue(expected_id.startswith("sha256:"))
            res = self.post(source, body, headers)
            self.assertEqual(res.json()["status"], "duplicate")
            self.assertEqual(len(self.events(source)), 1)

    def test_stripe_event_id_from_payload_and_stripe_payload(self):
        source = make_source(self.env, "stripe", "whsec_stripe_test")
        order = self.make_order(qty=2)  # 200.00
        body = json.dumps({
            "id": "evt_3Nabc", "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {"object": "payment_intent", "amount_received": 20000,
                                "currency": order.currency_id.name.lower(),
                                "metadata": {"order_reference": order.name}}},
        }).encode()
        res = self.post(source, body, signed_headers("stripe", "whsec_stripe_test", body))
        self.assertEqual(res.json(), {"status": "accepted", "event_id": "evt_3Nabc"})
        self.process()
        self.assertEqual(order.state, "sale")

    def test_github_form_encoded_payload(self):
        """GitHub's 'application/x-www-form-urlencoded' content type: payload=<json>, signed raw."""
        source = make_source(self.env, "github", handler_type="none")
        body = urlencode({"payload": json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1})}).encode()
        headers = dict(signed_headers("github", "s3cret-for-tests", body, event_id="form-1"),
                       **{"Content-Type": "application/x-www-form-urlencoded"})
        res = self.post(source, body, headers)
        self.assertEqual(res.json(), {"status": "accepted", "event_id": "form-1"})
        self.assertEqual(json.loads(self.events(source).payload)["hook_id"], 1)
        tampered = body.replace(b"awesome", b"awful")
        self.assertProblem(self.post(source, tampered, headers), 401)

    def test_json_path_and_header_event_ids(self):
        source = make_source(self.env, "github", event_id_source="json", event_id_name="data.reference",
                             handler_type="none")
        body = payment_body("REF-9")
        self.assertEqual(self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
                         .json()["event_id"], "REF-9")
        source.write({"event_id_source": "header", "event_id_name": "X-Idem"})
        headers = dict(signed_headers("github", "s3cret-for-tests", body), **{"X-Idem": "idem-1"})
        self.assertEqual(self.post(source, body, headers).json()["event_id"], "idem-1")
        self.assertEqual(json.loads(self.events(source)[0].headers)["X-Idem"], "idem-1")

    # ------------------------------------------------------------------ errors: 404 401 413 400
    def test_unknown_and_inactive_slug_404(self):
        res = self.url_open(URL % "no-such-source", data=b"{}", headers={"Content-Type": "application/json"})
        self.assertProblem(res, 404)
        source = make_source(self.env, "github")
        source.active = False
        body = payment_body("X")
        self.assertProblem(self.post(source, body, signed_headers("github", "s3cret-for-tests", body)), 404)
        self.assertFalse(self.events(source))

    def test_get_is_not_allowed(self):
        source = make_source(self.env, "github")
        res = self.url_open(URL % source.slug)
        self.assertEqual(res.status_code, 405)

    def test_wrong_secret_tampered_body_missing_header_401_nothing_stored(self):
        source = make_source(self.env, "github")
        body = payment_body("S1")
        wrong = signed_headers("github", "another secret", body)
        doc = self.assertProblem(self.post(source, body, wrong), 401)
        self.assertIn("signature", doc["detail"])
        good = signed_headers("github", "s3cret-for-tests", body)
        self.assertProblem(self.post(source, body.replace(b"S1", b"S2"), good), 401)
        missing = {k: v for k, v in good.items() if k != "X-Hub-Signature-256"}
        self.assertProblem(self.post(source, body, missing), 401)
        self.assertFalse(self.events(source))

    def test_body_above_limit_413(self):
        source = make_source(self.env, "github", max_body_bytes=1000)
        body = json.dumps({"pad": "x" * 1200}).encode()
        doc = self.assertProblem(self.post(source, body, signed_headers("github", "s3cret-for-tests", body)), 413)
        self.assertIn("1000", doc["detail"])
        self.assertFalse(self.events(source))
        # default limit: 1 MiB
        self.assertEqual(make_source(self.env, "github").max_body_bytes, 1024 * 1024)

    def test_not_json_400_after_signature(self):
        source = make_source(self.env, "github")
        body = b"amount=12&ref=S1"
        # unsigned: 401 (the signature is checked before anything is parsed)
        self.assertProblem(self.post(source, body, {"Content-Type": "application/json"}), 401)
        doc = self.assertProblem(self.post(source, body, signed_headers("github", "s3cret-for-tests", body)), 400)
        self.assertIn("JSON", doc["detail"])
        self.assertFalse(self.events(source))

    def test_missing_event_id_400(self):
        source = make_source(self.env, "stripe", "whsec_x")
        body = b'{"type": "payment_intent.succeeded"}'  # no "id"
        self.assertProblem(self.post(source, body, signed_headers("stripe", "whsec_x", body)), 400)
        self.assertFalse(self.events(source))

    # ------------------------------------------------------------------ tolerance edges (freezegun)
    def test_stripe_and_standard_tolerance_edges(self):
        cases = [(-300, 200), (300, 200), (-301, 401), (301, 401)]
        for scheme, secret in [("stripe", "whsec_edge"), ("standard", SW_SECRET)]:
            source = make_source(self.env, scheme, secret, tolerance=300, handler_type="none")
            with freeze_time(FROZEN):
                for delta, status in cases:
                    body = json.dumps({"id": "evt_%s_%d" % (scheme, delta), "type": "x"}).encode()
                    headers = signed_headers(scheme, secret, body, event_id="msg_%d" % delta,
                                             timestamp=FROZEN_TS + delta)
                    res = self.post(source, body, headers)
                    self.assertEqual(res.status_code, status, (scheme, delta, res.text))
                    if status == 401:
                        self.assertIn("too", res.json()["detail"])
            self.assertEqual(len(self.events(source)), 2)

    # ------------------------------------------------------------------ rotation
    def test_rotation_accepts_both_secrets_until_overlap_ends(self):
        source = make_source(self.env, "github", "old-secret", rotation_hours=24)
        body = payment_body("ROT")
        with freeze_time(FROZEN):
            source.secret_input = "new-secret"
            self.assertTrue(source.has_previous_secret)
            self.assertEqual(self.post(source, body, signed_headers("github", "old-secret", body)).status_code, 200)
            self.assertEqual(self.post(source, body, signed_headers("github", "new-secret", body)).status_code, 200)
        with freeze_time(FROZEN + timedelta(hours=24, seconds=1)):
            self.assertProblem(self.post(source, body, signed_headers("github", "old-secret", body)), 401)
            self.assertEqual(self.post(source, body, signed_headers("github", "new-secret", body)).status_code, 200)
        # ending the rotation early
        source.secret_input = "third-secret"
        self.assertEqual(self.post(source, body, signed_headers("github", "new-secret", body)).status_code, 200)
        # a user who may not configure sources cannot end it (the method used to write as superuser)
        employee = new_test_user(self.env, "inbound_end_rotation", groups="base.group_user")
        with self.assertRaises(AccessError):
            source.with_user(employee).action_end_rotation()
        self.assertTrue(source.has_previous_secret)
        self.assertEqual(self.post(source, body, signed_headers("github", "new-secret", body)).status_code, 200)
        source.action_end_rotation()
        self.assertProblem(self.post(source, body, signed_headers("github", "new-secret", body)), 401)

    def test_secret_not_readable_by_managers(self):
        manager = self.env["res.users"].create({
            "name": "Integration manager", "login": "inbound_mgr_test",
            "group_ids": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("rest_webhooks.group_integration_manager").id])]})
        source = make_source(self.env["webhook.source"].with_user(manager).env, "github", "mgr-secret")
        self.assertEqual(source.sudo().secret, "mgr-secret")
        with self.assertRaises(AccessError):
            source.with_user(manager).read(["secret"])
        self.assertFalse(source.with_user(manager).secret_input)
        self.assertEqual(source.with_user(manager).secret_hint, "sha256:e601")  # no part of the secret

    def test_form_creates_source_with_url_and_counts(self):
        with Form(self.env["webhook.source"]) as form:
            form.name = "Carrier"
            form.slug = "carrier-x"
            form.scheme = "hmac"
            form.hmac_header = "X-Carrier-Signature"
            form.hmac_encoding = "base64"
            form.secret_input = "carrier-secret"
            form.handler_type = "none"
        source = form.record
        self.assertTrue(source.url.endswith("/api/v1/webhooks/carrier-x"))
        self.assertEqual(source.sudo().secret, "carrier-secret")
        body = b'{"type": "parcel.delivered"}'
        headers = signed_headers("hmac", "carrier-secret", body, hmac_header="X-Carrier-Signature",
                                 hmac_encoding="base64")
        self.assertEqual(self.post(source, body, headers).status_code, 200)
        self.process()
        source.invalidate_recordset()
        self.assertEqual((source.event_count, source.processed_count, source.failed_count), (1, 1, 0))
        self.assertEqual(source.action_view_events()["domain"], [("source_id", "=", source.id)])

    def test_multi_company_sources_and_events(self):
        other = self.env["res.company"].create({"name": "Other inbound company"})
        self.runner.company_ids = [Command.link(other.id)]  # the run-as user works for the source's company
        source = make_source(self.env, "github", company_id=other.id, handler_type="none")
        body = payment_body("MC")
        self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
        manager = self.env["res.users"].create({
            "name": "Manager main company", "login": "inbound_mc_mgr",
            "group_ids": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("rest_webhooks.group_integration_manager").id])]})
        self.assertFalse(self.env["webhook.source"].with_user(manager).search([("id", "=", source.id)]))
        self.assertFalse(self.env["webhook.event"].with_user(manager).search([("source_id", "=", source.id)]))
        self.assertEqual(len(self.events(source)), 1)

    # ------------------------------------------------------------------ handler outcomes, reprocess
    def test_unknown_reference_fails_then_reprocess_from_ui(self):
        source = make_source(self.env, "github")
        body = payment_body("S-NOT-YET", amount=100.0)
        self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
        self.process()
        event = self.events(source)
        self.assertEqual(event.state, "failed")
        self.assertIn("S-NOT-YET", event.error)
        order = self.make_order()
        order.name = "S-NOT-YET"
        manager = self.env["res.users"].create({
            "name": "Reprocessing manager", "login": "inbound_reprocess_mgr",
            "group_ids": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("rest_webhooks.group_integration_manager").id])]})
        with self.assertRaises(AccessError):  # managers read events; only the addon writes them
            event.with_user(manager).write({"state": "processed"})
        event.with_user(manager).action_reprocess()
        self.assertEqual((event.state, event.attempts, event.error), ("processed", 2, False))
        self.assertEqual(order.state, "sale")

    def test_underpaid_and_wrong_currency_fail_unrelated_types_ignored(self):
        source = make_source(self.env, "github")
        order = self.make_order()
        cur = order.currency_id.name
        other = "EUR" if cur != "EUR" else "USD"
        bodies = {"underpaid": payment_body(order.name, amount=99.99, currency=cur),
                  "currency": payment_body(order.name, amount=100.0, currency=other),
                  "other": payment_body(order.name, kind="customer.created")}
        for key, body in bodies.items():
            self.post(source, body, signed_headers("github", "s3cret-for-tests", body, event_id=key))
        self.process()
        outcome = {e.event_id: (e.state, e.error or "") for e in self.events(source)}
        self.assertEqual(order.state, "draft")
        self.assertEqual(outcome["underpaid"][0], "failed")
        self.assertIn("less than", outcome["underpaid"][1])
        self.assertEqual(outcome["currency"][0], "failed")
        self.assertIn("currency", outcome["currency"][1])
        self.assertEqual(outcome["other"][0], "ignored")

    def test_already_confirmed_is_ignored(self):
        source = make_source(self.env, "github")
        order = self.make_order()
        order.action_confirm()
        body = payment_body(order.name)
        self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
        self.process()
        self.assertEqual(self.events(source).state, "ignored")

    def test_server_action_handler_runs_as_run_as_user(self):
        def action(code):
            return self.env["ir.actions.server"].create({
                "name": "Webhook action", "state": "code", "code": code,
                "model_id": self.env["ir.model"]._get_id("webhook.event")})
        create_order = action("env['sale.order'].create({'partner_id': env.context['webhook_payload']['partner'], "
                              "'client_order_ref': record.event_id})")
        source = make_source(self.env, "github", handler_type="server_action", server_action_id=create_order.id)
        body = json.dumps({"partner": self.partner.id}).encode()
        self.post(source, body, signed_headers("github", "s3cret-for-tests", body, event_id="sa-1"))
        self.process()
        event = self.events(source)
        self.assertEqual(event.state, "processed", event.error)
        order = self.env["sale.order"].search([("client_order_ref", "=", "sa-1")])
        self.assertEqual(order.create_uid, self.runner)
        # no sudo: what the run-as user may not do fails, and the event keeps the error
        source.server_action_id = action("env['res.users'].create({'name': 'x', 'login': 'x_inbound'})")
        self.post(source, body, signed_headers("github", "s3cret-for-tests", body, event_id="sa-2"))
        self.process()
        failed = self.events(source).filtered(lambda e: e.event_id == "sa-2")
        self.assertEqual(failed.state, "failed")
        self.assertIn("not allowed", failed.error)
        self.assertFalse(self.env["res.users"].search([("login", "=", "x_inbound")]))

    def test_run_as_superuser_refused(self):
        with self.assertRaises(ValidationError):
            make_source(self.env, "github", run_as_user_id=self.env.ref("base.user_root").id)
        self.assertEqual(make_source(self.env, "github").run_as_user_id, self.runner)
        self.assertFalse(self.runner._is_superuser())
        self.assertFalse(self.runner.has_group("base.group_system"))

    def test_standard_scheme_secret_must_be_base64(self):
        with self.assertRaises(ValidationError):
            make_source(self.env, "standard", "not base64 at all!")

    def test_copy_gets_a_new_slug(self):
        source = make_source(self.env, "github")
        copy = source.copy()
        self.assertNotEqual(copy.slug, source.slug)
        self.assertTrue(copy.slug.startswith(source.slug + "-copy-"))
        self.assertFalse(copy.sudo().secret)

    def test_invalid_slug_refused(self):
        for slug in ("Has Space", "UPPER", "a/b", ""):
            with self.assertRaises(ValidationError, msg=slug), self.env.cr.savepoint():
                make_source(self.env, "github", slug=slug or " ")

    # ------------------------------------------------------------------ retention
    def test_old_handled_events_vacuumed(self):
        source = make_source(self.env, "github", handler_type="none")
        with freeze_time(FROZEN - timedelta(days=31)):
            for i in range(3):
                body = payment_body("OLD-%d" % i)
                self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
            self.process()  # processed, old
            body = payment_body("OLD-waiting")
            self.post(source, body, signed_headers("github", "s3cret-for-tests", body))  # still received
        with freeze_time(FROZEN):
            body = payment_body("NEW")
            self.post(source, body, signed_headers("github", "s3cret-for-tests", body))
            self.assertEqual(self.env["webhook.event"]._gc_old_events(), 3)
        self.assertEqual(sorted(json.loads(e.payload)["data"]["reference"] for e in self.events(source)),
                         ["NEW", "OLD-waiting"])
