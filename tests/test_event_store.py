"""The event store (rest.change): each business event stored once, with its version; webhook
deliveries reference it and a body stored once per payload user; the change feed, the webhooks and
the replays read the same events; retention keeps what a delivery still needs."""
import datetime
import json

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, freeze_time, new_test_user, tagged

from .test_api_common import ApiTestMixin
from .webhook_common import WebhookTestMixin


def _events(env, model, res_id):
    env.cr.flush()
    return env["rest.change"].sudo().search([("res_model", "=", model), ("res_id", "=", res_id)])


@tagged("post_install", "-at_install")
class TestEventStore(WebhookTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)
        # may read partners but no sale order (no sales rights)
        cls.no_sales = new_test_user(cls.env, "events_no_sales", groups="base.group_user")

    def test_endpoints_sharing_a_payload_user_reference_one_event_and_one_body(self):
        receiver = self.start_receiver()
        first, _s = self.make_endpoint(receiver, name="first")            # built as the superuser
        second, _s = self.make_endpoint(receiver, name="second")          # built as the superuser
        limited, _s = self.make_endpoint(receiver, name="limited", run_as_user_id=self.no_sales.id)
        partner = self.env["res.partner"].create({"name": "Shared event customer"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        [event] = _events(self.env, "sale.order", order.id)
        self.assertEqual((event.change, event.feed), ("created", True))
        deliveries = self.env["webhook.delivery"].search([("endpoint_id", "in", (first | second | limited).ids)])
        self.assertEqual(len(deliveries), 3)
        self.assertEqual(deliveries.change_id, event, "one stored event, referenced by every delivery")
        by_endpoint = {d.endpoint_id: d for d in deliveries}
        # one body for the two endpoints with the same payload user; another for the user with fewer rights
        self.assertEqual(by_endpoint[first].body_id, by_endpoint[second].body_id)
        self.assertNotEqual(by_endpoint[limited].body_id, by_endpoint[first].body_id)
        self.assertEqual(len(event.body_ids), 2)
        self.assertFalse(by_endpoint[first].payload_restricted)
        self.assertTrue(by_endpoint[limited].payload_restricted)

        self.assertEqual(self.dispatch(), 3)
        got = {r.headers["webhook-id"]: r for r in receiver.received}
        full = [got[by_endpoint[ep].event_id].body for ep in (first, second)]
        self.assertEqual(full[0], full[1], "the same bytes for the endpoints sharing the body")
        self.assertEqual(json.loads(full[0])["data"]["id"], order.id)
        self.assertIn("amount_total", json.loads(full[0])["data"])
        restricted = json.loads(got[by_endpoint[limited].event_id].body)
        self.assertEqual(restricted["data"], {"id": order.id}, "never the body built with more rights")
        self.assertEqual({json.loads(r.body)["version"] for r in receiver.received}, {event.seq})
        self.assertEqual(len({d.event_id for d in deliveries}), 3, "one webhook-id per delivery")

    def test_deletion_shared_by_two_endpoints_is_one_event_numbered_at_commit(self):
        receiver = self.start_receiver()
        first, _s = self.make_endpoint(receiver, model="res.partner", event_created=False, event_deleted=True)
        second, _s = self.make_endpoint(receiver, model="res.partner", event_created=False, event_deleted=True)
        partner = self.env["res.partner"].create({"name": "Leaving", "external_ref": "EV-DEL"})
        self.env.cr.flush()
        pid = partner.id
        partner.unlink()
        deliveries = (first | second).delivery_ids
        self.assertEqual(len(deliveries), 2)
        self.assertEqual(len(deliveries.change_id), 1)
        self.assertEqual(len(deliveries.body_id), 1)
        self.assertFalse(deliveries.change_id.seq, "numbered at commit, in commit order")
        events = _events(self.env, "res.partner", pid)
        self.assertEqual(events.mapped("change"), ["created", "deleted"])
        deleted = events[-1]
        self.assertEqual((deleted.external_ref, deleted.feed), ("EV-DEL", True))
        self.assertEqual(deliveries.change_id, deleted)
        body = json.loads(deliveries[0].payload)
        self.assertEqual((body["type"], body["version"], body["data"]["name"]),
                         ("res.partner.deleted", deleted.seq, "Leaving"))
        self.assertGreater(deleted.seq, events[0].seq)

    def test_archival_and_deletion_are_events_without_any_endpoint(self):
        partner = self.env["res.partner"].create({"name": "No endpoint"})
        self.env.cr.flush()
        partner.write({"active": False})
        self.env.cr.flush()
        order = self.env["sale.order"].create({"partner_id": partner.id})
        self.env.cr.flush()
        oid = order.id
        order.unlink()
        self.assertEqual(_events(self.env, "res.partner", partner.id).mapped("change"), ["created", "archived"])
        self.assertEqual(_events(self.env, "sale.order", oid).mapped("change"), ["created", "deleted"])

    def test_business_event_before_the_update_of_the_same_transaction(self):
        """A confirmation's payload is read when it happens; the update's at commit: the update, with
        the newer state, gets the higher version."""
        receiver = self.start_receiver()
        endpoint, _s = self.make_endpoint(receiver, event_created=False, event_updated=True, event_confirmed=True)
        product = self.env["product.product"].create({"name": "Event widget", "list_price": 3.0})
        customer = self.env["res.partner"].create({"name": "Confirming customer"})
        order = self.env["sale.order"].create({"partner_id": customer.id,
                                               "order_line": [(0, 0, {"product_id": product.id})]})
        self.env.cr.flush()
        endpoint.delivery_ids.unlink()
        order.action_confirm()
        order.client_order_ref = "AFTER-CONFIRM"
        events = _events(self.env, "sale.order", order.id)
        confirmed = events.filtered(lambda e: e.change == "confirmed")
        updated = events.filtered(lambda e: e.change == "updated")
        self.assertEqual((len(confirmed), len(updated), confirmed.feed, updated.feed), (1, 1, False, True))
        self.assertLess(confirmed.seq, updated.seq)
        versions = {d.event_type: json.loads(d.payload)["version"] for d in endpoint.delivery_ids}
        self.assertEqual(versions, {"sale.order.confirmed": confirmed.seq, "sale.order.updated": updated.seq})

    def test_retention_keeps_the_events_deliveries_still_need(self):
        receiver = self.start_receiver()
        now = fields.Datetime.now()
        with freeze_time(now - datetime.timedelta(days=45)):  # past the feed's 30 days
            unwatched = self.env["res.partner"].create({"name": "Nobody listens"})
            self.env.cr.flush()
            endpoint, _s = self.make_endpoint(receiver, model="res.partner")
            watched = self.env["res.partner"].create({"name": "Somebody listens"})
            self.env.cr.flush()
        [kept] = _events(self.env, "res.partner", watched.id)
        [gone] = _events(self.env, "res.partner", unwatched.id)
        delivery = endpoint.delivery_ids
        body, gone_seq = delivery.payload, gone.seq
        self.env["rest.change"]._gc_old_changes()
        self.assertFalse(gone.exists())
        self.assertTrue(kept.exists(), "a pending delivery keeps its event")
        self.assertGreaterEqual(self.env["rest.change"]._purged_through(), gone_seq)
        self.assertEqual(self.dispatch(), 1)
        self.assertEqual(receiver.received[0].body, body.encode())
        self.assertEqual(delivery.state, "delivered")
        with freeze_time(now + datetime.timedelta(days=45)):  # past the deliveries' retention too
            self.env["webhook.delivery"]._gc_delivered()
            self.assertFalse(delivery.exists())
            self.env["rest.change"]._gc_old_changes()
            self.assertFalse(kept.exists(), "once no delivery needs it, the event goes")
            self.assertFalse(self.env["rest.change.body"].sudo().search([("change_id", "=", kept.id)]))

    def test_replay_sends_the_stored_event_with_the_same_webhook_id(self):
        receiver = self.start_receiver()
        endpoint, _s = self.make_endpoint(receiver, model="res.partner")
        partner = self.env["res.partner"].create({"name": "Replayed"})
        self.dispatch()
        delivery = endpoint.delivery_ids
        self.assertEqual(delivery.state, "delivered")
        partner.write({"name": "Renamed since"})
        occurred = delivery.change_id.occurred_at
        wizard = self.env["webhook.replay"].create({
            "endpoint_id": endpoint.id, "include_delivered": True,
            "date_from": occurred - datetime.timedelta(minutes=1), "date_to": occurred})
        self.assertEqual(wizard.count, 1)
        wizard.action_replay()
        self.assertEqual(self.dispatch(), 1)
        first, again = receiver.received
        self.assertEqual(again.headers["webhook-id"], first.headers["webhook-id"])
        self.assertEqual(again.body, first.body, "the stored event's body, not the record as now")
        self.assertEqual(json.loads(again.body)["data"]["name"], "Replayed")
        later = self.env["webhook.replay"].create({
            "endpoint_id": endpoint.id, "include_delivered": True,
            "date_from": occurred + datetime.timedelta(seconds=1),
            "date_to": fields.Datetime.now() + datetime.timedelta(minutes=1)})
        self.assertEqual(later.count, 0, "the range is the event's time")


@tagged("post_install", "-at_install")
class TestEventVersions(ApiTestMixin, WebhookTestMixin, HttpCase):

    def test_version_in_payloads_and_feed_entries_monotonic_per_record(self):
        self._allow_local_network(self.env)
        receiver = self.start_receiver()
        self.make_endpoint(receiver, model="res.partner", event_updated=True, event_deleted=True)
        self.env.cr.flush()
        self.env.cr.execute("SELECT COALESCE(max(seq), 0) FROM rest_change")
        start = self.env.cr.fetchone()[0]
        partner = self.env["res.partner"].create({"name": "Versioned", "external_ref": "EV-V"})
        self.env.cr.flush()
        partner.write({"city": "Leuven"})
        self.env.cr.flush()
        partner.write({"active": False})
        self.env.cr.flush()
        pid = partner.id
        partner.unlink()
        self.env.cr.flush()
        self.dispatch()
        res = self.api("GET", "/api/v1/changes", params={"after": str(start), "resources": "partners"})
        self.assertEqual(res.status_code, 200, res.text)
        feed = [(e["change"], e["version"]) for e in res.json()["data"] if e["id"] == pid]
        self.assertEqual([c for c, _v in feed], ["created", "updated", "archived", "deleted"])
        bodies = sorted((json.loads(r.body) for r in receiver.received), key=lambda b: b["version"])
        self.assertEqual([(b["type"], b["version"]) for b in bodies], [
            ("res.partner.created", feed[0][1]), ("res.partner.updated", feed[1][1]),
            ("res.partner.updated", feed[2][1]), ("res.partner.deleted", feed[3][1])])
        versions = [v for _c, v in feed]
        self.assertEqual(versions, sorted(set(versions)), "strictly increasing per record")


@tagged("post_install", "-at_install")
class TestEventStoreSavepoints(WebhookTestMixin, TransactionCase):
    """Work rolled back by a non-flushing savepoint (Odoo's import "Test" button runs the import in
    one, then rolls it back) leaves no event, body or delivery behind, and the transaction commits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._allow_local_network(cls.env)

    def test_rolled_back_savepoint_leaves_no_event_and_the_commit_succeeds(self):
        receiver = self.start_receiver()
        endpoint, _s = self.make_endpoint(receiver, model="res.partner", event_created=True, event_deleted=True)
        Partner = self.env["res.partner"]
        doomed = Partner.create({"name": "Deleted in the rolled-back part", "external_ref": "SP-DEL"})
        self.env.cr.flush()
        before = endpoint.delivery_ids
        with self.env.cr.savepoint(flush=False) as sp:
            ghost = Partner.create({"name": "Created in the rolled-back part"})
            doomed.unlink()  # its event and body are stored at once
            self.env.flush_all()
            ghost_id = ghost.id
            sp.close(rollback=True)
        self.env.invalidate_all()
        kept = Partner.create({"name": "Created after the rollback"})
        doomed_again = Partner.browse(doomed.id)
        self.assertTrue(doomed_again.exists(), "the deletion was rolled back")
        doomed_again.unlink()  # the same event key again, after the rollback
        self.env.cr.flush()  # precommit: must not fail on rows the savepoint took away
        new = endpoint.delivery_ids - before
        self.assertEqual(sorted((d.res_id, json.loads(d.payload)["type"]) for d in new),
                         sorted([(kept.id, "res.partner.created"), (doomed.id, "res.partner.deleted")]))
        self.assertFalse(_events(self.env, "res.partner", ghost_id), "no event for the rolled-back creation")
        self.assertEqual(_events(self.env, "res.partner", doomed.id).mapped("change"), ["created", "deleted"])
