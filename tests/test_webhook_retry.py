"""Retries, dead letters, 410, Retry-After, auto-disable, replay: driven by freezegun, against a real
HTTP receiver on 127.0.0.1 (or a closed port when the receiver is "down")."""
import datetime
import socket
from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase, freeze_time, tagged

from odoo.addons.rest_webhooks.lib.retry import SCHEDULE
from odoo.addons.rest_webhooks.models import webhook_delivery

from .webhook_common import WebhookTestMixin
from .webhook_receiver import WebhookReceiver

T0 = datetime.datetime(2026, 11, 23, 9, 0, 0)


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@tagged("post_install", "-at_install")
class TestWebhookRetry(WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)

    def _event(self, endpoint):
        """Queue one event for the endpoint (a partner creation through its rule)."""
        self.env["res.partner"].create({"name": "Retry me"})
        self.env.cr.flush()  # what the commit does: precommit hooks insert the queued delivery
        return endpoint.delivery_ids.sorted("id")[-1]

    def test_receiver_down_then_up_delivered_once_same_id(self):
        port = _free_port()
        receiver = WebhookReceiver(port=port)  # not started: the receiver is down
        self.addCleanup(receiver.stop)
        with freeze_time(T0) as frozen:
            endpoint, secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            self.dispatch()
            self.assertEqual(delivery.state, "retrying")
            self.assertEqual(delivery.last_status_code, 0)
            self.assertIn("ConnectionError", delivery.last_error)
            delay = (delivery.next_attempt_at - T0).total_seconds()
            self.assertTrue(4 <= delay <= 6, delay)  # 5 s +- 10 % jitter, whole seconds
            self.assertEqual(endpoint.state, "failing")
            # not due yet: nothing happens
            self.dispatch()
            self.assertEqual(len(delivery.attempt_ids), 1)
            # the receiver comes back on the same port; 7 s later the retry succeeds
            receiver.start()
            frozen.tick(datetime.timedelta(seconds=7))
            self.dispatch()
            self.assertEqual(delivery.state, "delivered")
            self.dispatch()
        self.assertEqual(receiver.ids(), [delivery.event_id])
        self.assertEqual(receiver.received[0].verified_with, [secret])
        self.assertEqual(len(delivery.attempt_ids), 2)
        self.assertEqual(delivery.attempt_ids.mapped("success"), [True, False])  # newest first
        self.assertFalse(endpoint.failing_since)
        self.assertEqual(endpoint.state, "enabled")

    def test_schedule_until_dead(self):
        receiver = self.start_receiver(default_status=500)
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            delays = []
            for _n in range(10):
                now = delivery.next_attempt_at
                frozen.move_to(now)
                self.dispatch()
                if delivery.state == "retrying":
                    delays.append((delivery.next_attempt_at - now).total_seconds())
            self.assertEqual(delivery.state, "dead")
            self.assertEqual(len(delivery.attempt_ids), 10)
            self.assertEqual(delivery.attempt_count, 10)
            self.assertEqual(len(delays), 9)
            for expected, got in zip(SCHEDULE, delays, strict=True):
                self.assertTrue(expected * 0.9 - 1 <= got <= expected * 1.1 + 1, (expected, got))
            # dead stays dead and visible; ~3.2 days of failures do not disable the endpoint (5 days)
            frozen.tick(datetime.timedelta(days=1))
            self.dispatch()
        self.assertEqual(len(receiver.received), 10)
        self.assertEqual(set(receiver.ids()), {delivery.event_id})
        self.assertEqual(endpoint.count_dead, 1)
        self.assertTrue(endpoint.active)
        self.assertEqual(endpoint.state, "failing")
        self.assertIn("HTTP 500", endpoint.last_error)

    def test_retry_after_is_honoured(self):
        receiver = self.start_receiver()
        receiver.script = [(503, {"Retry-After": "120"})]
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            self.dispatch()
            self.assertEqual(delivery.state, "retrying")
            self.assertEqual(delivery.next_attempt_at, T0 + datetime.timedelta(seconds=120))
            frozen.tick(datetime.timedelta(seconds=60))
            self.dispatch()
            self.assertEqual(len(receiver.received), 1)
            frozen.tick(datetime.timedelta(seconds=61))
            self.dispatch()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(len(receiver.received), 2)

    def test_retry_after_on_429_pauses_the_whole_endpoint_not_the_others(self):
        receiver = self.start_receiver()
        receiver.script = [(429, {"Retry-After": "120"})]
        other = self.start_receiver()
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            healthy, _secret = self.make_endpoint(other, model="res.partner")
            first = self._event(endpoint)
            self.assertEqual(self.dispatch(), 2)
            self.assertEqual((first.state, len(other.received)), ("retrying", 1))
            self.assertEqual(endpoint.paused_until, T0 + datetime.timedelta(seconds=120))
            self.assertFalse(healthy.paused_until)
            frozen.tick(datetime.timedelta(seconds=10))
            second = self._event(endpoint)  # due now, but its receiver asked everybody to wait
            self.assertEqual(self.dispatch(), 1, "only the other endpoint's delivery goes out")
            self.assertEqual((len(receiver.received), len(other.received)), (1, 2))
            self.assertEqual(second.state, "pending")
            frozen.tick(datetime.timedelta(seconds=111))
            self.assertEqual(self.dispatch(), 2)
        self.assertEqual((first.state, second.state), ("delivered", "delivered"))
        self.assertEqual(len(receiver.received), 3)
        # "Retry now" is a user's decision: it lifts the pause
        receiver.script = [(503, {"Retry-After": "600"})]
        third = self._event(endpoint)
        self.dispatch()
        self.assertTrue(endpoint.paused_until)
        third.action_retry_now()
        self.assertFalse(endpoint.paused_until)
        self.assertEqual(self.dispatch(), 1)
        self.assertEqual(third.state, "delivered")
        # a new URL is another receiver: its pause goes
        endpoint.sudo().write({"paused_until": T0})
        endpoint.write({"url": receiver.url + "/other"})
        self.assertFalse(endpoint.paused_until)

    def test_410_disables_endpoint_and_notifies_managers(self):
        receiver = self.start_receiver()
        receiver.script = [(410, {})]
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
        first = self._event(endpoint)
        self.dispatch()
        self.assertEqual(first.state, "dead")
        self.assertFalse(endpoint.active)
        self.assertEqual(endpoint.state, "disabled")
        self.assertIn("410", endpoint.disabled_reason)
        self.assertFalse(endpoint.automation_ids, "the rules of a disabled endpoint are removed")
        admin_partner = self.env.ref("base.user_admin").partner_id
        message = endpoint.message_ids.filtered(lambda m: "disabled" in (m.body or ""))[:1]
        self.assertTrue(message)
        self.assertIn(admin_partner, message.notified_partner_ids | message.partner_ids)
        # queued deliveries of a disabled endpoint wait; enabling sends them
        second = self.env["webhook.delivery"].sudo().create({
            "endpoint_id": endpoint.id, "event_type": "res.partner.updated", "payload": "{}",
            "next_attempt_at": fields.Datetime.now()})
        self.dispatch()
        self.assertEqual(second.state, "pending")
        self.assertEqual(len(receiver.received), 1)
        endpoint.action_enable()
        self.assertFalse(endpoint.disabled_reason)
        self.dispatch()
        self.assertEqual(second.state, "delivered")

    def test_auto_disable_after_failing_for_days(self):
        receiver = self.start_receiver(default_status=500)
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            self._event(endpoint)
            self.dispatch()
            self.assertEqual(endpoint.failing_since, T0)
            frozen.tick(datetime.timedelta(days=4, hours=23))
            self._event(endpoint)
            self.dispatch()
            self.assertTrue(endpoint.active)
            frozen.tick(datetime.timedelta(hours=1, seconds=1))
            self._event(endpoint)
            self.dispatch()
        self.assertFalse(endpoint.active)
        self.assertIn("5 days", endpoint.disabled_reason)
        self.assertTrue(endpoint.message_ids.filtered(lambda m: "was disabled" in (m.body or "")))

    def test_auto_disable_setting_and_success_resets(self):
        self.env["ir.config_parameter"].sudo().set_param("rest_webhooks.webhook_disable_after_days", "1")
        receiver = self.start_receiver()
        receiver.script = [(500, {})]
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            self.dispatch()
            self.assertEqual(endpoint.failing_since, T0)
            frozen.tick(datetime.timedelta(seconds=10))
            self.dispatch()  # the retry succeeds
            self.assertEqual(delivery.state, "delivered")
            self.assertFalse(endpoint.failing_since)
            receiver.default_status = 500
            frozen.tick(datetime.timedelta(days=1))
            self._event(endpoint)
            self.dispatch()
            self.assertTrue(endpoint.active, "failing for 0 s only: the clock restarts after a success")
            frozen.tick(datetime.timedelta(days=1, seconds=1))
            self._event(endpoint)
            self.dispatch()
        self.assertFalse(endpoint.active)

    def test_replay_and_retry_now(self):
        receiver = self.start_receiver(default_status=500)
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            self.dispatch()
            self.assertEqual(delivery.state, "retrying")
            delivery.action_retry_now()
            self.dispatch()
            self.assertEqual(len(delivery.attempt_ids), 2)
            # make it dead, then replay: same webhook-id, new cycle
            for _n in range(8):
                frozen.move_to(delivery.next_attempt_at)
                self.dispatch()
            self.assertEqual(delivery.state, "dead")
            receiver.default_status = 204
            delivery.action_replay()
            self.assertEqual((delivery.state, delivery.attempt_count), ("pending", 0))
            self.dispatch()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(len(delivery.attempt_ids), 11)
        self.assertEqual(set(receiver.ids()), {delivery.event_id})
        # replaying a delivered one sends it again, still with the same id
        delivery.action_replay()
        self.dispatch()
        self.assertEqual(receiver.ids().count(delivery.event_id), 12)

    def test_bulk_replay_wizard_by_date_range(self):
        receiver = self.start_receiver(default_status=500)
        endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
        deliveries = self._event(endpoint) | self._event(endpoint)
        deliveries.sudo().write({"state": "dead"})
        wizard = self.env["webhook.replay"].create({
            "endpoint_id": endpoint.id,
            "date_from": datetime.datetime.now() - datetime.timedelta(hours=1),
            "date_to": datetime.datetime.now() + datetime.timedelta(hours=1),
        })
        self.assertEqual(wizard.count, 2)
        receiver.default_status = 200
        wizard.action_replay()
        self.dispatch()
        self.assertEqual(set(deliveries.mapped("state")), {"delivered"})
        self.assertEqual(sorted(receiver.ids()), sorted(deliveries.mapped("event_id")))

    def test_retention_keeps_dead_removes_old_delivered(self):
        receiver = self.start_receiver()
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivered = self._event(endpoint)
            self.dispatch()
            dead = self._event(endpoint)
            dead.sudo().state = "dead"
            frozen.tick(datetime.timedelta(days=29))
            self.env["webhook.delivery"]._gc_delivered()
            self.assertTrue(delivered.exists())
            frozen.tick(datetime.timedelta(days=2))
            self.env["webhook.delivery"]._gc_delivered()
        self.assertFalse(delivered.exists())
        self.assertTrue(dead.exists())

    def test_retention_removes_every_old_delivery_not_one_chunk_a_day(self):
        receiver = self.start_receiver()
        with freeze_time(T0) as frozen:
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            old = self.env["webhook.delivery"].browse([self._event(endpoint).id for _ in range(5)])
            self.dispatch()
            self.assertEqual(set(old.mapped("state")), {"delivered"})
            frozen.tick(datetime.timedelta(days=31))
            # a chunk of 2: one run removes the 5 in three chunks (it removed one chunk a day)
            with patch.object(webhook_delivery, "GC_CHUNK", 2):
                self.env["webhook.delivery"]._gc_delivered()
        self.assertFalse(old.exists())

    def test_a_delivery_that_cannot_be_prepared_does_not_stop_the_others(self):
        receiver = self.start_receiver()
        with freeze_time(T0):
            good, _secret = self.make_endpoint(receiver, model="res.partner")
            bad, _secret2 = self.make_endpoint(receiver, model="res.partner")
            # a signing secret written by an import or a script, not a Standard Webhooks secret
            bad.sudo().write({"secret": "not base64 at all!"})
            self.env["res.partner"].create({"name": "One bad endpoint"})
            self.env.cr.flush()
            self.dispatch()
        good_delivery, bad_delivery = good.delivery_ids, bad.delivery_ids
        self.assertEqual(good_delivery.state, "delivered")
        self.assertEqual(receiver.ids(), [good_delivery.event_id])
        self.assertEqual(bad_delivery.state, "retrying")
        self.assertIn("could not be prepared", bad_delivery.last_error)
        self.assertTrue(bad_delivery.next_attempt_at)

    def test_a_batch_out_of_time_leaves_its_deliveries_due_untouched(self):
        # deliveries not started within the batch's time are neither sent nor counted as attempts,
        # and the dispatcher stops instead of claiming them again and again
        receiver = self.start_receiver()
        with freeze_time(T0):
            endpoint, _secret = self.make_endpoint(receiver, model="res.partner")
            delivery = self._event(endpoint)
            with patch.object(webhook_delivery, "SEND_BATCH_SECONDS", -1):
                self.assertEqual(self.env["webhook.delivery"]._dispatch_due(commit=False), 0)
            self.assertEqual((delivery.state, delivery.attempt_count, receiver.ids()), ("pending", 0, []))
            self.dispatch()
        self.assertEqual((delivery.state, delivery.attempt_count), ("delivered", 1))
        self.assertEqual(receiver.ids(), [delivery.event_id])

    def test_dispatcher_wake_up_triggers(self):
        """One trigger per burst of commits; a trigger nobody consumed for a minute (workers were
        down) does not prevent a new trigger and notification."""
        cron = self.env.ref("rest_webhooks.ir_cron_webhook_dispatch")
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        with freeze_time(T0):
            Trigger.create({"cron_id": cron.id, "call_at": T0 - datetime.timedelta(seconds=10)})
            self.env["webhook.delivery"]._wake_dispatchers()
            self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1, "recent trigger: no new one")
            Trigger.search([("cron_id", "=", cron.id)]).call_at = T0 - datetime.timedelta(minutes=5)
            self.env["webhook.delivery"]._wake_dispatchers()
            self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 2, "stale trigger: a new one")


