"""Odoo's own retry loop around a REST API request (odoo/http.py ``_serve_db`` ->
odoo/service/model.py ``retrying``), driven by REAL PostgreSQL serialization failures.

Real HTTP requests to the running server, each in its own REPEATABLE READ transaction (no test
cursor, no HTTP lock, as in test_inbound_concurrency). The request upserts an inline partner; a
"locker" transaction on another connection holds that partner row, the request blocks on it, and
the locker commits: PostgreSQL then aborts the request's UPDATE with ``could not serialize access due
to concurrent update`` and Odoo rolls back and re-runs the whole request.

- no retry at all: the Idempotency-Key claim (committed by its own transaction after the request's
  snapshot) still receives the stored response;
- one failure, then success: exactly one order, one stored idempotency response, and a replay of
  the key returns that first response (status and body);
- a failure on every attempt (a new locker queued behind the request each time): Odoo gives up after
  its 5 tries and the API answers 409 problem+json; nothing is half-written and the key is free.

The back-off between tries is Odoo's real ``random.uniform(0, 2 ** try)`` sleep; only its random
generator is seeded (``Random(4)``: 0.47 s, then 6.5 s in total for 5 tries) so the duration is
bounded and reproducible. Everything created is committed, so it is deleted in cleanups.
"""
import datetime
import logging
import random
import threading
import time
import uuid
from unittest.mock import patch

import requests
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import Command, api, fields
from odoo.service import model as service_model
from odoo.tests import BaseCase, tagged

from ..services import log_buffer
from .real_server import use_real_cursors

SCOPE = "rest_webhooks"
GROUPS = ("base.group_user", "sales_team.group_sale_salesman_all_leads",
          "rest_webhooks.group_api_user", "base.group_partner_manager")
TIMEOUT = 60


class Locker(threading.Thread):
    """A transaction on its own connection that UPDATEs one partner row (waiting for it if another
    transaction holds it) and keeps the row lock until ``release`` is set, then commits."""

    def __init__(self, registry, partner_id, label):
        super().__init__(daemon=True)
        self.registry, self.partner_id, self.label = registry, partner_id, label
        self.started, self.holding, self.release = threading.Event(), threading.Event(), threading.Event()
        self.pid = self.xid = self.error = None

    def run(self):
        try:
            with self.registry.cursor() as cr:  # commits on exit
                # READ COMMITTED: a queued locker takes the row over once its predecessor commits
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                cr.execute("SELECT pg_backend_pid()")
                self.pid = cr.fetchone()[0]
                self.started.set()
                cr.execute("UPDATE res_partner SET comment = %s WHERE id = %s", (self.label, self.partner_id))
                cr.execute("SELECT transactionid::text FROM pg_locks WHERE pid = pg_backend_pid() "
                           "AND locktype = 'transactionid' AND granted")
                self.xid = cr.fetchone()[0]
                self.holding.set()
                self.release.wait(TIMEOUT)
        except Exception as exc:  # noqa: BLE001
            self.error = exc
            self.started.set()
            self.holding.set()


