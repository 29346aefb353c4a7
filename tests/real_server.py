"""Base for tests that need real, committed transactions behind the running HTTP server.

HttpCase serialises requests in the test's one transaction; some behaviours only show with real
cursors (a read-only request, a log row written after the request's rollback). These tests send real
HTTP requests to the same server but let it use real cursors (as test_api_retry and
test_inbound_concurrency do). Everything they create is committed, so ``_cleanup`` deletes it.
"""
import datetime
import uuid
from unittest.mock import patch

import requests

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase
from odoo.tests.common import HOST, get_db_name

from ..services import log_buffer


class CommittedEnvMixin:
    """``self._env(cr)``: a superuser environment on a real cursor of the test's registry (work that
    must commit, outside the test's transaction)."""

    def _env(self, cr):
        if cr.transaction is None:
            # Environment() would look the registry up by name, which waits for the registry lock the
            # test runner holds: give the cursor its transaction on our (same) registry directly.
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})


def use_real_cursors(case):
    """Lets the running HTTP server serve ``case``'s requests with REAL cursors, each request in its
    own transaction, truly in parallel: post-install tests run while the loading thread holds the
    registry lock, so the HTTP threads are let through it (as HttpCase's test mode does) without
    HttpCase's shared test cursor. Sets ``case.registry`` and ``case.base`` (the server's URL)."""
    case.registry = Registry(get_db_name())
    for patcher in (patch.object(Registry, "_lock", DummyRLock()),
                    patch.object(case.registry, "check_signaling", return_value=case.registry)):
        patcher.start()
        case.addCleanup(patcher.stop)
    case.base = "http://%s:%d" % (HOST, odoo.service.server.server.httpd.server_port)


API_GROUPS = ("base.group_user", "sales_team.group_sale_salesman_all_leads", "rest_webhooks.group_api_user")


class RealServerCase(BaseCase):
    """An integration user with a committed API key, and helpers to call the running server."""

    user_values = {}

    def setUp(self):
        super().setUp()
        use_real_cursors(self)
        self.tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].with_context(no_reset_password=True).create({
                "name": "Real %s" % self.tag, "login": "real_%s" % self.tag, **self.user_values,
                "group_ids": [Command.set([env.ref(g).id for g in API_GROUPS])]})
            self.user_id = user.id
            # sudo only to issue the key as a manager would from the UI
            self.key = env["res.users.apikeys"].with_user(user).sudo()._generate(
                "rest_webhooks", "real server test", fields.Datetime.now() + datetime.timedelta(days=1))
        self.addCleanup(self._cleanup)

    def wait_for_log_flush(self):
        """Wait for this process's log flusher to write the buffered request-log rows (the real,
        deferred path: services/log_buffer.py), at most a few seconds."""
        self.assertTrue(log_buffer.BUFFER.wait_idle(10), "the request log was not flushed within 10 s")

    def _cleanup(self):
        self.wait_for_log_flush()
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM api_request_log WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM api_rate_counter WHERE user_id = %s", (self.user_id,))
            cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s", (self.user_id,))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].browse(self.user_id)
            partner = user.partner_id
            user.unlink()
            partner.unlink()

    def _db(self, query, params=()):
        """``query``'s rows, once the request-log rows of the calls made so far are written."""
        self.wait_for_log_flush()
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None

    def get(self, path, key=None, headers=None):
        hdrs = {"Authorization": "Bearer %s" % key} if key else {}
        hdrs.update(headers or {})
        return requests.get(self.base + path, headers=hdrs, timeout=30)
