"""webhook.source: a sender of inbound webhooks (payment gateway, storefront, carrier...).

The URL is ``/api/v1/webhooks/<slug>``; the controller verifies the request with the source's
scheme and secret(s), stores a ``webhook.event`` once per event id and the processing cron runs the
handler as the source's run-as user.
"""
import re
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..lib import inbound_signatures, standard_webhooks
from ..lib.inbound_source import SourceConfig
from ..lib.standard_webhooks import secret_fingerprint
from .webhook_handlers import handler_selection

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB
URL_PREFIX = "/api/v1/webhooks/"
# SourceConfig's fields after id, in order: what checking and storing a delivery reads
_REQUEST_COLUMNS = ["scheme", "secret", "previous_secret", "previous_secret_expires_at", "tolerance",
                    "hmac_header", "hmac_encoding", "max_body_bytes", "event_id_source", "event_id_name",
                    "replay_window_days"]

# Who the handler runs as, and what it runs, decide what a signed event can do: only holders of this
# group (implied by Settings administrator) choose them; others get the defaults below.
HANDLER_ADMIN_GROUP = "rest_webhooks.group_inbound_handler_admin"
HANDLER_FIELDS = ("run_as_user_id", "handler_type", "handler_code", "server_action_id")
DEFAULT_RUN_AS = "rest_webhooks.user_inbound_webhooks"
DEFAULT_HANDLER_TYPE = "python"
DEFAULT_HANDLER_CODE = "sale_payment_succeeded"
# A run-as user is the default user or a member of the runner group, and never one of these.
RUNNER_GROUP = "rest_webhooks.group_inbound_webhook_runner"
PRIVILEGED_GROUPS = ("base.group_system", "base.group_erp_manager", "rest_webhooks.group_integration_manager")
# Server action types known not to evaluate Python (besides 'equation' values, checked apart); any
# other type (Execute Code, or one unknown here) counts as running code, which Odoo lets only
# Settings administrators write (ir.actions.server: access and the 'code' field are base.group_system).
NO_PYTHON_ACTION_STATES = {"object_write", "object_create", "object_copy", "webhook", "multi",
                           "rw_webhook", "mail_post", "followers", "remove_followers", "next_activity", "sms"}


def _action_runs_python(action):
    return action.state not in NO_PYTHON_ACTION_STATES or action.evaluation_type == "equation"


