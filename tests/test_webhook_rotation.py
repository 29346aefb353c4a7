"""Secret rotation (both signatures during the grace period, each valid for an independent verifier)
and the secret being shown only once, never readable by managers through the ORM."""
import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from .webhook_common import WebhookTestMixin
from .webhook_receiver import WebhookReceiver

T0 = datetime.datetime(2026, 11, 23, 10, 0, 0)


@tagged("post_install", "-at_install")
class TestWebhookRotation(WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        cls.manager = new_test_user(cls.env, "wh_manager",
                                    groups="base.group_user,rest_webhooks.group_integration_manager")

    def test_rotation_signs_with_both_secrets_during_grace(self):
        receiver = self.start_receiver()
        with freeze_time(T0) as frozen:
            endpoint, old = self.make_endpoint(receiver, model="res.partner", rotation_grace_hours=24)
            action = endpoint.action_rotate_secret()
            new = action["context"]["default_secret"]
            self.assertTrue(new.startswith("whsec_") and new != old)
            receiver.secrets.append(new)
            self.env["res.partner"].create({"name": "during grace"})
            self.dispatch()
            got = receiver.received[-1]
            signatures = got.headers["webhook-signature"].split(" ")
            self.assertEqual(len(signatures), 2)
            self.assertTrue(all(s.startswith("v1,") for s in signatures))
            # both the old and the new secret verify independently (standardwebhooks on PyPI)
            self.assertEqual(sorted(got.verified_with), sorted([old, new]))
            for secret in (old, new):
                alone = WebhookReceiver(secrets=[secret])
                alone._answer(got.headers, got.body, "/")
                self.assertEqual(alone.received[0].verified_with, [secret])
            # after the grace period only the new secret signs
            frozen.tick(datetime.timedelta(hours=24, seconds=1))
            self.env["res.partner"].create({"name": "after grace"})
            self.dispatch()
            got = receiver.received[-1]
            self.assertEqual(len(got.headers["webhook-signature"].split(" ")), 1)
            self.assertEqual(got.verified_with, [new])
            self.assertTrue(got.legacy_ok)

    def test_secret_shown_once_and_not_readable(self):
        receiver = self.start_receiver()
        endpoint = self.env["webhook.endpoint"].with_user(self.manager).create({
            "name": "Managed", "url": receiver.url, "model_id": self.env["ir.model"]._get_id("res.partner")})
        stored = endpoint.sudo().secret
        self.assertTrue(stored.startswith("whsec_"))
        self.assertGreaterEqual(len(stored), len("whsec_") + 32)  # >= 24 random bytes, base64
        self.assertNotIn(stored, str(endpoint.read()))
        with self.assertRaises(AccessError):
            endpoint.read(["secret"])
        action = endpoint.action_show_secret()
        self.assertEqual(action["context"]["default_secret"], stored)
        with self.assertRaises(UserError):
            endpoint.action_show_secret()
        # rotation shows the new one (once) and keeps the old one for the grace period
        action = endpoint.action_rotate_secret()
        new = action["context"]["default_secret"]
        self.assertNotEqual(new, stored)
        self.assertEqual(endpoint.sudo().previous_secret, stored)
        self.assertTrue(endpoint.previous_secret_expires_at)

    def test_manager_without_system_rights_manages_endpoints(self):
        receiver = self.start_receiver()
        Endpoint = self.env["webhook.endpoint"].with_user(self.manager)
        endpoint = Endpoint.create({"name": "Least privilege", "url": receiver.url,
                                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                                    "event_updated": True})
        self.assertEqual(len(endpoint.sudo().automation_ids), 2)
        endpoint.write({"event_deleted": True})
        self.assertEqual(len(endpoint.sudo().automation_ids), 3)
        # "only when these fields change": the form reads field metadata back (ir.model.fields),
        # which Odoo does not let plain internal users read
        email = self.env["ir.model.fields"]._get("res.partner", "email")
        endpoint.write({"update_field_ids": [(6, 0, email.ids)]})
        [row] = endpoint.web_read({"update_field_ids": {"fields": {"display_name": {}}}, "model_id": {}})
        self.assertEqual(row["update_field_ids"], [{"id": email.id, "display_name": email.display_name}])
        action = endpoint.action_send_test()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        # managers read and replay deliveries, but cannot rewrite what was sent
        delivery = endpoint.delivery_ids
        self.assertEqual(delivery.state, "delivered")
        with self.assertRaises(AccessError):
            delivery.write({"payload": '{"forged": true}'})
        delivery.action_replay()
        self.assertEqual(delivery.state, "pending")
        endpoint.unlink()
        plain = new_test_user(self.env, "wh_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["webhook.endpoint"].with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.env["webhook.delivery"].with_user(plain).search([])
