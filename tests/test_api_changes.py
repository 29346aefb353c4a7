"""The change feed (GET /api/v1/changes): creations, updates, archivals and deletions in commit
order, resumable; a reader concurrent with writers committing out of order misses nothing and sees
nothing twice; a cursor older than the retention is 410."""
import json
import threading
import time

from odoo.tests import HttpCase, freeze_time, tagged

from ..models.rest_change import COMMIT_ORDER_LOCK
from .test_api_common import ApiTestMixin
from .test_api_concurrency import ConcurrencyCase


def _last_seq(cr):
    """The newest position, once the changes pending in this transaction are numbered."""
    cr.flush()
    cr.execute("SELECT COALESCE(max(seq), 0) FROM rest_change")
    return cr.fetchone()[0]


@tagged("post_install", "-at_install")
class TestApiChanges(ApiTestMixin, HttpCase):

    def _feed(self, after, **params):
        res = self.api("GET", "/api/v1/changes", params=dict(params, after=str(after)))
        self.assertEqual(res.status_code, 200, res.text)
        return res.json()

    def test_feed_reports_creation_update_archival_and_deletion_in_order(self):
        start = _last_seq(self.env.cr)
        partner = self.env["res.partner"].create({"name": "Feed", "external_ref": "FEED-1"})
        self.env.cr.flush()  # what the commit does: the precommit hook numbers the changes
        partner.write({"city": "Ghent"})
        self.env.cr.flush()
        partner.write({"active": False})
        self.env.cr.flush()
        order = self.make_order(ref="FEED-O")
        self.env.cr.flush()
        order.unlink()
        self.env.cr.flush()
        gone = self.env["res.partner"].create({"name": "Gone", "external_ref": "FEED-2"})
        self.env.cr.flush()
        gone.unlink()
        self.env.cr.flush()
        feed = self._feed(start)
        got = [(e["resource"], e["id"], e["external_ref"], e["change"]) for e in feed["data"]]
        self.assertEqual(got, [
            ("partners", partner.id, "FEED-1", "created"), ("partners", partner.id, "FEED-1", "updated"),
            ("partners", partner.id, "FEED-1", "archived"), ("orders", order.id, "FEED-O", "created"),
            ("orders", order.id, "FEED-O", "deleted"), ("partners", gone.id, "FEED-2", "created"),
            ("partners", gone.id, "FEED-2", "deleted")])
        seqs = [e["seq"] for e in feed["data"]]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.assertEqual([e["version"] for e in feed["data"]], seqs)
        self.assertEqual(feed["next_cursor"], str(seqs[-1]))
        self.assertFalse(feed["has_more"])
        # resumable, page by page, filtered by resource, with the current representation
        page = self._feed(start, limit=2, resources="partners", include="data")
        self.assertEqual([e["change"] for e in page["data"]], ["created", "updated"])
        self.assertTrue(page["has_more"])
        self.assertEqual(page["data"][0]["data"]["city"], "Ghent")
        self.assertFalse(page["data"][0]["data"]["active"])
        rest = self._feed(page["next_cursor"], resources="partners", include="data")
        self.assertEqual([e["change"] for e in rest["data"]], ["archived", "created", "deleted"])
        self.assertIsNone(rest["data"][-1]["data"])
        self.assertEqual(self._feed(feed["next_cursor"])["data"], [])

    def test_a_change_created_and_deleted_in_one_transaction_is_not_reported(self):
        start = _last_seq(self.env.cr)
        self.env["res.partner"].create({"name": "Ephemeral"}).unlink()
        self.env.cr.flush()
        self.assertEqual(self._feed(start)["data"], [])

    def test_cursor_older_than_retention_is_410(self):
        with freeze_time("2026-01-01 10:00:00"):
            start = _last_seq(self.env.cr)
            self.env["res.partner"].create({"name": "Old change"})
            self.env.cr.flush()
        with freeze_time("2026-02-15 10:00:00"):  # 45 days later: past the default 30
            self.env["rest.change"]._gc_old_changes()
            self.assertProblem(self.api("GET", "/api/v1/changes", params={"after": str(start)}), 410)
            purged = self.env["rest.change"]._purged_through()
            self.assertGreater(purged, start)
            self.assertEqual(self.api("GET", "/api/v1/changes", params={"after": str(purged)}).status_code, 200)
            # a new reader starts at 0: the 410 tells it where to read on after its full list (before,
            # it had no cursor to use: a listing's next_cursor is not a feed position)
            for after in (0, start):
                res = self.api("GET", "/api/v1/changes", params={"after": str(after)})
                self.assertProblem(res, 410)
                self.assertEqual(res.json()["type"].rsplit("/", 1)[-1], "cursor-expired")
                restart = res.json()["restart_after"]
                self.assertEqual(int(restart), max(_last_seq(self.env.cr), purged))  # the newest, or purged
            # what is committed during the resync is read after it, and nothing before
            self.env["res.partner"].create({"name": "During the resync", "external_ref": "RESYNC-1"})
            self.env.cr.flush()
            feed = self._feed(restart)
            self.assertEqual([(e["external_ref"], e["change"]) for e in feed["data"]], [("RESYNC-1", "created")])

    def test_bad_cursor_is_422(self):
        self.assertProblem(self.api("GET", "/api/v1/changes", params={"after": "-1"}), 422)
        self.assertProblem(self.api("GET", "/api/v1/changes"), 422)


