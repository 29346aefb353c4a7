"""Races with real, committed transactions (own cursors, not the test transaction): two creates
with one external_ref make one order; two claims of one Idempotency-Key let exactly one run.

HttpCase serialises requests inside the test transaction, so these run the same model methods the
controllers call, in separate cursors/threads, through Odoo's own ``retrying`` (what the HTTP layer
wraps every request in)."""
import contextlib
import threading
import time
import uuid

import psycopg2

from odoo import SUPERUSER_ID
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged

from .real_server import CommittedEnvMixin


class ConcurrencyCase(CommittedEnvMixin, TransactionCase):
    """Committed set-up (a partner and a product) for races between real transactions."""

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self.partner_id = env["res.partner"].create({"name": "Race %s" % self.tag}).id
            self.product_id = env["product.product"].create({"name": "Race product", "sale_ok": True}).id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            orders = env["sale.order"].search([("partner_id", "=", self.partner_id)])
            orders.order_line.unlink()
            orders.unlink()
            env["api.idempotency.key"].search([("key", "like", self.tag)]).unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()


@tagged("post_install", "-at_install")
class TestApiConcurrency(ConcurrencyCase):

    def test_two_concurrent_creates_with_one_external_ref_make_one_order(self):
        body = {"external_ref": "RACE-%s" % self.tag, "partner_id": self.partner_id,
                "lines": [{"product_id": self.product_id, "quantity": 1}]}
        inserted, results, errors = threading.Event(), {}, []

        def first():
            try:
                with self.registry.cursor() as cr:
                    order, created = self._env(cr)["sale.order"]._rest_create_or_get(body)
                    results["a"] = (order.id, created)
                    inserted.set()
                    time.sleep(0.5)  # the second transaction is now blocked on the unique index
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
                inserted.set()

        thread = threading.Thread(target=first)
        thread.start()
        self.assertTrue(inserted.wait(10))
        cr = self.registry.cursor()
        try:
            env = self._env(cr)
            order, created = retrying(lambda: env["sale.order"]._rest_create_or_get(body), env)
            results["b"] = (order.id, created)
        finally:
            cr.close()
        thread.join(10)
        self.assertFalse(errors)
        self.assertEqual(results["a"][0], results["b"][0])
        self.assertEqual((results["a"][1], results["b"][1]), (True, False))
        with self.registry.cursor() as cr:
            self.assertEqual(self._env(cr)["sale.order"].search_count(
                [("external_ref", "=", body["external_ref"])]), 1)

    def test_concurrent_idempotency_claims_one_winner(self):
        barrier, outcomes = threading.Barrier(4), []
        key = "idem-%s" % self.tag

        def claim():
            with self.registry.cursor() as cr:
                env = self._env(cr)
                barrier.wait(5)
                outcomes.append(env["api.idempotency.key"]._claim(SUPERUSER_ID, key, "fp", "POST", "/x")[0])

        threads = [threading.Thread(target=claim) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        self.assertEqual(sorted(outcomes), ["claimed", "running", "running", "running"])

    def test_claim_of_a_dead_request_is_taken_over_at_once(self):
        """A request that dies with its connection (Odoo killed, PostgreSQL restarted) leaves its
        claim 'running'; the client's retry takes it over at once instead of 409 for minutes."""
        key = "idem-dead-%s" % self.tag
        claimant = self.registry.cursor()
        try:
            outcome, rec_id = self._env(claimant)["api.idempotency.key"]._claim(SUPERUSER_ID, key, "fp", "POST", "/x")
            self.assertEqual(outcome, "claimed")
            claimant.execute("SELECT pg_backend_pid()")
            pid = claimant.fetchone()[0]
            with self.registry.cursor() as cr:  # owner alive: the retry must wait (409)
                self.assertEqual(self._env(cr)["api.idempotency.key"]._claim(SUPERUSER_ID, key, "fp", "POST", "/x"),
                                 ("running", None))
            with self.registry.cursor() as cr:  # the claimant's backend dies for real
                cr.execute("SELECT pg_terminate_backend(%s)", (pid,))
                self.assertTrue(cr.fetchone()[0])
            for _ in range(50):  # termination is asynchronous
                with self.registry.cursor() as cr:
                    cr.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
                    if not cr.fetchone()[0]:
                        break
                time.sleep(0.1)
        finally:
            claimant.connection.close()
            with contextlib.suppress(psycopg2.Error):  # its connection was killed on purpose
                claimant.close()
        with self.registry.cursor() as cr:
            self.assertEqual(self._env(cr)["api.idempotency.key"]._claim(SUPERUSER_ID, key, "fp", "POST", "/x"),
                             ("claimed", rec_id))
        with self.registry.cursor() as cr:  # and the new owner is alive: others wait again
            self.assertEqual(self._env(cr)["api.idempotency.key"]._claim(SUPERUSER_ID, key, "fp", "POST", "/x"),
                             ("running", None))

    def test_concurrent_rate_limit_hits_all_counted(self):
        user_id = 900000000 + int(self.tag[:6], 16) % 1000000  # a user id no real user has
        self.addCleanup(self._drop_counters, user_id)
        barrier, verdicts, errors = threading.Barrier(6), [], []

        def hit():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    barrier.wait(5)
                    for _ in range(5):
                        allowed, headers = env["api.rate.counter"]._hit(user_id, 20, 3600)
                        verdicts.append((allowed, headers["RateLimit"]))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=hit) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(verdicts), 30)
        self.assertEqual(sum(1 for allowed, _ in verdicts if allowed), 20)  # exactly the quota
        remaining = sorted(int(h.split(";r=")[1].split(";")[0]) for ok, h in verdicts if ok)
        self.assertEqual(remaining, list(range(20)))  # every hit got its own count
        with self.registry.cursor() as cr:
            cr.execute("SELECT sum(count) FROM api_rate_counter WHERE user_id = %s", (user_id,))
            self.assertEqual(cr.fetchone()[0], 30)

    def _drop_counters(self, user_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM api_rate_counter WHERE user_id = %s", (user_id,))
