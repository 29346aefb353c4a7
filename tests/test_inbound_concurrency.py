"""Real concurrency: identical deliveries posted at once by threads to the running server, each
request in its own transaction (no test cursor, no HTTP lock), and two processors racing with
separate committed cursors. Everything created is committed, so it is deleted in cleanups."""
import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo import Command, api
from odoo.tests import BaseCase, freeze_time, tagged
from odoo.tools import mute_logger

from .inbound_common import URL, make_source, payment_body, signed_headers
from .real_server import use_real_cursors

SECRET = "concurrency-secret"
DUPLICATES = 50


@tagged("post_install", "-at_install")
class TestInboundConcurrency(BaseCase):

    def setUp(self):
        super().setUp()
        use_real_cursors(self)  # each request in its own transaction, truly in parallel
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            self.source_id = make_source(env, "github", SECRET).id
            self.slug = env["webhook.source"].browse(self.source_id).slug
            partner = env["res.partner"].create({"name": "Concurrency customer"})
            product = env["product.product"].create({"name": "Concurrency widget"})
            order = env["sale.order"].create({
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 10.0,
                                               "tax_ids": [Command.clear()]})]})
            self.order_id, self.order_name = order.id, order.name
            self.created = (partner.id, product.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["webhook.source"].browse(self.source_id).unlink()  # cascades to its events
            order = env["sale.order"].browse(self.order_id)
            if order.state != "cancel":
                order._action_cancel()
            order.unlink()
            product = env["product.product"].browse(self.created[1])
            product.product_tmpl_id.unlink()
            env["res.partner"].browse(self.created[0]).unlink()

    def _events(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT event_id, state, attempts FROM webhook_event WHERE source_id = %s",
                       [self.source_id])
            return cr.fetchall()

    def test_50_identical_deliveries_at_once_stored_and_processed_once(self):
        body = payment_body(self.order_name, amount=10.0, event_id="evt_dup")
        headers = signed_headers("github", SECRET, body, event_id="delivery-dup")
        barrier = threading.Barrier(DUPLICATES)
        url = self.base + URL % self.slug

        def deliver(_i):
            barrier.wait(timeout=30)  # release all requests together
            res = requests.post(url, data=body, headers=headers, timeout=60)
            return res.status_code, res.json().get("status")

        with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
            results = list(pool.map(deliver, range(DUPLICATES)))

        self.assertEqual({status for status, _s in results}, {200}, results)
        statuses = [s for _c, s in results]
        self.assertEqual(statuses.count("accepted"), 1, statuses)
        self.assertEqual(statuses.count("duplicate"), DUPLICATES - 1)
        self.assertEqual(self._events(), [("delivery-dup", "received", 0)])

        # two cron workers race, each with its own committed cursor: the event is handled once
        def process():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                return env["webhook.event"]._cron_process()

        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = list(pool.map(lambda _i: process(), range(2)))
        self.assertEqual(sorted(counts), [0, 1])
        self.assertEqual(self._events(), [("delivery-dup", "processed", 1)])
        with self.registry.cursor() as cr:
            cr.execute("SELECT state FROM sale_order WHERE id = %s", [self.order_id])
            self.assertEqual(cr.fetchone()[0], "sale")

        # a late retry of the same delivery is still a duplicate and changes nothing
        res = requests.post(url, data=body, headers=headers, timeout=30)
        self.assertEqual((res.status_code, res.json()["status"]), (200, "duplicate"))
        self.assertEqual(self._events(), [("delivery-dup", "processed", 1)])

    def test_claim_skips_events_locked_by_another_worker(self):
        bodies = [payment_body(self.order_name, event_id="e%d" % i) for i in range(2)]
        for i, body in enumerate(bodies):
            res = requests.post(self.base + URL % self.slug, data=body, timeout=30,
                                headers=signed_headers("github", SECRET, body, event_id="d%d" % i))
            self.assertEqual(res.status_code, 200)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, api.SUPERUSER_ID, {})
            env2 = api.Environment(cr2, api.SUPERUSER_ID, {})
            first = env1["webhook.event"]._claim(1)
            second = env2["webhook.event"]._claim(10)
            self.assertEqual(len(first), 1)
            self.assertEqual(len(second), 1)
            self.assertNotEqual(first.id, second.id)
            cr1.rollback()
            cr2.rollback()

    def test_handler_meeting_a_lock_is_retried_later_not_failed(self):
        """The handler waits for a row another transaction holds past lock_timeout: its work is
        rolled back, the event stays received and due later (not failed, no reprocess needed);
        once due and the row free, it is processed."""
        body = payment_body(self.order_name, amount=10.0, event_id="evt_locked")
        res = requests.post(self.base + URL % self.slug, data=body, timeout=30,
                            headers=signed_headers("github", SECRET, body, event_id="delivery-locked"))
        self.assertEqual((res.status_code, res.json()["status"]), (200, "accepted"))

        def process():
            with self.registry.cursor() as cr:
                cr.execute("SET lock_timeout = '300ms'")
                try:
                    return api.Environment(cr, api.SUPERUSER_ID, {})["webhook.event"]._cron_process()
                finally:
                    cr.execute("RESET lock_timeout")

        with self.registry.cursor() as cr:
            cr.execute("SELECT COALESCE(max(id), 0) FROM ir_cron_trigger")
            self.addCleanup(self._drop_retry_triggers, cr.fetchone()[0])
        holder = self.registry.cursor()
        try:
            holder.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [self.order_id])
            with mute_logger("odoo.sql_db"):
                self.assertEqual(process(), 1)
        finally:
            holder.rollback()
            holder.close()
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, attempts, transient_attempts, error, retry_at > now() AT TIME ZONE 'UTC' "
                       "FROM webhook_event WHERE source_id = %s", [self.source_id])
            state, attempts, transient, error, later = cr.fetchone()
            cr.execute("SELECT state FROM sale_order WHERE id = %s", [self.order_id])
            self.assertEqual(cr.fetchone()[0], "draft", "the handler's work was rolled back")
        self.assertEqual((state, attempts, transient, later), ("received", 1, 1, True))
        self.assertIn("lock", error)
        self.assertEqual(process(), 0, "not due before its retry time")
        with freeze_time(datetime.datetime.now() + datetime.timedelta(minutes=5)):
            self.assertEqual(process(), 1)
        self.assertEqual(self._events(), [("delivery-locked", "processed", 2)])
        with self.registry.cursor() as cr:
            cr.execute("SELECT transient_attempts, retry_at FROM webhook_event WHERE source_id = %s", [self.source_id])
            self.assertEqual(cr.fetchone(), (0, None))
        with self.registry.cursor() as cr:
            cr.execute("SELECT state FROM sale_order WHERE id = %s", [self.order_id])
            self.assertEqual(cr.fetchone()[0], "sale")

    def _drop_retry_triggers(self, before):
        """The wake-ups the retry scheduled are committed; they would outlive the test."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            cron = env.ref("rest_webhooks.ir_cron_inbound_webhooks")
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s AND id > %s", [cron.id, before])