@tagged("post_install", "-at_install")
class TestApiRetry(BaseCase):

    def setUp(self):
        super().setUp()
        use_real_cursors(self)  # REAL cursors and transactions behind the running server
        # Odoo's real back-off sleeps, with a seeded jitter (see module docstring)
        patcher = patch.object(service_model, "random", random.Random(4))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.tag = uuid.uuid4().hex[:8]
        self.lockers = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].with_context(no_reset_password=True).create({
                "name": "Retry %s" % self.tag, "login": "retry_%s" % self.tag,
                "group_ids": [Command.set([env.ref(g).id for g in GROUPS])]})
            self.user_id = user.id
            # sudo only to issue the key as a manager would from the UI
            self.key = env["res.users.apikeys"].with_user(user).sudo()._generate(
                SCOPE, "retry test", fields.Datetime.now() + datetime.timedelta(days=1))
            self.partner_id = env["res.partner"].create({
                "name": "Retry customer %s" % self.tag, "external_ref": "RETRY-%s" % self.tag}).id
            self.product_id = env["product.product"].create({"name": "Retry widget %s" % self.tag}).id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for locker in self.lockers:
            locker.release.set()
            locker.join(TIMEOUT)
        log_buffer.BUFFER.wait_idle(10)  # the deferred request-log rows, before deleting them
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            orders = env["sale.order"].search([("partner_id", "=", self.partner_id)])
            orders.order_line.unlink()
            orders.unlink()
            cr.execute("DELETE FROM api_idempotency_key WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM api_request_log WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM api_rate_counter WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s", (self.user_id,))
            product = env["product.product"].browse(self.product_id)
            product.product_tmpl_id.unlink()
            env["res.partner"].browse(self.partner_id).unlink()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].browse(self.user_id)
            partner = user.partner_id
            try:
                with cr.savepoint():
                    user.unlink()
                    partner.unlink()
            except Exception:  # noqa: BLE001 - referenced by its own technical rows: archive it
                user.active = False

    # ------------------------------------------------------------------ helpers
    def _body(self):
        return {"external_ref": "ORDER-%s" % self.tag,
                "partner": {"external_ref": "RETRY-%s" % self.tag, "name": "Retry customer %s" % self.tag,
                            "phone": "+32 2 555 01 01"},
                "lines": [{"product_id": self.product_id, "quantity": 2}]}

    def _post(self, idem_key):
        return requests.post(self.base + "/api/v1/orders", json=self._body(), timeout=TIMEOUT, headers={
            "Authorization": "Bearer %s" % self.key, "Idempotency-Key": idem_key})

    def _post_in_thread(self, idem_key):
        result = {}

        def post():
            try:
                result["response"] = self._post(idem_key)
            except Exception as exc:  # noqa: BLE001
                result["error"] = exc
        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        return thread, result

    def _locker(self, label):
        locker = Locker(self.registry, self.partner_id, label)
        self.lockers.append(locker)
        locker.start()
        self.assertTrue(locker.started.wait(TIMEOUT))
        self.assertIsNone(locker.error)
        return locker

    def _wait(self, condition, thread=None):
        """Poll pg_locks until ``condition(cr)``; False if ``thread`` ended first."""
        deadline = time.monotonic() + TIMEOUT
        with self.registry.cursor() as cr:
            while time.monotonic() < deadline:
                found = condition(cr)
                cr.rollback()
                if found:
                    return True
                if thread is not None and not thread.is_alive():
                    return False
                time.sleep(0.01)
        self.fail("timed out waiting for the lock situation")

    def _request_waits_on(self, locker):
        """The API request's transaction waits for ``locker``'s transaction (row lock)."""
        others = [lk.pid for lk in self.lockers]

        def condition(cr):
            cr.execute("""SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted
                          AND transactionid::text = %s AND pid <> ALL(%s)""", (locker.xid, others))
            return bool(cr.fetchall())
        return condition

    @staticmethod
    def _queued(locker):
        def condition(cr):
            cr.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", (locker.pid,))
            return bool(cr.fetchall())
        return condition

    def _db(self, query, params=()):
        self.assertTrue(log_buffer.BUFFER.wait_idle(10))  # the deferred request-log rows are written
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def _orders(self):
        return self._db("SELECT id FROM sale_order WHERE external_ref = %s", ("ORDER-%s" % self.tag,))

    def _idem_rows(self, idem_key):
        return self._db("SELECT state, status, content_type, response_body FROM api_idempotency_key "
                        "WHERE user_id = %s AND key = %s", (self.user_id, idem_key))

    # ------------------------------------------------------------------ tests
    def test_idempotent_post_in_real_transaction_stores_its_response(self):
        # Without any retry: the claim is committed after the request's snapshot was taken; the
        # stored response must still land on it (it once silently stayed 'running').
        idem_key = "plain-%s" % self.tag
        first = self._post(idem_key)
        self.assertEqual(first.status_code, 201, first.text[:500])
        [(state, status, _ctype, stored)] = self._idem_rows(idem_key)
        self.assertEqual((state, status, stored), ("done", 201, first.text))
        again = self._post(idem_key)
        self.assertEqual((again.status_code, again.text), (201, first.text))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(len(self._orders()), 1)

    def test_idempotent_post_retried_after_serialization_failure(self):
        idem_key = "retry-%s" % self.tag
        first_locker = self._locker("locker 1")
        self.assertTrue(first_locker.holding.wait(TIMEOUT))
        with self.assertLogs("odoo.service.model", logging.INFO) as logs:
            thread, result = self._post_in_thread(idem_key)
            # the request's transaction (snapshot taken) is blocked on the partner row...
            self.assertTrue(self._wait(self._request_waits_on(first_locker), thread))
            first_locker.release.set()  # ...and the locker commits: serialization failure
            first_locker.join(TIMEOUT)
            self.assertIsNone(first_locker.error)
            thread.join(TIMEOUT)
        self.assertNotIn("error", result)
        # Odoo's retry loop really saw the failure and retried once
        self.assertEqual(sum("SERIALIZATION_FAILURE, 4 tries left" in line for line in logs.output), 1,
                         logs.output)
        first = result["response"]
        self.assertEqual(first.status_code, 201, first.text[:500])
        body = first.json()
        self.assertEqual(body["external_ref"], "ORDER-%s" % self.tag)
        # exactly one order, one stored response (the one the client got), one request-log row
        self.assertEqual(self._orders(), [(body["id"],)])
        [(state, status, ctype, stored)] = self._idem_rows(idem_key)
        self.assertEqual((state, status, ctype), ("done", 201, first.headers["Content-Type"]))
        self.assertEqual(stored, first.text)
        self.assertEqual(self._db("SELECT status FROM api_request_log WHERE request_id = %s",
                                  (first.headers["X-Request-Id"],)), [(201,)])
        # the retry's write of the partner landed on top of the locker's committed one
        self.assertEqual(self._db("SELECT phone, comment FROM res_partner WHERE id = %s", (self.partner_id,)),
                         [("+32 2 555 01 01", "locker 1")])
        # a replay of the key returns the first response, and creates nothing
        again = self._post(idem_key)
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.text, first.text)
        self.assertEqual(self._orders(), [(body["id"],)])

    def test_persistent_serialization_failure_409_nothing_written(self):
        idem_key = "retry-409-%s" % self.tag
        holder = self._locker("locker 1")
        self.assertTrue(holder.holding.wait(TIMEOUT))
        started = time.monotonic()
        with self.assertLogs("odoo.service.model", logging.INFO) as logs:
            thread, result = self._post_in_thread(idem_key)
            n = 1
            # every attempt of the request blocks on the row; before its holder commits, the next
            # locker queues behind the request, so it owns the row again before the next attempt
            while self._wait(self._request_waits_on(holder), thread):
                n += 1
                nxt = self._locker("locker %d" % n)
                self._wait(self._queued(nxt))
                holder.release.set()
                self.assertTrue(nxt.holding.wait(TIMEOUT))
                self.assertIsNone(nxt.error)
                holder = nxt
                if n > 10:
                    break
            holder.release.set()
            thread.join(TIMEOUT)
        duration = time.monotonic() - started
        logging.getLogger(__name__).info("409 after Odoo's 5 tries in %.1f s", duration)
        self.assertNotIn("error", result)
        self.assertEqual(n, 6)  # 5 attempts, each aborted by a committed concurrent update
        self.assertTrue(any("maximum number of tries reached" in line for line in logs.output), logs.output)
        res = result["response"]
        self.assertEqual(res.status_code, 409, res.text[:500])
        self.assertEqual(res.headers["Content-Type"], "application/problem+json")
        doc = res.json()
        self.assertEqual(doc["status"], 409)
        self.assertIn("concurrent", doc["type"])
        self.assertIn("modified concurrently", doc["detail"])
        self.assertEqual(doc["request_id"], res.headers["X-Request-Id"])
        self.assertNotIn("Traceback", res.text)
        self.assertNotIn("psycopg2", res.text)
        for locker in self.lockers:  # the last locker commits after the request gave up
            locker.join(TIMEOUT)
        # nothing half-written: no order, the partner as the last locker left it, the key released
        self.assertEqual(self._orders(), [])
        self.assertEqual(self._db("SELECT phone, comment FROM res_partner WHERE id = %s", (self.partner_id,)),
                         [(None, "locker 6")])
        self.assertEqual(self._idem_rows(idem_key), [])
        self.assertEqual(self._db("SELECT status, error_title FROM api_request_log WHERE request_id = %s",
                                  (res.headers["X-Request-Id"],)), [(409, doc["title"])])
        # the client's retry with the same key now runs, once
        retry = self._post(idem_key)
        self.assertEqual(retry.status_code, 201, retry.text[:500])
        self.assertEqual(len(self._orders()), 1)
        replay = self._post(idem_key)
        self.assertEqual((replay.status_code, replay.text), (201, retry.text))
        self.assertEqual(len(self._orders()), 1)
