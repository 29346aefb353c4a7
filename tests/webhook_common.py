"""Shared set-up of the webhook tests: settings allowing the 127.0.0.1 receiver, endpoint factory."""
import json

from odoo.addons.rest_webhooks.lib.standard_webhooks import generate_secret

from .webhook_receiver import WebhookReceiver


class WebhookTestMixin:

    @classmethod
    def _allow_local_network(cls, env):
        env["ir.config_parameter"].sudo().set_param("rest_webhooks.webhook_allow_local_network", "1")

    def start_receiver(self, **kwargs):
        receiver = WebhookReceiver(**kwargs).start()
        self.addCleanup(receiver.stop)
        return receiver

    def make_endpoint(self, receiver, model="sale.order", env=None, **vals):
        env = env or self.env
        secret = vals.pop("secret", None) or generate_secret()
        receiver.secrets.append(secret)
        endpoint = env["webhook.endpoint"].create(dict({
            "name": "Test endpoint",
            "url": receiver.url,
            "model_id": env["ir.model"]._get_id(model),
            "event_created": True,
            "event_updated": False,
            "secret": secret,
            "timeout": 5,
        }, **vals))
        return endpoint, secret

    def dispatch(self, env=None):
        return (env or self.env)["webhook.delivery"].sudo()._dispatch_due(commit=False)

    @staticmethod
    def body(received):
        return json.loads(received.body)
