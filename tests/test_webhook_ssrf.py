"""SSRF guard: internal destinations are refused when the endpoint is saved and again at send time
(the host name is resolved and every address checked; the connection goes to the checked address)."""
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .webhook_common import WebhookTestMixin

PARAM_LOCAL = "rest_webhooks.webhook_allow_local_network"
PARAM_HTTP = "rest_webhooks.webhook_allow_http"


@tagged("post_install", "-at_install")
class TestWebhookSsrf(WebhookTestMixin, TransactionCase):

    def _set(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, value)

    def _create(self, url):
        return self.env["webhook.endpoint"].create({
            "name": "SSRF", "url": url, "model_id": self.env["ir.model"]._get_id("res.partner")})

    def test_internal_urls_refused_on_save(self):
        self._set(PARAM_LOCAL, "0")
        self._set(PARAM_HTTP, "0")
        for url in ["https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data",
                    "https://[::ffff:127.0.0.1]/hook", "https://[::1]/hook", "https://192.168.0.10/x",
                    "https://localhost/hook", "https://0.0.0.0/hook",
                    "http://example.com/hook",           # plain http needs the setting
                    "ftp://example.com/hook", "file:///etc/passwd", "https://user:pw@example.com/"]:
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self._create(url)
        self.assertTrue(self._create("https://hooks.example.com/odoo"))
        self._set(PARAM_HTTP, "1")
        self.assertTrue(self._create("http://hooks.example.com/odoo"))

    def test_refused_at_send_time(self):
        """A name resolving to a loopback address, and literal internal addresses, are refused when
        sending once the local network is not allowed: the receiver gets nothing."""
        self._set(PARAM_LOCAL, "1")
        receiver = self.start_receiver()
        by_name, _secret = self.make_endpoint(receiver, model="res.partner", name="by name",
                                              url="http://localhost:%d/hook" % receiver.port)
        literal, _secret = self.make_endpoint(receiver, model="res.partner", name="literal")
        # with the setting on, both reach the local receiver. (IPv4-mapped IPv6 literals are refused
        # on save above and at send time in tests_unit/test_ssrf.py: Odoo's test harness blocks any
        # request whose host is not 127.0.0.1/localhost before our guard would see it.)
        self.env["res.partner"].create({"name": "allowed"})
        self.dispatch()
        self.assertEqual(by_name.delivery_ids.state, "delivered")
        self.assertEqual(literal.delivery_ids.state, "delivered")
        count = len(receiver.received)
        # setting off (plain http still allowed, to exercise the address check itself)
        self._set(PARAM_LOCAL, "0")
        self._set(PARAM_HTTP, "1")
        self.env["res.partner"].create({"name": "refused"})
        self.dispatch()
        self.assertEqual(len(receiver.received), count, "nothing may reach an internal address")
        for endpoint, needle in [(by_name, "localhost resolves to 127.0.0.1"), (literal, "loopback")]:
            last = endpoint.delivery_ids.sorted("id")[-1]
            self.assertEqual(last.state, "retrying")
            self.assertIn("destination refused", last.last_error)
            self.assertIn(needle, last.last_error)
        # and plain http is refused too once it is not allowed
        self._set(PARAM_HTTP, "0")
        self.env["res.partner"].create({"name": "refused again"})
        self.dispatch()
        self.assertEqual(len(receiver.received), count)
        self.assertIn("plain http", by_name.delivery_ids.sorted("id")[-1].last_error)
