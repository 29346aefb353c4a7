"""Transactional outbox with real, committed transactions (own cursors, not the test transaction):
a rolled-back transaction sends nothing, a committed one is delivered by whoever dispatches next
(another cursor/thread, as after a restart), and two dispatchers running at the same time never send
one delivery twice (SELECT ... FOR UPDATE SKIP LOCKED)."""
import datetime
import threading

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.rest_webhooks.lib.standard_webhooks import generate_secret

from .real_server import CommittedEnvMixin
from .webhook_receiver import WebhookReceiver

PARAMS = {"rest_webhooks.webhook_allow_local_network": "1", "rest_webhooks.webhook_dispatch_batch": "5"}


@tagged("post_install", "-at_install")
class TestWebhookOutbox(CommittedEnvMixin, TransactionCase):
    """Everything here runs in separate cursors that really commit; cleanup removes what was made."""

    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver().start()
        self.addCleanup(self.receiver.stop)
        self.secret = generate_secret()
        self.receiver.secrets.append(self.secret)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            icp = env["ir.config_parameter"]
            old = {key: icp.get_param(key) for key in PARAMS}
            for key, value in PARAMS.items():
                icp.set_param(key, value)
            endpoint = env["webhook.endpoint"].create({
                "name": "Outbox test", "url": self.receiver.url, "secret": self.secret,
                "model_id": env["ir.model"]._get_id("res.partner"), "event_created": True,
                "event_updated": False, "filter_domain": "[('ref', '=', 'outbox-test')]",
            })
            self.endpoint_id = endpoint.id
        self.addCleanup(self._cleanup, old)

    def _cleanup(self, old):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["webhook.endpoint"].browse(self.endpoint_id).exists().unlink()
            env["res.partner"].with_context(active_test=False).search([("ref", "=", "outbox-test")]).unlink()
            for key, value in old.items():
                env["ir.config_parameter"].set_param(key, value or False)

    def _dispatch(self):
        with self.registry.cursor() as cr:
            return self._env(cr)["webhook.delivery"]._dispatch_due(commit=True)

    def _deliveries(self):
        with self.registry.cursor() as cr:
            d = self._env(cr)["webhook.delivery"].search([("endpoint_id", "=", self.endpoint_id)])
            return [(x.event_id, x.state, len(x.attempt_ids)) for x in d]

    def test_rollback_sends_nothing(self):
        cr = self.registry.cursor()
        try:
            env = self._env(cr)
            env["res.partner"].create({"name": "Rolled back", "ref": "outbox-test"})
            cr.flush()  # precommit: the delivery row is inserted in this transaction
            self.assertEqual(env["webhook.delivery"].search_count([("endpoint_id", "=", self.endpoint_id)]), 1)
            cr.rollback()
        finally:
            cr.close()
        self._dispatch()
        self.assertEqual(self.receiver.received, [])
        self.assertEqual(self._deliveries(), [])

    def test_committed_event_delivered_by_another_process_and_wakes_cron(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            cron_ids = [env.ref(x).id for x in ("rest_webhooks.ir_cron_webhook_dispatch",
                                                "rest_webhooks.ir_cron_webhook_dispatch_2")]
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id IN %s", (tuple(cron_ids),))
        with self.registry.cursor() as cr:
            self._env(cr)["res.partner"].create({"name": "Committed", "ref": "outbox-test"})
            committed_at = fields.Datetime.now()
        # the writer is gone (its cursor closed right after the commit): its commit asked the
        # dispatcher crons to run right away
        with self.registry.cursor() as cr:
            triggers = self._env(cr)["ir.cron.trigger"].search([("cron_id", "in", cron_ids)])
            self.assertTrue(triggers, "committing an event wakes the dispatcher")
            self.assertLessEqual(min(triggers.mapped("call_at")), committed_at + datetime.timedelta(seconds=1))
        [(event_id, state, attempts)] = self._deliveries()
        self.assertEqual((state, attempts), ("pending", 0))
        # another worker (a thread with its own cursor, as after a restart) delivers it, once
        worker = threading.Thread(target=self._dispatch)
        worker.start()
        worker.join(60)
        self._dispatch()
        self.assertEqual(self.receiver.ids(), [event_id])
        self.assertEqual(self.receiver.received[0].verified_with, [self.secret])
        self.assertEqual(self._deliveries(), [(event_id, "delivered", 1)])

    def test_two_dispatchers_never_send_twice(self):
        n = 80
        with self.registry.cursor() as cr:
            self._env(cr)["res.partner"].create([{"name": "P%d" % i, "ref": "outbox-test"} for i in range(n)])
        self.assertEqual(len(self._deliveries()), n)
        self.receiver.delay = 0.02
        barrier = threading.Barrier(2)
        counts, errors = [], []

        def worker():
            try:
                barrier.wait(10)
                counts.append(self._dispatch())
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(repr(exc))

        threads = [threading.Thread(target=worker) for _i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        ids = self.receiver.ids()
        self.assertEqual(len(ids), n, "every delivery sent")
        self.assertEqual(len(set(ids)), n, "no delivery sent twice")
        self.assertEqual(sum(counts), n)
        self.assertTrue(all(c > 0 for c in counts), "both dispatchers worked: %s" % counts)
        deliveries = self._deliveries()
        self.assertEqual({state for _id, state, _a in deliveries}, {"delivered"})
        self.assertEqual({attempts for _id, _s, attempts in deliveries}, {1})
        self.assertTrue(all(r.verified_with == [self.secret] for r in self.receiver.received))

    def test_rules_created_in_a_rolled_back_transaction_leave_nothing_behind(self):
        """The cached rule lookup must forget rules of a transaction that rolled back."""
        cr = self.registry.cursor()
        try:
            env = self._env(cr)
            env["webhook.endpoint"].create({
                "name": "Rolled back endpoint", "url": self.receiver.url,
                "model_id": env["ir.model"]._get_id("res.partner"), "event_created": True})
            env["res.partner"].create({"name": "seen by the rolled back rule", "ref": "outbox-test"})
            cr.rollback()
        finally:
            cr.close()
        # a later transaction creates a partner: only the committed endpoint's rule runs
        with self.registry.cursor() as cr:
            self._env(cr)["res.partner"].create({"name": "After", "ref": "outbox-test"})
        self._dispatch()
        self.assertEqual(len(self.receiver.received), 1)
        self.assertEqual(len(self._deliveries()), 1)
