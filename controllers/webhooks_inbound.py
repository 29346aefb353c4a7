"""POST /api/v1/webhooks/<slug>: receive a signed event, store it once, acknowledge fast.

Order of checks (nothing is parsed or stored before the signature is verified on the raw body):
unknown/inactive slug 404 -> body above the source's limit 413 -> signature (constant time, secrets
of the rotation, timestamp tolerance) 401 -> JSON 400 -> event id 400 -> store (dedupe on the event
id, and with the source's replay window on, on the body's SHA-256) 200.
Processing happens after the commit, in the cron (see models/webhook_event.py).
"""
import json

from odoo import fields, http
from odoo.http import request

from ..lib import inbound_signatures
from ..services.http import json_response, problem_response

FORM = "application/x-www-form-urlencoded"
# request headers kept with the event (never the signatures themselves)
KEPT_HEADERS = (
    "Content-Type", "User-Agent", "X-Request-Id",
    "webhook-id", "webhook-timestamp",
    "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Event-Id", "X-Shopify-Webhook-Id",
    "X-Shopify-Triggered-At", "X-GitHub-Event", "X-GitHub-Delivery", "X-GitHub-Hook-ID",
)


class WebhooksInbound(http.Controller):

    @http.route("/api/v1/webhooks/<string:slug>", type="http", auth="none", methods=["POST"],
                csrf=False, readonly=False, save_session=False, rest_webhooks_raw_body=True)
    def receive(self, slug, **_params):
        source = request.env["webhook.source"]._request_config(slug)
        if not source:
            return problem_response(404, "No active webhook source with this URL.")
        httprequest = request.httprequest
        limit = source.max_body_bytes
        if httprequest.content_length is not None and httprequest.content_length > limit:
            return problem_response(413, "The body exceeds the limit of %d bytes." % limit)
        body = httprequest.get_data()  # raw bytes, cached (a retried request reads them again)
        if len(body) > limit:
            return problem_response(413, "The body exceeds the limit of %d bytes." % limit)

        headers = httprequest.headers
        now = fields.Datetime.now()
        try:
            source.verify(body, headers, now)
        except inbound_signatures.SignatureError as exc:
            return problem_response(401, "Invalid webhook signature: %s." % exc,
                                    type_="invalid-signature")

        try:
            payload = inbound_signatures.parse_payload(body, httprequest.mimetype)
        except ValueError as exc:
            return problem_response(400, str(exc), type_="invalid-json")
        event_id = source.event_id(headers, payload, body)
        if not event_id:
            return problem_response(400, "The request carries no event id (%s)." % (
                source.event_id_name or "scheme default"), type_="missing-event-id")

        kept = {name: headers[name] for name in KEPT_HEADERS if headers.get(name)}
        if source.event_id_source == "header" and source.event_id_name:
            kept[source.event_id_name] = headers.get(source.event_id_name, "")
        # Storing the verified event is a technical write (the sender is not a user); the handler
        # later runs as the source's run-as user.
        _record_id, created = request.env["webhook.event"].sudo()._store(
            source.id, event_id, inbound_signatures.event_type(headers, payload),
            body.decode("utf-8") if httprequest.mimetype != FORM else json.dumps(payload), kept,
            body_hash=source.body_hash(body), replay_cutoff=source.replay_cutoff(now))
        return json_response({
            "status": "accepted" if created else "duplicate",
            "event_id": event_id,
        }, status=200)
