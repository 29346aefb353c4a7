"""Python handlers for inbound webhook events, registered by code.

A handler is ``func(env, payload, event) -> (state, message)`` where ``env`` is the source's run-as
user's environment (never the superuser, never sudo), ``payload`` the decoded JSON body, ``event`` a
small read-only dict (``id``, ``event_id``, ``event_type``, ``source``, ``headers``); ``state`` is
``"processed"`` or ``"ignored"``. Raising an exception marks the event failed with that error (the
handler's writes are rolled back) so it can be reprocessed from the UI once the cause is fixed.

Register another handler from any module::

    from odoo.addons.rest_webhooks.models.webhook_handlers import register_handler

    @register_handler("my_code", "My handler")
    def my_handler(env, payload, event):
        ...
        return "processed", "did something"

A source picks a handler by its code (``webhook.source.handler_code``).
"""
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare

HANDLERS = {}  # code -> (label, function)


def register_handler(code, label):
    def decorator(func):
        HANDLERS[code] = (label, func)
        return func
    return decorator


def handler_selection():
    return [(code, label) for code, (label, _func) in sorted(HANDLERS.items())]


def get_handler(code):
    entry = HANDLERS.get(code)
    return entry and entry[1]


# ------------------------------------------------------------------ payment succeeded -> confirm SO
# Generic payload (see README "Inbound webhooks"):
#   {"type": "payment.succeeded", "data": {"reference": "S00042", "amount": 1250.0, "currency": "EUR"}}
# Stripe payload: a PaymentIntent / Checkout Session event whose metadata.order_reference (or
# client_reference_id) is the order reference; amounts there are in the currency's minor unit.
GENERIC_TYPES = {"payment.succeeded", "payment_succeeded"}
STRIPE_TYPES = {"payment_intent.succeeded", "checkout.session.completed", "charge.succeeded"}


def _payment_facts(env, payload):
    """(reference, amount or None, currency code or None) of a supported payment event, else None."""
    if not isinstance(payload, dict):
        return None
    kind = payload.get("type")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    if kind in GENERIC_TYPES:
        amount = data.get("amount")
        return data.get("reference"), (float(amount) if amount is not None else None), data.get("currency")
    if kind in STRIPE_TYPES:
        obj = data.get("object") if isinstance(data.get("object"), dict) else {}
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        reference = metadata.get("order_reference") or obj.get("client_reference_id")
        currency_code = (obj.get("currency") or "").upper() or None
        minor = obj.get("amount_received", obj.get("amount_total", obj.get("amount")))
        amount = None
        if minor is not None and currency_code:
            currency = env["res.currency"].with_context(active_test=False).search(
                [("name", "=", currency_code)], limit=1)
            digits = currency.decimal_places if currency else 2
            amount = float(minor) / (10 ** digits)
        return reference, amount, currency_code
    return None


@register_handler("sale_payment_succeeded", "Payment succeeded: confirm the sale order")
def sale_payment_succeeded(env, payload, event):
    facts = _payment_facts(env, payload)
    if facts is None:
        return "ignored", "event type %r is not a payment success" % (
            payload.get("type") if isinstance(payload, dict) else None)
    reference, amount, currency_code = facts
    if not reference:
        raise UserError(env._("the payment event carries no order reference"))
    order = env["sale.order"].search([("name", "=", str(reference))], limit=1)
    if not order:
        raise UserError(env._("no sale order with reference %s", reference))
    if order.state == "sale":
        return "ignored", "sale order %s is already confirmed" % order.name
    if order.state == "cancel":
        raise UserError(env._("sale order %s is cancelled", order.name))
    if currency_code and currency_code.upper() != order.currency_id.name:
        raise UserError(env._("payment currency %(paid)s differs from the order currency %(order)s",
                              paid=currency_code, order=order.currency_id.name))
    if amount is not None and float_compare(
            amount, order.amount_total, precision_rounding=order.currency_id.rounding) < 0:
        raise UserError(env._("amount paid %(paid)s is less than the order total %(total)s",
                              paid=amount, total=order.amount_total))
    order.action_confirm()
    order.message_post(body=env._("Confirmed by inbound webhook event %(event)s from %(sender)s.",
                                   event=event["event_id"], sender=event["source"]))
    return "processed", "sale order %s confirmed" % order.name
