"""rest.change.body: the webhook body of one event (rest.change) as one payload user reads it.

Payloads are built with the rights of each endpoint's payload user (webhook.endpoint._payload_env):
two endpoints whose payload users differ may get different bodies for the same event (fields left
out, a record sent as its id only). So a body is stored once per event, payload user, payload field
selection and event type, and every delivery of an endpoint with that combination references it:
one payload for many endpoints, never a body built with more rights for an endpoint whose payload
user has fewer. A body without an event is a test event's ("Send test event") or one written by hand.
"""
from odoo import api, fields, models

from ..lib.representation import json_dumps
from .rest_change import COMMIT_TRIGGERS, ensure_commit_trigger, forget_rolled_back

_KNOWN = "rest_webhooks.bodies_known"


# The envelope of a body whose event is not numbered yet, up to its version (a regular expression
# of PostgreSQL; the type is a JSON string, escapes included): ``build_body``'s keys in their order.
UNNUMBERED_ENVELOPE = r'^(\{"type":"(?:[^"\\]|\\.)*","timestamp":"[^"]*","version":)null'


def build_body(event_type, when, data, version):
    """The webhook request body (the envelope the OpenAPI ``webhooks`` section documents)."""
    return json_dumps({
        "type": event_type,
        "timestamp": when.replace(microsecond=0).isoformat() + "Z",
        "version": version,
        "data": data,
    })


class RestChangeBody(models.Model):
    _name = "rest.change.body"
    _description = "Webhook body of an event"
    _log_access = False

    change_id = fields.Many2one("rest.change", "Event", ondelete="cascade", readonly=True)
    user_id = fields.Many2one("res.users", "Built as", ondelete="cascade", readonly=True)
    fields_key = fields.Char("Payload fields", readonly=True)
    event_type = fields.Char(readonly=True)
    body = fields.Text(readonly=True, help="The exact request body, signed and sent as is.")
    restricted = fields.Boolean(readonly=True, help="The payload user may not read the record: its id only.")

    _key_uniq = models.Constraint("UNIQUE (change_id, user_id, fields_key, event_type)",
                                  "One body per event, payload user, payload fields and event type.")

    def init(self):
        # A body stored before its event is numbered (at commit, rest.change) says "version":null;
        # fired at commit after its event's numbering (deferred triggers fire in the order of the
        # rows written, and a body's event is written before it), this writes the position in.
        self.env.cr.execute(r"""
            CREATE OR REPLACE FUNCTION rest_change_body_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE rest_change_body b SET body = regexp_replace(b.body, %(envelope)s, '\1' || c.seq)
                  FROM rest_change c
                 WHERE b.id = NEW.id AND c.id = b.change_id AND c.seq IS NOT NULL
                   AND b.body ~ %(envelope)s;
                RETURN NULL;
            END $$;
        """, {"envelope": UNNUMBERED_ENVELOPE})
        ensure_commit_trigger(self.env.cr, "rest_change_body", COMMIT_TRIGGERS[1], "rest_change_body_version")

    @api.model
    def _known(self, change_id, user_id, fields_key, event_type):
        """The id of the body stored in this transaction for this key, or None."""
        return self.env.cr.precommit.data.get(_KNOWN, {}).get((change_id, user_id, fields_key, event_type))

    @api.model
    def _store(self, entries):
        """The ids of the bodies of ``entries``, in order, inserting those not stored yet in this
        transaction (one per event, payload user, fields and type). ``entries``: (change_id, user_id,
        fields_key, event_type, when, data, restricted, version). ``version`` None: the event is not
        numbered yet; PostgreSQL writes it into the body at commit (``init``). Technical rows."""
        known = self.env.cr.precommit.data.setdefault(_KNOWN, {})
        forget_rolled_back(self.env.cr, "rest_change_body", known, [e[:4] for e in entries if e[0] is not None])
        new, seen = [], set()
        for e in entries:
            key = e[:4]
            if e[0] is None or (key not in known and key not in seen):
                new.append(e)
                seen.add(key)
        new_ids = []
        if new:
            self.env.cr.execute(
                "INSERT INTO rest_change_body (change_id, user_id, fields_key, event_type, body, restricted) "
                "SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[], %s::text[], "
                "%s::bool[]) RETURNING id",
                ([e[0] for e in new], [e[1] for e in new], [e[2] for e in new], [e[3] for e in new],
                 [build_body(e[3], e[4], e[5], e[7]) for e in new], [bool(e[6]) for e in new]))
            new_ids = [r[0] for r in self.env.cr.fetchall()]
            if any(e[7] is None for e in new):
                self.env["rest.change"]._number_if_never_committed()
        for body_id, e in zip(new_ids, new, strict=True):
            if e[0] is not None:
                known[e[:4]] = body_id
        alone = iter([body_id for body_id, e in zip(new_ids, new, strict=True) if e[0] is None])
        return [next(alone) if e[0] is None else known[e[:4]] for e in entries]  # no event: never shared