@tagged("post_install", "-at_install")
class TestApiChangesConcurrency(ConcurrencyCase):

    def _read(self, after):
        with self.registry.cursor() as cr:
            rows = self._env(cr)["rest.change"]._read_after(after, ["res.partner"], 1000)
        return [(r[0], r[2]) for r in rows]

    def test_reader_misses_nothing_when_writers_commit_out_of_order(self):
        with self.registry.cursor() as cr:
            start = _last_seq(cr)
        made = []
        self.addCleanup(self._drop, made)
        first = self.registry.cursor()   # starts first, commits last
        second = self.registry.cursor()
        try:
            made.append(self._env(first)["res.partner"].create({"name": "T1 %s" % self.tag}).id)
            made.append(self._env(second)["res.partner"].create({"name": "T2 %s" % self.tag}).id)
            second.commit()
            seen = self._read(start)
            self.assertEqual([i for _s, i in seen], [made[1]])
            # T1's precommit hooks run (as at every savepoint of a batch or an import): its changes
            # are written, not numbered, and it holds no lock a third writer would wait for
            first.flush()
            third_done = threading.Event()

            def third():
                with self.registry.cursor() as cr:
                    made.append(self._env(cr)["res.partner"].create({"name": "T3 %s" % self.tag}).id)
                third_done.set()
            thread = threading.Thread(target=third)
            thread.start()
            thread.join(10)
            self.assertTrue(third_done.is_set(), "a writer committing waits for no transaction still at work")
            middle = self._read(seen[-1][0])
            self.assertEqual([i for _s, i in middle], [made[2]], "T1 is not committed: not numbered, not seen")
            first.commit()
        finally:
            first.close()
            second.close()
        last = self._read(middle[-1][0])
        self.assertEqual([i for _s, i in last], [made[0]], "T1 numbered after T3: in commit order")
        everything = seen + middle + last
        self.assertEqual([s for s, _i in everything], sorted({s for s, _i in everything}))
        self.assertEqual(sorted(i for _s, i in everything), sorted(made))

    def test_a_commit_waits_for_the_commit_numbering_before_it(self):
        """The commit-order lock is taken when a transaction commits: while another commit holds it
        (here a session holding the same advisory lock), the commit waits, and its changes are not
        visible; once it is released, they are, after everything numbered before."""
        with self.registry.cursor() as cr:
            start = _last_seq(cr)
        made = []
        self.addCleanup(self._drop, made)
        holder = self.registry.cursor()
        done = threading.Event()
        try:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_ORDER_LOCK,))

            def writer():
                with self.registry.cursor() as cr:
                    made.append(self._env(cr)["res.partner"].create({"name": "Waits %s" % self.tag}).id)
                    cr.flush()  # precommit: written without a position, no lock taken yet
                    made.append(None)
                done.set()
            thread = threading.Thread(target=writer)
            thread.start()
            for _i in range(100):  # the writer got through its precommit, into its COMMIT
                if len(made) == 2:
                    break
                time.sleep(0.05)
            self.assertEqual(len(made), 2)
            waiting = 0
            for _i in range(100):  # its COMMIT now waits for the commit-order lock
                with self.registry.cursor() as cr:
                    cr.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                               "AND (classid::bigint << 32 | objid::bigint) = %s", [COMMIT_ORDER_LOCK])
                    waiting = cr.fetchone()[0]
                if waiting:
                    break
                time.sleep(0.05)
            self.assertEqual(waiting, 1, "the COMMIT waits for the commit-order lock")
            self.assertFalse(done.is_set())
            self.assertEqual(self._read(start), [])
        finally:
            holder.rollback()
            holder.close()
        thread.join(10)
        self.assertTrue(done.is_set())
        made.remove(None)
        self.assertEqual([i for _s, i in self._read(start)], made)

    def test_webhook_bodies_carry_the_position_given_at_commit(self):
        """Bodies stored before their event is numbered (a creation's at precommit, a deletion's when
        it happens) say "version":null until the COMMIT writes the position in: after it, every body
        carries its event's position, through a real commit."""
        made = []
        self.addCleanup(self._drop, made)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            param = env["ir.config_parameter"].get_param("rest_webhooks.webhook_allow_local_network")
            env["ir.config_parameter"].set_param("rest_webhooks.webhook_allow_local_network", "1")
            endpoint = env["webhook.endpoint"].create({
                "name": "Versions %s" % self.tag, "url": "http://127.0.0.1:9/never-called",
                "model_id": env["ir.model"]._get_id("res.partner"), "event_created": True,
                "event_updated": False, "event_deleted": True})
            endpoint_id = endpoint.id
        self.addCleanup(self._drop_endpoint, endpoint_id, param)
        with self.registry.cursor() as cr:
            made.append(self._env(cr)["res.partner"].create({"name": "Versioned %s" % self.tag}).id)
        with self.registry.cursor() as cr:
            gone = self._env(cr)["res.partner"].create({"name": "Deleted %s" % self.tag})
        with self.registry.cursor() as cr:
            self._env(cr)["res.partner"].browse(gone.id).unlink()
        with self.registry.cursor() as cr:
            cr.execute("""SELECT d.res_id, d.event_type, b.body, c.seq FROM webhook_delivery d
                            JOIN rest_change_body b ON b.id = d.body_id JOIN rest_change c ON c.id = d.change_id
                           WHERE d.endpoint_id = %s ORDER BY c.seq""", [endpoint_id])
            rows = cr.fetchall()
        self.assertEqual([(r[0], r[1]) for r in rows], [(made[0], "res.partner.created"),
                                                        (gone.id, "res.partner.created"),
                                                        (gone.id, "res.partner.deleted")])
        for _res_id, _type, body, seq in rows:
            self.assertTrue(seq)
            self.assertEqual(json.loads(body)["version"], seq)
            self.assertTrue(body.startswith('{"type":"res.partner.'), "the envelope is unchanged")

    def _drop_endpoint(self, endpoint_id, param):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["webhook.endpoint"].browse(endpoint_id).unlink()
            env["ir.config_parameter"].set_param("rest_webhooks.webhook_allow_local_network", param or False)

    def _drop(self, ids):
        with self.registry.cursor() as cr:
            self._env(cr)["res.partner"].browse(ids).unlink()
