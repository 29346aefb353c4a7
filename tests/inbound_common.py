"""Shared helpers of the inbound webhook tests: create a source, sign and post an event."""
import json
import time
import uuid

from odoo.addons.rest_webhooks.lib import inbound_signatures as sigs
from odoo.addons.rest_webhooks.lib import standard_webhooks

URL = "/api/v1/webhooks/%s"
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def make_source(env, scheme="github", secret="s3cret-for-tests", **vals):
    slug = vals.pop("slug", None) or "test-%s-%s" % (scheme, uuid.uuid4().hex[:8])
    return env["webhook.source"].create(dict({
        "name": "Test %s" % scheme, "slug": slug, "scheme": scheme, "secret_input": secret,
    }, **vals))


def payment_body(reference, amount=None, currency=None, event_id=None, kind="payment.succeeded"):
    data = {"reference": reference}
    if amount is not None:
        data["amount"] = amount
    if currency:
        data["currency"] = currency
    return json.dumps({"id": event_id or "evt_" + uuid.uuid4().hex, "type": kind, "data": data}).encode()


def signed_headers(scheme, secret, body, event_id=None, timestamp=None, hmac_header="X-Signature",
                   hmac_encoding="hex"):
    """The headers a sender of ``scheme`` would send for ``body``."""
    event_id = event_id or uuid.uuid4().hex
    ts = int(time.time()) if timestamp is None else int(timestamp)
    headers = {"Content-Type": "application/json"}
    if scheme == "github":
        headers.update({"X-Hub-Signature-256": sigs.sign_github(secret, body),
                        "X-GitHub-Delivery": event_id, "X-GitHub-Event": "payment"})
    elif scheme == "shopify":
        headers.update({"X-Shopify-Hmac-Sha256": sigs.sign_shopify(secret, body),
                        "X-Shopify-Event-Id": event_id, "X-Shopify-Topic": "orders/paid"})
    elif scheme == "stripe":
        headers["Stripe-Signature"] = sigs.sign_stripe(secret, body, ts)
    elif scheme == "standard":
        headers.update({"webhook-id": event_id, "webhook-timestamp": str(ts),
                        "webhook-signature": standard_webhooks.sign(secret, event_id, ts, body)})
    elif scheme == "hmac":
        headers[hmac_header] = sigs.sign_hmac(secret, body, hmac_encoding)
    return headers
