"""The three screens an admin works with, rendered by headless Chromium from a real server: the
webhook endpoint form, the deliveries list and the inbound events list. Each page must render its
records; with RW_SCREENSHOTS=1 the test also writes static/description/screenshot_*.png (shown in
the Apps screen and the README), so `make test` alone never changes the tree."""
import base64
import os
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.modules import get_module_path
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .inbound_common import make_source

# Polls until the view shows `selector` (and the page has settled), then signals success.
WAIT_FOR = """(async () => {
    const until = Date.now() + 30000;
    while (document.querySelectorAll(%(selector)r).length < %(count)d) {
        if (Date.now() > until) { throw new Error("not rendered: " + %(selector)r); }
        await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 800));
    console.log("test successful");
})()"""


@tagged("post_install", "-at_install")
class TestScreenshots(HttpCase):
    browser_size = "1280,760"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["ir.config_parameter"].sudo().set_param("rest_webhooks.webhook_allow_local_network", "1")
        # orders first: the endpoint's rules would queue their creation too
        partners = env["res.partner"].create([{"name": n, "is_company": True} for n in (
            "Azure Interior", "Deco Addict", "Gemini Furniture", "Lumber Inc", "Ready Mat", "Wood Corner")])
        orders = env["sale.order"].create([{"partner_id": p.id} for p in partners])
        cls.endpoint = env["webhook.endpoint"].create({
            "name": "Warehouse system", "url": "https://warehouse.example.com/hooks/odoo",
            "model_id": env["ir.model"]._get_id("sale.order"), "event_created": True,
            "event_updated": False,  # the deliveries below touch the orders: no extra "updated" events
        })
        now = fields.Datetime.now()
        Delivery = env["webhook.delivery"].sudo()
        for i, (order, state, code) in enumerate(zip(orders, [
                "delivered", "delivered", "delivered", "retrying", "dead", "pending"], [200, 200, 204, 503, 410, 0],
                strict=False)):
            Delivery.create({
                "endpoint_id": cls.endpoint.id, "event_type": "sale.order.updated" if i % 2 else "sale.order.created",
                "res_model": "sale.order", "res_id": order.id, "state": state, "payload": "{}",
                "attempt_count": {"retrying": 3, "dead": 1}.get(state, 1 if code else 0),
                "last_status_code": code or False, "last_attempt_at": now - timedelta(minutes=5 * i) if code else False,
                "next_attempt_at": now + timedelta(minutes=4) if state in ("retrying", "pending") else False,
                "delivered_at": now - timedelta(minutes=5 * i) if state == "delivered" else False,
                "last_error": {503: "503 Service Unavailable", 410: "410 Gone"}.get(code, False),
            })
        source = make_source(env, scheme="stripe", name="Stripe payments", secret="whsec_" + "c2VjcmV0" * 4)
        Event = env["webhook.event"].sudo()
        for i, (state, kind) in enumerate([("processed", "payment_intent.succeeded"),
                                           ("ignored", "customer.created"),
                                           ("failed", "payment_intent.succeeded"),
                                           ("processed", "checkout.session.completed")]):
            Event.create({
                "source_id": source.id, "event_id": "evt_3Q%06d" % (4711 + i), "event_type": kind, "state": state,
                "payload": "{}", "attempts": 1, "received_at": now - timedelta(minutes=3 * i),
                "processed_at": now - timedelta(minutes=3 * i),
                "error": "no sale order with reference S09999" if state == "failed" else False,
            })

    def _render(self, url, selector, count, filename):
        shots = []
        original = ChromeBrowser._wait_code_ok

        def wait_then_capture(browser, code, timeout, error_checker=None):
            original(browser, code, timeout, error_checker=error_checker)
            shots.append(browser._websocket_request("Page.captureScreenshot", params={"format": "png"})["data"])

        # Odoo waits 10 s (100 x 0.1 s) for Chromium's devtools port, then *skips* the test: a cold
        # first start on a busy 2-core machine took longer once (a CI run at 03:08 UTC, 2026-11-30).
        # Wait up to 60 s instead, so a slow start is waited for rather than hidden as a skip.
        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_capture), \
                patch("odoo.tests.common.CHECK_BROWSER_ITERATIONS", 600):
            self.browser_js(url, WAIT_FOR % {"selector": selector, "count": count}, login="admin")
        self.assertEqual(len(shots), 1)
        png = base64.b64decode(shots[0])
        self.assertTrue(png.startswith(b"\x89PNG"))
        if os.environ.get("RW_SCREENSHOTS"):
            with open(os.path.join(get_module_path("rest_webhooks"), "static", "description", filename), "wb") as f:
                f.write(png)

    def test_endpoint_form_renders(self):
        self._render("/odoo/action-rest_webhooks.action_webhook_endpoint/%d" % self.endpoint.id,
                     ".o_form_view .o_field_widget[name='url']", 1, "screenshot_endpoint.png")

    def test_deliveries_list_renders(self):
        self._render("/odoo/action-rest_webhooks.action_webhook_delivery", ".o_list_view .o_data_row", 6,
                     "screenshot_deliveries.png")

    def test_inbound_events_list_renders(self):
        self._render("/odoo/action-rest_webhooks.action_webhook_event", ".o_list_view .o_data_row", 4,
                     "screenshot_inbound_events.png")
