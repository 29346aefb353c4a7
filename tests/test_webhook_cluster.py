"""Several workers (or nodes) sharing one primary, simulated with committed transactions of other
cursors: a webhook rule committed by another worker is used by the next write here without any
registry signalling (the rules version, models/base_automation.py); a retry scheduled by another
process is woken on time by this one's dispatcher run (ir.cron._rw_arm_wake_ups)."""
import datetime
import select
import threading
import time
import uuid

import psycopg2

from odoo import fields, sql_db
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.rest_webhooks.models.webhook_delivery import DISPATCHER_CRONS

from .real_server import CommittedEnvMixin
from .webhook_common import WebhookTestMixin

MODEL = "res.partner.category"  # a model no other test puts webhook rules on


@tagged("post_install", "-at_install")
class TestRulesSeenAcrossWorkers(CommittedEnvMixin, WebhookTestMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.receiver = self.start_receiver()
        self.endpoint_ids = []
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["webhook.endpoint"].browse(self.endpoint_ids).exists().unlink()
            env[MODEL].search([("name", "like", self.tag)]).unlink()
            env["res.users"].search([("login", "=", "cluster-%s" % self.tag)]).unlink()

    def _committed_endpoint(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self._allow_local_network(env)
            endpoint, _secret = self.make_endpoint(self.receiver, model=MODEL, env=env,
                                                   name="cluster %s" % self.tag)
            self.endpoint_ids.append(endpoint.id)
            return endpoint.id, endpoint.automation_ids.ids

    def _sql_in_another_worker(self, query, args):
        """A committed change made elsewhere: plain SQL, so no registry signalling and no cache
        clearing in this process."""
        with self.registry.cursor() as cr:
            cr.execute(query, args)

    def _write_here(self):
        """A business write by a user without access to the rules, in a new transaction of this
        process; the deliveries it queued."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            user = env["res.users"].search([("login", "=", "cluster-%s" % self.tag)])
            if not user:
                user = new_test_user(env, login="cluster-%s" % self.tag,
                                     groups="base.group_user,base.group_partner_manager")
            record = env[MODEL].with_user(user).create({"name": "tag %s %s" % (self.tag, uuid.uuid4().hex[:4])})
            cr.flush()
            return {d.endpoint_id.id for d in env["webhook.delivery"].search([
                ("res_model", "=", MODEL), ("res_id", "=", record.id)])}

    def test_rule_activated_by_another_worker_is_used_by_the_next_write_with_a_warm_cache(self):
        first, _rules = self._committed_endpoint()
        second, rules = self._committed_endpoint()
        self._sql_in_another_worker("UPDATE base_automation SET active = false WHERE id IN %s", [tuple(rules)])
        with self.registry.cursor() as cr:  # this worker caches the rule list without the second endpoint
            self._env(cr)["base.automation"]._rw_patch_models()
        self.assertEqual(self._write_here(), {first})
        self._sql_in_another_worker("UPDATE base_automation SET active = true WHERE id IN %s", [tuple(rules)])
        self.assertEqual(self._write_here(), {first, second})

    def test_first_rule_of_a_model_added_by_another_worker_is_used_without_a_registry_reload(self):
        endpoint, rules = self._committed_endpoint()
        self._sql_in_another_worker("UPDATE base_automation SET active = false WHERE id IN %s", [tuple(rules)])
        with self.registry.cursor() as cr:  # the registry as loaded without any rule on the model
            self._env(cr)["base.automation"]._rw_patch_models()
        self.assertTrue(getattr(self.registry[MODEL].create, "_rw_guard", False), "create is guarded, not patched")
        self.assertEqual(self._write_here(), set())
        self._sql_in_another_worker("UPDATE base_automation SET active = true WHERE id IN %s", [tuple(rules)])
        self.assertEqual(self._write_here(), {endpoint})
        self.assertFalse(getattr(self.registry[MODEL].create, "_rw_guard", False), "Odoo's patch installed")

    def test_rules_version_changes_with_rules_only(self):
        _endpoint, rules = self._committed_endpoint()

        def version():
            with self.registry.cursor() as cr:
                return self._env(cr)["base.automation"]._rw_rules_version()
        v0 = version()
        self._sql_in_another_worker("UPDATE base_automation SET write_date = now() WHERE id IN %s", [tuple(rules)])
        self.assertEqual(version(), v0, "a change of another column keeps the version")
        self._sql_in_another_worker("UPDATE base_automation SET active = false WHERE id IN %s", [tuple(rules)])
        self.assertNotEqual(version(), v0)
        # in the transaction that changes the rules: at once
        with self.registry.cursor() as cr:
            Rule = self._env(cr)["base.automation"]
            before = Rule._rw_rules_version()
            Rule.browse(rules).write({"active": True})
            self.assertNotEqual(Rule._rw_rules_version(), before)


@tagged("post_install", "-at_install")
class TestRetryWakeUpOnAnyNode(WebhookTestMixin, TransactionCase):

    def _listen(self):
        listener = psycopg2.connect(**sql_db.connection_info_for("postgres")[1])
        listener.autocommit = True
        listener.cursor().execute("LISTEN cron_trigger")
        self.addCleanup(listener.close)
        return listener

    def _wait_notification(self, listener, t0, timeout=10):
        while time.monotonic() - t0 < timeout:
            if select.select([listener], [], [], 0.5)[0]:
                listener.poll()
                hit = any(n.payload == self.env.cr.dbname for n in listener.notifies)
                listener.notifies.clear()
                if hit:
                    return time.monotonic() - t0
        return None

    def test_dispatcher_run_wakes_workers_for_a_retry_another_process_scheduled(self):
        cron = self.env.ref(DISPATCHER_CRONS[0])
        listener = self._listen()
        # the trigger row another process left (its own timer died with it)
        self.env["ir.cron.trigger"].sudo().create({
            "cron_id": cron.id, "call_at": fields.Datetime.now() + datetime.timedelta(seconds=2)})
        timers = [t for t in threading.enumerate() if t.name == "rest_webhooks cron wake-up"]
        t0 = time.monotonic()
        self.env["ir.cron"]._rw_arm_wake_ups(DISPATCHER_CRONS)
        self.env["ir.cron"]._rw_arm_wake_ups(DISPATCHER_CRONS)  # a second run arms no second timer
        now_timers = [t for t in threading.enumerate() if t.name == "rest_webhooks cron wake-up"]
        self.assertEqual(len(now_timers), len(timers) + 1)
        got = self._wait_notification(listener, t0)
        self.assertIsNotNone(got, "no cron notification within 10 s")
        self.assertGreater(got, 0.5, "notified before the retry was due")
        self.assertLess(got, 5, "notified long after the retry was due")

    def test_scheduling_a_retry_runs_the_other_dispatcher_cron_now(self):
        self._allow_local_network(self.env)
        receiver = self.start_receiver(default_status=500)
        self.make_endpoint(receiver, model="res.partner")
        self.env["res.partner"].create({"name": "Retry elsewhere"})
        self.env.cr.flush()
        first, second = (self.env.ref(x) for x in DISPATCHER_CRONS)
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "in", (first | second).ids)]).unlink()
        self.env["webhook.delivery"].with_context(cron_id=first.id).sudo()._dispatch_due(commit=False)
        now = fields.Datetime.now()
        self.assertTrue(Trigger.search([("cron_id", "=", first.id), ("call_at", ">", now)]), "the retry's trigger")
        self.assertTrue(Trigger.search([("cron_id", "=", second.id), ("call_at", "<=", now)]),
                        "the other dispatcher cron runs now, on another worker, and arms its wake-up")
