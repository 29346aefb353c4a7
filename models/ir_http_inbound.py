"""Keep the raw body of inbound webhook requests sent as forms.

Odoo parses form bodies (``application/x-www-form-urlencoded``, ``multipart/form-data``) into the
route's parameters before calling the controller, which consumes the request stream: the signature
could then not be checked on the raw bytes (GitHub, for instance, can send ``payload=<json>`` as a
form). Routes marked ``rest_webhooks_raw_body=True`` read and cache the raw body first; Werkzeug then
parses the form from that cache.
"""
from odoo import models
from odoo.http import request

FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_PRELOAD = 16 * 1024 * 1024  # larger form bodies are refused by the controller's limit anyway


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        if rule.endpoint.routing.get("rest_webhooks_raw_body"):
            httprequest = request.httprequest
            length = httprequest.content_length
            if httprequest.mimetype in FORM_MIMETYPES and length is not None and length <= MAX_PRELOAD:
                httprequest.get_data(cache=True, parse_form_data=False)
        return super()._pre_dispatch(rule, args)