def _may_write_code(user):
    return bool(user) and (user._is_superuser() or user._is_system())


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
    replay_window_days = fields.Integer(
        "Replay window (days)", default=0,
        help="Shopify, GitHub and generic HMAC sign the body but no timestamp, and their event id is an "
             "unsigned header: a captured request could be sent again under a new event id. With a "
             "window of N days, a body identical to one received from this source in the last N days "
             "is answered 'duplicate' and not processed, whatever its event id. 0 = off. Leave it off "
             "if the sender may send two different events with byte-identical bodies.")
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
                                    default=DEFAULT_HANDLER_CODE)
    server_action_id = fields.Many2one(
        "ir.actions.server", ondelete="restrict", domain=[("model_id.model", "=", "webhook.event")],
        help="A server action on 'Inbound webhook event': it runs with active_id the event and the "
             "decoded payload in the context key 'webhook_payload'.")
    run_as_user_id = fields.Many2one(
        "res.users", string="Run as", required=True, ondelete="restrict",
        default=lambda self: self.env.ref(DEFAULT_RUN_AS, raise_if_not_found=False),
        domain=lambda self: self._run_as_user_domain(),
        help="The handler runs with this user's rights: the 'Inbound Webhooks' user, or a user of the "
             "technical group 'Inbound webhooks: run-as' who is no administrator and no integration "
             "manager, in the source's company.")
    can_edit_handler = fields.Boolean(compute="_compute_can_edit_handler")

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

    @api.depends_context("uid")
    def _compute_can_edit_handler(self):
        allowed = self.env.su or self.env.user.has_group(HANDLER_ADMIN_GROUP)
        for source in self:
            source.can_edit_handler = allowed

    @api.model
    def _run_as_user_domain(self):
        """The users offered as run-as user: those `_run_as_user_problem` accepts, in the source's
        company. Computed on the server (with each view) because the rule reads groups that the
        person configuring the source may not be allowed to search on."""
        default = self.env.ref(DEFAULT_RUN_AS, raise_if_not_found=False)
        runner = self.env.ref(RUNNER_GROUP, raise_if_not_found=False)
        # technical read: which users are dedicated run-as users is not the viewer's business
        candidates = self.env["res.users"].sudo().search([
            ("share", "=", False), "|", ("id", "=", default.id if default else 0),
            ("all_group_ids", "in", runner.ids)])
        allowed = candidates.filtered(lambda user: not self._run_as_user_problem(user))
        return "[('id', 'in', %r), ('company_ids', 'in', [company_id])]" % allowed.ids

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
            vals = {"secret": new, "secret_hint": secret_fingerprint(new)}
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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # what each new source will hold, context defaults included (default_run_as_user_id=...)
            defaults = self.default_get(["company_id", *HANDLER_FIELDS])
            for vals in vals_list:
                self._check_configuration_rights({**defaults, **vals}, self._handler_defaults())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            for source in self:
                self._check_configuration_rights(vals, {name: self._field_value(source, name)
                                                        for name in HANDLER_FIELDS})
        return super().write(vals)

    def _check_configuration_rights(self, vals, unchanged):
        """What a user configuring sources (not the superuser) may set: a company of their own, and
        the run-as user and handler only with the handler group; without it they keep ``unchanged``
        (the defaults for a new source, the current values otherwise)."""
        if vals.get("company_id"):
            company = self.env["res.company"].browse(vals["company_id"])
            if company not in self.env.user.company_ids:
                raise AccessError(self.env._("You may only configure inbound webhook sources of your own "
                                             "companies, not of %s.", company.sudo().display_name))
        changed = [name for name in HANDLER_FIELDS if name in vals and (vals[name] or False) != unchanged[name]]
        if {"secret", "secret_input"} & set(vals) and not self.env.user.has_group(HANDLER_ADMIN_GROUP) \
                and any(unchanged[n] != default for n, default in self._handler_defaults().items()):
            # whoever knows the secret makes the source run its handler on any event they sign
            raise AccessError(self.env._(
                "Only an inbound handler administrator (group '%(group)s') may change the secret of a source "
                "whose handler or run-as user an administrator chose: whoever knows the secret decides "
                "what that handler runs on.", group=self.env.ref(HANDLER_ADMIN_GROUP).sudo().name))
        if changed and not self.env.user.has_group(HANDLER_ADMIN_GROUP):
            labels = ", ".join(self._fields[name]._description_string(self.env) for name in changed)
            raise AccessError(self.env._(
                "Only an inbound handler administrator (group '%(group)s') may choose %(fields)s of an "
                "inbound webhook source: they decide what a signed event runs, and as whom.",
                group=self.env.ref(HANDLER_ADMIN_GROUP).sudo().name, fields=labels))

    @api.model
    def _handler_defaults(self):
        default = self.env.ref(DEFAULT_RUN_AS, raise_if_not_found=False)
        return {"run_as_user_id": default.id if default else False, "handler_type": DEFAULT_HANDLER_TYPE,
                "handler_code": DEFAULT_HANDLER_CODE, "server_action_id": False}

    @staticmethod
    def _field_value(source, name):
        value = source[name]
        return value.id if isinstance(value, models.BaseModel) else (value or False)

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

    @api.constrains("run_as_user_id", "company_id")
    def _check_run_as_user(self):
        for source in self:
            problem = source._run_as_problem()
            if problem:
                raise ValidationError(problem)

    @api.constrains("handler_type", "handler_code", "server_action_id")
    def _check_handler(self):
        for source in self:
            if source.handler_type == "python" and not source.handler_code:
                raise ValidationError(self.env._("Choose a Python handler."))
            if source.handler_type == "server_action":
                problem = source._server_action_problem()
                if problem:
                    raise ValidationError(problem)

    def _run_as_problem(self):
        """Why this source's handler may not run as its run-as user, or False. The rule of the
        constraint, checked again before each event is processed."""
        self.ensure_one()
        user = self.run_as_user_id.sudo()  # technical read of the user's groups and companies
        problem = self._run_as_user_problem(user)
        if not problem and self.company_id not in user.company_ids:
            problem = self.env._("The run-as user %(user)s does not belong to the company %(company)s of "
                                 "the source.", user=user.name, company=self.company_id.sudo().display_name)
        return problem

    @api.model
    def _run_as_user_problem(self, user):
        """Why ``user`` (sudo) may not be a run-as user at all, or False: only the shipped user or a
        member of the runner group, neither of them superuser, administrator or integration manager."""
        if not user:
            return self.env._("The source has no run-as user.")
        if user.id == SUPERUSER_ID or user._is_superuser():
            return self.env._("Inbound webhooks never run as the superuser.")
        if user.share:
            return self.env._("The run-as user must be an internal user.")
        if any(user.has_group(group) for group in PRIVILEGED_GROUPS):
            return self.env._("The run-as user %s is an administrator or an integration manager: inbound "
                              "webhooks run as a dedicated user with limited rights.", user.name)
        default = self.env.ref(DEFAULT_RUN_AS, raise_if_not_found=False)
        if user != default and not user.has_group(RUNNER_GROUP):
            return self.env._("The run-as user %s is neither the 'Inbound Webhooks' user nor in the group "
                              "'Inbound webhooks: run-as'.", user.name)
        return False

    def _server_action_problem(self):
        """Why this source may not run its server action, or False: the action (and every child
        action) is bound to webhook.event, and one that runs Python was written by a Settings
        administrator, as Odoo requires of code."""
        self.ensure_one()
        action = self.server_action_id.sudo()  # technical read of the action's definition
        if not action:
            return self.env._("Choose a server action.")
        if action.model_id.model != "webhook.event":
            return self.env._("The server action %s must be bound to the model 'Inbound webhook event' "
                              "(webhook.event).", action.name)
        seen, todo = self.env["ir.actions.server"].sudo(), action
        while todo:
            seen |= todo
            for act in todo:
                if _action_runs_python(act) and not (_may_write_code(act.create_uid)
                                                     and _may_write_code(act.write_uid)):
                    return self.env._("The server action %s runs Python code that was not written by a "
                                      "Settings administrator.", act.name)
            todo = todo.child_ids - seen
        return False

    def _handler_problem(self):
        """Why an event of this source may not run its handler now, or False (see webhook.event)."""
        self.ensure_one()
        problem = self._run_as_problem()
        if not problem and self.handler_type == "server_action":
            problem = self._server_action_problem()
        return problem

    @api.constrains("replay_window_days")
    def _check_replay_window(self):
        # applies to REPLAY_WINDOW_SCHEMES only (SourceConfig ignores it for the others, which sign a
        # timestamp and their event id), so switching the scheme keeps the value harmlessly
        for source in self:
            if source.replay_window_days < 0:
                raise ValidationError(self.env._("The replay window cannot be negative."))

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
        self.check_access("write")
        self.sudo().write({"previous_secret": False, "previous_secret_expires_at": False})

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rest_webhooks.action_webhook_event")
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {"default_source_id": self.id}
        return action
