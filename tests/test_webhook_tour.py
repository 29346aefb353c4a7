"""Browser test (Odoo tour, headless Chromium): an admin creates an endpoint in the UI and clicks
"Send test event"; the real receiver on 127.0.0.1 gets a correctly signed event."""
from standardwebhooks import Webhook

from odoo.tests import HttpCase, tagged

from .webhook_receiver import WebhookReceiver


@tagged("post_install", "-at_install")
class TestWebhookTour(HttpCase):

    def test_create_endpoint_and_send_test_event(self):
        self.env["ir.config_parameter"].sudo().set_param("rest_webhooks.webhook_allow_local_network", "1")
        receiver = WebhookReceiver().start()
        self.addCleanup(receiver.stop)
        action = self.env.ref("rest_webhooks.action_webhook_endpoint")
        action.context = repr({"active_test": False, "default_url": receiver.url,
                               "default_model_id": self.env["ir.model"]._get_id("res.partner")})
        self.start_tour("/odoo/action-rest_webhooks.action_webhook_endpoint", "rest_webhooks_endpoint_tour",
                        login="admin")
        endpoint = self.env["webhook.endpoint"].search([("name", "=", "Tour endpoint")])
        self.assertEqual(len(endpoint), 1)
        self.assertEqual(len(endpoint.automation_ids), 2, "created + updated rules generated on save")
        self.assertTrue(endpoint.secret_revealed)
        self.assertEqual(len(receiver.received), 1)
        got = receiver.received[0]
        self.assertEqual(got.json["type"], "res.partner.test")
        # verified with the secret the UI generated, by the independent implementation
        Webhook(endpoint.sudo().secret).verify(got.body, got.headers)
        self.assertEqual(endpoint.delivery_ids.state, "delivered")