@tagged("post_install", "-at_install")
class TestRetryWakeUp(TransactionCase):
    """A retry due before the cron workers' next poll wakes them when it falls due (real LISTEN on
    PostgreSQL, real timer thread), instead of waiting up to a minute."""

    def test_trigger_soon_notifies_cron_workers_when_due(self):
        import select
        import time

        import psycopg2

        from odoo import sql_db

        cron = self.env.ref("rest_webhooks.ir_cron_webhook_dispatch")
        listener = psycopg2.connect(**sql_db.connection_info_for("postgres")[1])
        try:
            listener.autocommit = True
            listener.cursor().execute("LISTEN cron_trigger")
            self.env.cr.postcommit.clear()
            when = fields.Datetime.now() + datetime.timedelta(seconds=2)
            cron._rw_trigger_at(when)
            trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id), ("call_at", "=", when)])
            self.assertTrue(trigger, "the trigger row is the durable part (the next poll runs it)")
            t0 = time.monotonic()
            self.env.cr.postcommit.run()  # what the commit does
            got = None
            while time.monotonic() - t0 < 10 and got is None:
                if select.select([listener], [], [], 0.5)[0]:
                    listener.poll()
                    for note in listener.notifies:
                        if note.payload == self.env.cr.dbname:
                            got = time.monotonic() - t0
                    listener.notifies.clear()
            self.assertIsNotNone(got, "no cron notification within 10 s")
            self.assertGreater(got, 0.5, "notified before the retry was due")
            self.assertLess(got, 5, "notified long after the retry was due")
        finally:
            listener.close()

    def test_trigger_beyond_next_poll_is_left_to_the_poll(self):
        cron = self.env.ref("rest_webhooks.ir_cron_webhook_dispatch")
        self.env.cr.postcommit.clear()
        when = fields.Datetime.now() + datetime.timedelta(minutes=5)
        cron._rw_trigger_at(when)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id), ("call_at", "=", when)]))
        self.assertFalse(self.env.cr.postcommit._funcs, "no timer for a retry the poll will run anyway")
