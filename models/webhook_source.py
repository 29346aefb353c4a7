"""webhook.source: a sender of inbound webhooks (payment gateway, storefront, carrier...).

The URL is ``/api/v1/webhooks/<slug>``; the controller verifies the request with the source's
scheme and secret(s), stores a ``webhook.event`` once per event id and the processing cron runs the
handler as the source's run-as user.
"""
import re
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib import inbound_signatures, standard_webhooks
from ..lib.inbound_source import SourceConfig
from .webhook_handlers import handler_selection

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB
URL_PREFIX = "/api/v1/webhooks/"
# SourceConfig's fields after id, in order: what checking and storing a delivery reads
_REQUEST_COLUMNS = ["scheme", "secret", "previous_secret", "previous_secret_expires_at", "tolerance",
                    "hmac_header", "hmac_encoding", "max_body_bytes", "event_id_source", "event_id_name"]


class WebhookSource(models.Model):
    _name = "webhook.source"
    _description = "Inbound webhook source"
    _order = "name, id"

    name = fields.Char(required=True)
    slug = fields.Char(required=True, copy=False,
                       help="Last part of the URL: lowercase letters, digits, '-' and '_'.")
    url = fields.Char("Webhook URL", compute="_compute_url",
                      help="Paste this URL into the sender's webhook settings.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    scheme = fields.Selection([
        ("standard", "Standard Webhooks"),
        ("stripe", "Stripe (Stripe-Signature)"),
        ("shopify", "Shopify (X-Shopify-Hmac-Sha256)"),
        ("github", "GitHub (X-Hub-Signature-256)"),
        ("hmac", "Generic HMAC-SHA256"),
    ], string="Signature scheme", required=True, default="standard")
    hmac_header = fields.Char("Signature header", default=inbound_signatures.DEFAULT_HMAC_HEADER)
    hmac_encoding = fields.Selection([("hex", "Hex"), ("base64", "Base64")], default="hex",
                                     string="Signature encoding")
    tolerance = fields.Integer("Timestamp tolerance (s)", default=inbound_signatures.DEFAULT_TOLERANCE,
                               help="For schemes that sign a timestamp (Standard Webhooks, Stripe): "
                                    "requests signed further from now are refused (replay protection).")
    max_body_bytes = fields.Integer("Body limit (bytes)", default=DEFAULT_MAX_BODY)

    # Secrets: readable only through sudo() by the addon's code, never sent to the web client.
    # Managers type a new secret in `secret_input` (write-only); the previous one stays accepted
    # until `previous_secret_expires_at` (rotation: the sender may still sign with it for a while).
    secret = fields.Char(groups="base.group_system", copy=False)
    previous_secret = fields.Char(groups="base.group_system", copy=False)
    previous_secret_expires_at = fields.Datetime("Previous secret accepted until", readonly=True, copy=False)
    rotation_hours = fields.Integer("Rotation overlap (h)", default=24,
                                    help="When the secret is replaced, the previous one is still accepted "
                                         "for this many hours.")
    secret_input = fields.Char("New secret", compute="_compute_secret_input", inverse="_inverse_secret_input",
                               help="Type the signing secret given by the sender. It is never shown again.")
    secret_hint = fields.Char(readonly=True, copy=False)
    has_previous_secret = fields.Boolean(compute="_compute_has_previous_secret")

    event_id_source = fields.Selection([
        ("default", "Scheme default"),
        ("header", "Header"),
        ("json", "JSON path"),
        ("body_hash", "SHA-256 of the body"),
    ], string="Event id from", required=True, default="default",
        help="Scheme defaults: webhook-id (Standard Webhooks), the event 'id' (Stripe), "
             "X-Shopify-Event-Id / X-Shopify-Webhook-Id (Shopify), X-GitHub-Delivery (GitHub), "
             "SHA-256 of the body (generic HMAC).")
    event_id_name = fields.Char("Event id header / path", help="Header name, or dotted JSON path (data.object.id).")

    handler_type = fields.Selection([
        ("python", "Python handler"),
        ("server_action", "Server action"),
        ("none", "Store only"),
    ], required=True, default="python")
    handler_code = fields.Selection(selection=lambda self: handler_selection(), string="Python handler",
                                    default="sale_payment_succeeded")
    server_action_id = fields.Many2one(
        "ir.actions.server", ondelete="restrict",
        help="Runs with active_model 'webhook.event', active_id the event, and the decoded payload in "
             "the context key 'webhook_payload'.")
    run_as_user_id = fields.Many2one(
        "res.users", string="Run as", required=True, ondelete="restrict",
        default=lambda self: self.env.ref("rest_webhooks.user_inbound_webhooks", raise_if_not_found=False),
        help="The handler runs with this user's rights (never the superuser).")

    event_ids = fields.One2many("webhook.event", "source_id")
    event_count = fields.Integer(compute="_compute_counts")
    processed_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    pending_count = fields.Integer(compute="_compute_counts")

    _slug_uniq = models.Constraint("UNIQUE(slug)", "Another webhook source already uses this slug.")

    # ------------------------------------------------------------------ computes
    def _compute_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for source in self:
            source.url = base + URL_PREFIX + (source.slug or "") if source.slug else False

    def _compute_secret_input(self):
        for source in self:
            source.secret_input = False

    def _inverse_secret_input(self):
        now = fields.Datetime.now()
        for source in self:
            new = (source.secret_input or "").strip()
            if not new:
                continue
            if source.scheme == "standard":
                try:
                    standard_webhooks.secret_key(new)
                except ValueError:
                    raise ValidationError(
                        self.env._("A Standard Webhooks secret is 'whsec_' followed by base64.")) from None
            src_sudo = source.sudo()  # technical write of the restricted secret fields
            vals = {"secret": new, "secret_hint": new[:6] + "…"}
            if src_sudo.secret and src_sudo.secret != new:
                vals.update(previous_secret=src_sudo.secret,
                            previous_secret_expires_at=now + timedelta(hours=max(0, source.rotation_hours)))
            src_sudo.write(vals)

    def _compute_has_previous_secret(self):
        now = fields.Datetime.now()
        for source in self:
            exp = source.previous_secret_expires_at
            source.has_previous_secret = bool(exp and exp > now)

    def _compute_counts(self):
        data = {}
        if self.ids:
            groups = self.env["webhook.event"]._read_group(
                [("source_id", "in", self.ids)], ["source_id", "state"], ["__count"])
            for source, state, count in groups:
                data.setdefault(source.id, {})[state] = count
        for source in self:
            counts = data.get(source.id, {})
            source.event_count = sum(counts.values())
            source.processed_count = counts.get("processed", 0)
            source.failed_count = counts.get("failed", 0)
            source.pending_count = counts.get("received", 0)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for source, vals in zip(self, vals_list, strict=True):
            vals.setdefault("slug", "%s-copy-%s" % ((source.slug or "")[:50], uuid.uuid4().hex[:6]))
            vals.setdefault("name", self.env._("%s (copy)", source.name))
        return vals_list

    # ------------------------------------------------------------------ constraints
    @api.constrains("slug")
    def _check_slug(self):
        for source in self:
            if not SLUG_RE.match(source.slug or ""):
                raise ValidationError(self.env._("The slug may only contain lowercase letters, digits, '-' and '_' "
                                        "(at most 64, starting with a letter or digit)."))

    @api.constrains("run_as_user_id")
    def _check_run_as_user(self):
        for source in self:
            user = source.run_as_user_id
            if user.id == SUPERUSER_ID or user._is_superuser():
                raise ValidationError(self.env._("Inbound webhooks never run as the superuser."))
            if user.share:
                raise ValidationError(self.env._("The run-as user must be an internal user."))

    @api.constrains("handler_type", "handler_code", "server_action_id")
    def _check_handler(self):
        for source in self:
            if source.handler_type == "python" and not source.handler_code:
                raise ValidationError(self.env._("Choose a Python handler."))
            if source.handler_type == "server_action" and not source.server_action_id:
                raise ValidationError(self.env._("Choose a server action."))

    @api.constrains("tolerance", "max_body_bytes", "rotation_hours")
    def _check_numbers(self):
        for source in self:
            if source.tolerance <= 0 or source.max_body_bytes <= 0 or source.rotation_hours < 0:
                raise ValidationError(self.env._("Tolerance and body limit must be positive, rotation overlap "
                                        "not negative."))

    # ------------------------------------------------------------------ verification (controller)
    @api.model
    def _request_config(self, slug):
        """The active source of this URL slug as a ``SourceConfig`` (None when there is none).

        One indexed query per request, read fresh each time (a rotated secret or a deactivation is
        seen on the very next request, by every worker), without the ORM: loading the record
        through the ORM for each delivery cost as much as the rest of the request.
        Technical read of the configuration: the sender is not an Odoo user."""
        self.flush_model(_REQUEST_COLUMNS + ["slug", "active"])
        self.env.cr.execute(SQL("SELECT id, %s FROM webhook_source WHERE slug = %s AND active LIMIT 1",
                                SQL(", ").join(SQL.identifier(c) for c in _REQUEST_COLUMNS), slug))
        row = self.env.cr.fetchone()
        if not row:
            return None
        return SourceConfig(row[0], *row[1:])

    # ------------------------------------------------------------------ actions
    def action_end_rotation(self):
        """Stop accepting the previous secret now."""
        self.sudo().write({"previous_secret": False, "previous_secret_expires_at": False})

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rest_webhooks.action_webhook_event")
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {"default_source_id": self.id}
        return action
