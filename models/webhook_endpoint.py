"""webhook.endpoint: an external system subscribed to events of one model.

Saving an endpoint (re)generates its base.automation rules, each with a server action of type
"Send signed webhook" (models/ir_actions_server.py) that enqueues a webhook.delivery in the business
transaction. The dispatcher (models/webhook_delivery.py) sends them after commit.
"""
import datetime
import logging
import re
import uuid

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval

from ..lib import retry, standard_webhooks
from ..lib.ssrf import DestinationRefused, check_url, refusal_reason
from ..lib.standard_webhooks import secret_fingerprint

_logger = logging.getLogger(__name__)

EVENT_FIELDS = {  # event name -> boolean field on the endpoint
    "created": "event_created",
    "updated": "event_updated",
    "deleted": "event_deleted",
    "confirmed": "event_confirmed",
    "cancelled": "event_cancelled",
}
ORDER_EVENTS = {"confirmed": "sale", "cancelled": "cancel"}  # sale.order business events -> state

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}\Z")
_RESERVED_HEADERS = {"content-type", "content-length", "host", "transfer-encoding", "connection",
                     "user-agent"}
_RESERVED_PREFIXES = ("webhook-", "x-odoo-")
_FORBIDDEN_MODELS = {"webhook.endpoint", "webhook.delivery", "webhook.attempt", "base.automation",
                     "ir.actions.server", "ir.cron", "ir.cron.trigger", "ir.cron.progress"}
# fields deciding what is sent where: only someone who could pick the endpoint's payload user may
# change them (otherwise a manager could redirect payloads built with another user's rights)
_PAYLOAD_FIELDS = {"url", "model_id", "event_created", "event_updated", "event_deleted", "event_confirmed",
                   "event_cancelled", "update_field_ids", "filter_domain", "payload_fields", "custom_headers",
                   "company_id", "run_as_user_id"}
# fields whose change regenerates the automation rules
_RULE_FIELDS = {"active", "model_id", "event_created", "event_updated", "event_deleted", "event_confirmed",
                "event_cancelled", "update_field_ids", "filter_domain", "company_id", "name"}


class WebhookEndpoint(models.Model):
    _name = "webhook.endpoint"
    _description = "Webhook endpoint"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True,
                            help="A disabled endpoint receives nothing: its rules are switched off and its "
                                 "queued deliveries wait until it is enabled again.")
    state = fields.Selection([("enabled", "Enabled"), ("failing", "Failing"), ("disabled", "Disabled")],
                             compute="_compute_state", store=True)
    disabled_reason = fields.Char(readonly=True, tracking=True)
    url = fields.Char("URL", required=True, tracking=True,
                      help="Where events are POSTed. https only, unless the setting "
                           "'Allow plain http' (or local network) is on in Settings › Integrations.")
    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade",
                               domain=[("transient", "=", False)], tracking=True)
    model_name = fields.Char(related="model_id.model", store=True, string="Model name")
    is_sale_order = fields.Boolean(compute="_compute_is_sale_order")
    event_created = fields.Boolean("Created", default=True)
    event_updated = fields.Boolean("Updated", default=True)
    event_deleted = fields.Boolean("Deleted")
    event_confirmed = fields.Boolean("Order confirmed")
    event_cancelled = fields.Boolean("Order cancelled")
    update_field_ids = fields.Many2many(
        "ir.model.fields", "webhook_endpoint_update_field_rel", "endpoint_id", "field_id",
        string="Only when these fields change", domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Send 'updated' only when one of these fields changes. Empty: any change.")
    filter_domain = fields.Char("Only records matching", default="[]",
                                help="Optional domain: events are sent only for records matching it.")
    payload_fields = fields.Char(
        help="Comma-separated JSON field names to send (id is always sent). Empty: the same JSON "
             "representation the REST API returns for the record.")
    available_payload_fields = fields.Char(compute="_compute_available_payload_fields")
    custom_headers = fields.Text(help="Extra HTTP headers, one 'Name: value' per line.")
    timeout = fields.Float("Timeout (s)", default=10.0)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company,
                                 help="Events of records of another company are not sent. Empty: all companies.")
    run_as_user_id = fields.Many2one(
        "res.users", "Payload built as", required=True, ondelete="restrict", tracking=True,
        default=lambda self: self.env.user, domain=lambda self: self._run_as_domain(),
        help="Payloads are read with this user's access rights: records the user cannot read are sent "
             "as their id only, fields restricted to groups the user lacks are left out. Default: the "
             "user who created the endpoint. Integration managers may choose themselves or a dedicated "
             "integration user with no more rights than their own; administrators anyone.")
    payload_in_reach = fields.Boolean(
        compute="_compute_payload_in_reach", search="_search_payload_in_reach",
        help="Payloads are built as you or as a user you may act through (the rule of the payload user): "
             "their deliveries are readable to you.")
    payload_privileged = fields.Boolean(
        compute="_compute_payload_privileged", search="_search_payload_privileged",
        help="Payloads are built as the superuser or an administrator: their deliveries are for administrators.")

    # Signing secret: readable only through sudo() by the addon's code (never by the web client);
    # managers see it once (dialog webhook.endpoint.secret, nothing stored) after creation and after
    # each rotation.
    secret = fields.Char(groups="base.group_system", copy=False)
    previous_secret = fields.Char(groups="base.group_system", copy=False)
    previous_secret_expires_at = fields.Datetime("Previous secret valid until", readonly=True, copy=False)
    rotation_grace_hours = fields.Integer("Rotation grace period (h)", default=24,
                                          help="After 'Rotate secret', the previous secret keeps signing "
                                               "alongside the new one for this long.")
    secret_hint = fields.Char(readonly=True, copy=False)
    secret_revealed = fields.Boolean(readonly=True, copy=False)

    automation_ids = fields.Many2many("base.automation", "webhook_endpoint_automation_rel", "endpoint_id",
                                      "automation_id", string="Automation rules", readonly=True, copy=False)
    delivery_ids = fields.One2many("webhook.delivery", "endpoint_id", string="Deliveries")
    failing_since = fields.Datetime(readonly=True, copy=False,
                                    help="First failed attempt since the last successful one.")
    paused_until = fields.Datetime(readonly=True, copy=False,
                                   help="The receiver answered 429 or 503 with Retry-After: no delivery of this "
                                        "endpoint is sent before this time.")
    last_success_at = fields.Datetime(compute="_compute_health")
    last_error = fields.Text(compute="_compute_health")
    success_rate = fields.Float("Success rate (7 days, %)", compute="_compute_health")
    count_pending = fields.Integer(compute="_compute_counts")
    count_retrying = fields.Integer(compute="_compute_counts")
    count_delivered = fields.Integer(compute="_compute_counts")
    count_dead = fields.Integer(compute="_compute_counts")

    # ------------------------------------------------------------------ computes
    @api.model
    def _privileged_user_ids(self):
        """The superuser and the administrators (Settings, Access Rights). Technical read of groups."""
        groups = self.env.ref("base.group_system") | self.env.ref("base.group_erp_manager")
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("all_group_ids", "in", groups.ids)])
        return set(users.ids) | {SUPERUSER_ID}

    @api.depends("run_as_user_id")
    def _compute_payload_privileged(self):
        privileged = self._privileged_user_ids()
        for ep in self:
            ep.payload_privileged = (ep.sudo().run_as_user_id.id or SUPERUSER_ID) in privileged

    def _search_payload_privileged(self, operator, value):
        # Odoo 19 hands boolean searches over as ('in' | 'not in', {True/False})
        values = {bool(v) for v in value} if isinstance(value, (list, tuple, set, frozenset)) else {bool(value)}
        if operator in ("!=", "not in"):
            values = {True, False} - values
        elif operator not in ("=", "in"):
            return NotImplemented
        privileged = Domain.OR([[("run_as_user_id", "=", False)],
                                [("run_as_user_id", "in", list(self._privileged_user_ids()))]])
        if values == {True, False}:
            return Domain.TRUE
        if not values:
            return Domain.FALSE
        return privileged if True in values else ~privileged

    @api.depends_context("uid")
    def _compute_payload_in_reach(self):
        me = self.env.user
        for ep in self:
            user = ep.sudo().run_as_user_id
            ep.payload_in_reach = bool(user) and (user == me or me._rw_delegation_refusal(user) is None)

    def _search_payload_in_reach(self, operator, value):
        if operator not in ("in", "not in") or set(value) - {True, False} or len(value) != 1:
            return NotImplemented
        domain = self._payload_in_reach_domain()
        return domain if (True in value) == (operator == "in") else ~domain

    @api.model
    def _payload_in_reach_domain(self):
        """Endpoints whose payload user is the current user or a user they may act through
        (models/res_users_delegation.py): another manager's, an administrator's, the superuser's or a
        richer user's payloads are not (a manager without accounting rights reads no invoice data
        through a delivery another manager's integration user built)."""
        me = self.env.user
        Users = self.env["res.users"].sudo().with_context(active_test=False)  # technical: ids only
        reach = Users._search(Domain.OR([[("id", "=", me.id)], Users._rw_delegable_domain(me)]))
        return Domain("run_as_user_id", "in", reach)

    @api.depends("active", "failing_since")
    def _compute_state(self):
        for ep in self:
            ep.state = "disabled" if not ep.active else ("failing" if ep.failing_since else "enabled")

    @api.depends("model_name")
    def _compute_is_sale_order(self):
        for ep in self:
            ep.is_sale_order = ep.model_name == "sale.order"

    @api.depends("model_name")
    def _compute_available_payload_fields(self):
        for ep in self:
            if ep.model_name and ep.model_name in self.env:
                ep.available_payload_fields = ", ".join(self.env[ep.model_name]._rest_fields_spec())
            else:
                ep.available_payload_fields = False

    def _compute_counts(self):
        counts = {}
        if self.ids:
            groups = self.env["webhook.delivery"]._read_group(
                [("endpoint_id", "in", self.ids)], ["endpoint_id", "state"], ["__count"])
            for endpoint, state, count in groups:
                counts[(endpoint.id, state)] = count
        for ep in self:
            for state in ("pending", "retrying", "delivered", "dead"):
                ep["count_" + state] = counts.get((ep._origin.id, state), 0)

    def _compute_health(self):
        """Last success, last error (when after it) and the 7-day success rate of every endpoint in
        two grouped queries, whatever the number of endpoints (the list view shows the rate)."""
        Attempt = self.env["webhook.attempt"]
        ids = [ep_id for ep_id in self._origin.ids if ep_id]
        last, recent = {}, {}
        if ids:
            for endpoint, success, last_at, last_id in Attempt._read_group(
                    [("endpoint_id", "in", ids)], ["endpoint_id", "success"], ["attempted_at:max", "id:max"]):
                last[endpoint.id, success] = (last_at, last_id)
            since = fields.Datetime.now() - datetime.timedelta(days=7)
            for endpoint, success, count in Attempt._read_group(
                    [("endpoint_id", "in", ids), ("attempted_at", ">=", since)], ["endpoint_id", "success"],
                    ["__count"]):
                recent[endpoint.id, success] = count
        failures = Attempt.browse([last_id for (_ep, success), (_at, last_id) in last.items() if not success])
        summaries = dict(zip(failures.ids, failures.mapped("summary"), strict=True))
        for ep in self:
            ep_id = ep._origin.id
            ok_at, _ok_id = last.get((ep_id, True), (False, None))
            ko_at, ko_id = last.get((ep_id, False), (False, None))
            ep.last_success_at = ok_at
            ep.last_error = summaries.get(ko_id, False) if ko_at and (not ok_at or ko_at >= ok_at) else False
            ok, ko = recent.get((ep_id, True), 0), recent.get((ep_id, False), 0)
            ep.success_rate = 100.0 * ok / (ok + ko) if ok + ko else 0.0

    # ------------------------------------------------------------------ settings
    @api.model
    def _allow_local_network(self):
        """Receivers on loopback and private networks allowed (plain http too): tests, on-premise."""
        return self.env["res.config.settings"]._rw_setting("webhook_allow_local_network")

    @api.model
    def _allow_http(self):
        return self._allow_local_network() or self.env["res.config.settings"]._rw_setting("webhook_allow_http")

    # ------------------------------------------------------------------ constraints
    @api.constrains("url")
    def _check_url(self):
        allow_http, allow_local = self._allow_http(), self._allow_local_network()
        for ep in self:
            try:
                _scheme, host, _port = check_url(ep.url, allow_http=allow_http)
            except DestinationRefused as exc:
                raise ValidationError(self.env._("Invalid webhook URL %(url)s: %(reason)s",
                                                 url=ep.url, reason=exc)) from exc
            if not allow_local:
                # literal addresses are refused right away; host names are checked at each send
                try:
                    reason = refusal_reason(host.strip("[]"))
                except ValueError:
                    reason = None
                if reason or host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
                    raise ValidationError(self.env._("Webhook URL %(url)s points to a local or private address.",
                                            url=ep.url))

    @api.constrains("timeout")
    def _check_timeout(self):
        for ep in self:
            if not 0 < ep.timeout <= 60:
                raise ValidationError(self.env._("The timeout must be between 0 and 60 seconds."))

    @api.constrains("custom_headers")
    def _check_custom_headers(self):
        for ep in self:
            ep._parsed_custom_headers()

    @api.constrains("filter_domain", "model_id", "run_as_user_id")
    def _check_filter_domain(self):
        for ep in self:
            domain = ep._domain()
            user = ep.sudo().run_as_user_id
            if domain and user and ep.model_name:
                # The rules evaluate the filter as superuser: whether an event is sent would tell
                # what a field or record the payload user may not read holds. The filter may only use
                # what that user can search on (models, fields; Odoo checks both in a search), and it
                # is evaluated again as that user when an event happens (``_matching``).
                try:
                    self.env[ep.model_name].with_user(user).search(domain, limit=1)
                except AccessError as exc:
                    raise ValidationError(self.env._(
                        "The filter uses something %(user)s (who the payloads are built as) may not read: "
                        "%(err)s", user=user.name, err=exc.args[0] if exc.args else exc)) from None

    @api.constrains("payload_fields", "model_id")
    def _check_payload_fields(self):
        for ep in self:
            names = ep._payload_field_names()
            if names:
                unknown = set(names) - set(self.env[ep.model_name]._rest_fields_spec())
                if unknown:
                    raise ValidationError(self.env._("Unknown payload fields: %(names)s. Available: %(avail)s",
                                            names=", ".join(sorted(unknown)),
                                            avail=ep.available_payload_fields))

    @api.constrains("model_id")
    def _check_model(self):
        for ep in self:
            if ep.model_name in _FORBIDDEN_MODELS or ep.model_id.transient:
                # events of the webhook machinery itself would feed on themselves
                raise ValidationError(self.env._("Webhooks cannot be sent for %s.", ep.model_id.name))

    @api.constrains("event_confirmed", "event_cancelled", "model_id")
    def _check_order_events(self):
        for ep in self:
            if (ep.event_confirmed or ep.event_cancelled) and ep.model_name != "sale.order":
                raise ValidationError(self.env._("'Order confirmed' and 'Order cancelled' exist only for sale.order."))

    def _parsed_custom_headers(self):
        headers = {}
        for num, line in enumerate((self.custom_headers or "").splitlines(), 1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if not sep or not _HEADER_NAME.match(name):
                raise ValidationError(self.env._("Custom header line %(num)s must look like 'Name: value'.", num=num))
            if any(c in value for c in "\r\n\x00"):
                raise ValidationError(self.env._("Custom header %(name)s contains a line break.", name=name))
            low = name.lower()
            if low in _RESERVED_HEADERS or low.startswith(_RESERVED_PREFIXES):
                raise ValidationError(self.env._("Custom header %(name)s is set by the webhook sender and cannot be "
                                        "overridden.", name=name))
            headers[name] = value
        return headers

    def _domain(self):
        try:
            domain = safe_eval(self.filter_domain or "[]")
            Domain(domain).validate(self.env[self.model_name]) if self.model_name else None
        except Exception as exc:  # noqa: BLE001 - any parse/validation problem is a user error here
            raise ValidationError(self.env._("Invalid filter domain %(dom)s: %(err)s",
                                             dom=self.filter_domain, err=exc)) from exc
        return list(domain)

    def _payload_field_names(self):
        return [n.strip() for n in (self.payload_fields or "").split(",") if n.strip()]

    # ------------------------------------------------------------------ payload user
    @api.model
    def _run_as_domain(self):
        user = self.env.user
        return ["|", ("id", "=", user.id)] + self.env["res.users"]._rw_delegable_domain(user)

    def _check_run_as_user(self, new_user_id=None):
        """The current user may choose ``new_user_id`` (or, when not given, the payload user these
        endpoints already have) as payload user: themselves, or a user they may act through
        (models/res_users_delegation.py). Raises AccessError otherwise."""
        me = self.env.user
        if me._is_system():
            return  # administrators may build payloads as anyone (they could run code anyway)
        users = self.env["res.users"].browse(new_user_id) if new_user_id else self.sudo().run_as_user_id
        for user in users - me:
            refusal = me._rw_delegation_refusal(user)
            if refusal:
                raise AccessError(self.env._(
                    "Webhook payloads cannot be built as %(user)s by you: %(reason)s To change what this "
                    "endpoint sends or where, set 'Payload built as' to yourself or to an integration user "
                    "you manage.", user=user.name, reason=refusal))

    def _payload_env(self):
        """Environment whose rights build this endpoint's payloads. Endpoints created by the system
        itself (superuser: data files, scripts) keep building them as superuser."""
        self.ensure_one()
        user = self.sudo().run_as_user_id
        if not user or user.id == SUPERUSER_ID:
            return self.env(user=SUPERUSER_ID, su=True)
        # the payload user's own companies (the endpoint's first), not those the editor selected: the
        # record rules are the payload user's, and a company it is not in would be refused
        companies = user.company_ids
        first = self.company_id if self.company_id in companies else user.company_id
        return self.env(user=user.id, su=False, context=dict(
            self.env.context, allowed_company_ids=[first.id, *(companies - first).ids]))

    def _payload_key(self):
        """What a payload depends on besides the event: (payload user id, payload fields). Endpoints
        with the same key get the same body for an event (rest.change.body)."""
        self.ensure_one()
        return (self.sudo().run_as_user_id.id or SUPERUSER_ID, ",".join(self._payload_field_names()))

    def _payload_data(self, records):
        """``[(data, restricted)]`` for ``records``, in order, read with the payload user's rights
        (``_payload_env``): ``data`` is the REST representation without the fields restricted to
        groups the user lacks; for a record the user cannot read it is ``{"id": ...}`` and
        ``restricted`` is True. One environment switch and one access check per call (batch)."""
        self.ensure_one()
        recs = records.with_env(self._payload_env())
        names = self._payload_field_names() or None
        readable = recs._filtered_access("read")
        try:
            reps = dict(zip(readable.ids, readable._rest_representation(fields=names), strict=True))
        except AccessError:
            # a field of a readable record depends on something the user cannot read: per record
            reps = {}
            for rec in readable:
                try:
                    reps[rec.id] = rec._rest_representation(fields=names)[0]
                except AccessError:
                    _logger.debug("payload of %s restricted to its id for %s", rec, rec.env.user)
        return [(reps[rec_id], False) if rec_id in reps else ({"id": rec_id}, True) for rec_id in recs.ids]

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        secrets = [vals.pop("secret", None) for vals in vals_list]
        endpoints = super().create(vals_list)
        if not self.env.su:
            # the payload user each endpoint got, however it got it: the values, a context default
            # (default_run_as_user_id=...) or the field's default
            endpoints._check_run_as_user()
        for ep, secret in zip(endpoints, secrets, strict=True):
            # technical write of the signing secret (field restricted to sudo access)
            ep.sudo().write({"secret": secret or standard_webhooks.generate_secret()})
        endpoints._sync_rules()
        return endpoints

    def write(self, vals):
        if "secret_revealed" in vals and not self.env.su:
            # "shown once": only the addon's own code (rotation, the show button) sets this flag
            raise AccessError(self.env._("The 'secret shown' flag cannot be changed; rotate the secret to "
                                         "get a new one."))
        if not self.env.su and _PAYLOAD_FIELDS.intersection(vals):
            self._check_run_as_user(vals.get("run_as_user_id"))
        if "secret" in vals:
            # programmatic secret change (sudo callers only, field groups enforce it)
            vals = dict(vals, secret_hint=secret_fingerprint(vals["secret"]), secret_revealed=False)
        if vals.get("active"):
            vals = dict(vals, disabled_reason=False, failing_since=False)
        if vals.get("active") or "url" in vals:  # another receiver, or a fresh start: no pause of the old one
            vals = dict(vals, paused_until=False)
        res = super().write(vals)
        if _RULE_FIELDS.intersection(vals):
            self._sync_rules()
        return res

    def unlink(self):
        # generated rules and their server actions go with the endpoint (technical records), active
        # or not
        rules = self.sudo().with_context(active_test=False).automation_ids
        actions = rules.action_server_ids
        rules.unlink()
        actions.exists().unlink()
        return super().unlink()

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [dict(vals, name=self.env._("%s (copy)", ep.name)) for ep, vals in zip(self, vals_list, strict=True)]

    # ------------------------------------------------------------------ rules
    def _rule_specs(self):
        """[(event, trigger, trigger_field_ids, pre_domain, domain)] of this endpoint's rules."""
        self.ensure_one()
        Model = self.env[self.model_name]
        base = self._domain()
        if self.company_id and "company_id" in Model._fields and Model._fields["company_id"].store:
            base = list(Domain.AND([base, ["|", ("company_id", "=", False),
                                           ("company_id", "=", self.company_id.id)]]))
        specs = []
        if self.event_created:
            specs.append(("created", "on_create", [], False, base))
        if self.event_updated:
            specs.append(("updated", "on_write", self.update_field_ids.ids, False, base))
        if self.event_deleted:
            specs.append(("deleted", "on_unlink", [], False, base))
        if self.model_name == "sale.order":
            state_field = self.env["ir.model.fields"]._get("sale.order", "state")
            for event, value in ORDER_EVENTS.items():
                if self[EVENT_FIELDS[event]]:
                    specs.append((event, "on_write", [state_field.id], [("state", "!=", value)],
                                  list(Domain.AND([base, [("state", "=", value)]]))))
        return specs

    def _sync_rules(self):
        """Replace this endpoint's base.automation rules by the ones its configuration asks for.

        Automation rules and server actions are technical records that only base.group_system may
        write; integration managers configure them through the endpoint, hence sudo(). The server
        actions are created directly, not through a one2many command on the rule: ir.actions.server
        refuses sudo commands (``_allow_sudo_commands = False``), so ``(0, 0, vals)`` on
        ``action_server_ids`` runs as the request's user even under sudo() and a manager who is not
        an administrator got an AccessError (tests run as superuser did not show it).
        """
        Rule = self.env["base.automation"].sudo()
        Action = self.env["ir.actions.server"].sudo()
        for ep in self:
            ep_sudo = ep.sudo()
            old_rules = ep_sudo.automation_ids
            old_actions = old_rules.action_server_ids
            specs = ep._rule_specs() if ep.active else []
            new_rules = Rule.create([{
                "name": "Webhook %s: %s.%s" % (ep.name, ep.model_name, event),
                "model_id": ep.model_id.id,
                "trigger": trigger,
                "trigger_field_ids": [(6, 0, field_ids)],
                "filter_pre_domain": repr(pre_domain) if pre_domain else False,
                "filter_domain": repr(domain) if domain else False,
                "active": True,
            } for event, trigger, field_ids, pre_domain, domain in specs]) if specs else Rule
            if specs:
                Action.create([{
                    "name": "Send signed webhook %s (%s)" % (ep.name, event),
                    "model_id": ep.model_id.id,
                    "state": "rw_webhook",
                    "rw_endpoint_id": ep.id,
                    "rw_event": event,
                    "usage": "base_automation",
                    "base_automation_id": rule.id,
                } for rule, (event, *_rest) in zip(new_rules, specs, strict=True)])
            ep_sudo.automation_ids = [(6, 0, new_rules.ids)]
            if old_rules:
                old_rules.unlink()
                old_actions.exists().unlink()

    # ------------------------------------------------------------------ events
    def _enqueue(self, records, event):
        """Insert one webhook.delivery per record for ``event`` (outbox, same transaction), each
        referencing the event, stored once in the event store (rest.change) for every endpoint.

        The payload is the record's REST representation, read with the rights of the endpoint's
        payload user (``_payload_data``), whoever made the change:
        - deleted and business events (confirmed, cancelled, custom ones): stored and read right now
          (for a deletion, before it happens);
        - created/updated: handed to ``webhook.delivery._queue_at_precommit``, inserted in one batch
          right before the commit, each record read once in the state the transaction produced.
        Returns the deliveries inserted now (none for created/updated).
        """
        self.ensure_one()
        Delivery = self.env["webhook.delivery"].sudo()  # technical rows (the outbox), whoever changed the record
        records = self._matching(records)
        if not records:
            return Delivery
        event_type = "%s.%s" % (records._name, event)
        if event not in ("created", "updated"):
            changes = self.env["rest.change"]._record_now(records, event)
            user_id, fields_key = self._payload_key()
            Body = self.env["rest.change.body"]
            todo = records.filtered(lambda r: not Body._known(changes[r.id], user_id, fields_key, event_type))
            snapshot = dict(zip(todo.ids, self._payload_data(todo), strict=True)) if todo else {}
            deliveries = Delivery._create_for(self, event_type, records._name, fields.Datetime.now(), [
                (rec.id, changes[rec.id], None, *snapshot.get(rec.id, (None, False))) for rec in records])
            Delivery._wake_dispatcher_on_commit()
            return deliveries

        Delivery._queue_at_precommit(self, records, event_type)  # created/updated: at precommit
        return Delivery

    def _matching(self, records):
        """``records`` as the filter selects them when the payload user searches: the generated rules
        evaluate it as superuser, so a record (or a related record) the payload user may not see would
        otherwise decide whether an event is sent, which tells what it holds. With a filter, a record
        the payload user cannot see gets no event (without one it gets an event carrying its id only).
        One query per event and endpoint with a filter; none without, or for superuser payloads."""
        env = self._payload_env()
        if env.su or not records or not (self.filter_domain or "").strip("[] \n"):
            return records
        try:
            found = set(records.with_env(env).with_context(active_test=False).search(
                Domain("id", "in", records.ids) & Domain(self._domain())).ids)
        except AccessError as exc:
            _logger.warning("webhook endpoint %s: its filter cannot be evaluated as its payload user (%s); "
                            "no event sent", self.name, exc)
            return records.browse()
        return records.filtered(lambda r: r.id in found)

    # ------------------------------------------------------------------ buttons
    def action_enable(self):
        self.write({"active": True})
        self.env["webhook.delivery"]._wake_dispatcher_on_commit()
        return True

    def action_disable(self):
        self.write({"active": False, "disabled_reason": self.env._("Disabled by %s", self.env.user.name)})
        return True

    def _check_secret_rights(self):
        """Who holds the signing secret can sign events the receiver trusts as this endpoint's: only a
        user who may choose its payload user may rotate it or see it (an administrator's endpoint stays
        the administrator's; a manager may still disable or delete it)."""
        self.check_access("write")
        if not self.env.su:
            self._check_run_as_user()

    def action_rotate_secret(self):
        self.ensure_one()
        self._check_secret_rights()
        ep_sudo = self.sudo()
        new_secret = standard_webhooks.generate_secret()
        ep_sudo.write({
            "previous_secret": ep_sudo.secret,
            "previous_secret_expires_at": fields.Datetime.now()
            + datetime.timedelta(hours=max(self.rotation_grace_hours, 0)),
            "secret": new_secret,
        })
        self.message_post(body=self.env._("Signing secret rotated; the previous one keeps signing until %s (UTC).",
                                 self.previous_secret_expires_at))
        return self._secret_wizard(new_secret)

    def action_show_secret(self):
        self.ensure_one()
        self._check_secret_rights()
        if self.secret_revealed:
            raise UserError(self.env._("The secret was already shown once. Rotate it to get a new one."))
        return self._secret_wizard(self.sudo().secret)

    def _secret_wizard(self, secret):
        self.sudo().secret_revealed = True
        # the secret goes only to the user who clicked, in the dialog's defaults: no row stores it
        # (models/webhook_endpoint_secret.py)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Signing secret of %s", self.name),
            "res_model": "webhook.endpoint.secret",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_endpoint_id": self.id, "default_secret": secret},
        }

    def _signing_secrets(self, now=None):
        """Secrets to sign with: the current one, plus the previous one during its grace period."""
        self.ensure_one()
        ep_sudo = self.sudo()  # technical read of the restricted secret fields
        return standard_webhooks.active_secrets(ep_sudo.secret, ep_sudo.previous_secret,
                                                ep_sudo.previous_secret_expires_at, now or fields.Datetime.now())

    def action_send_test(self):
        """Send a test event now (synchronously) and tell the user how the receiver answered: HTTP
        status and time only. The answer's body is neither shown nor stored: with the local network
        allowed, the endpoint URL may point at any internal service."""
        self.ensure_one()
        self.check_access("write")
        # a sample read with the payload user's rights, as real events (no sudo on business data)
        Model = self.env[self.model_name].with_env(self._payload_env())
        sample = Model.search([], limit=1, order="id desc") if Model.has_access("read") else Model
        data, restricted = self._payload_data(sample)[0] if sample else ({}, False)
        # not a business event (nothing is stored in the event store): the record's current version
        version = self.env["rest.change"]._current_version(self.model_name, sample.id) if sample else 0
        delivery = self.env["webhook.delivery"]._create_for(  # technical row, as for every delivery
            self, "%s.test" % self.model_name, self.model_name, fields.Datetime.now(),
            [(sample.id or 0, None, version, data, restricted)])
        delivery.with_context(rw_test_send=True)._send_now()
        ok = delivery.state == "delivered"
        attempt = delivery.attempt_ids[:1]
        status, ms = delivery.last_status_code, attempt.duration_ms
        if ok:
            message = self.env._("Test event delivered (HTTP %(status)s, %(ms)s ms).", status=status, ms=ms)
        elif status:
            message = self.env._("Test event failed (HTTP %(status)s, %(ms)s ms).", status=status, ms=ms)
        else:
            message = self.env._("Test event failed: no HTTP answer (%(ms)s ms); see the delivery's "
                                 "attempts.", ms=ms)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Send test event"), "message": message,
                       "type": "success" if ok else "danger", "sticky": not ok,
                       "next": {"type": "ir.actions.act_window_close"}},
        }

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rest_webhooks.action_webhook_delivery")
        action["domain"] = [("endpoint_id", "=", self.id)]
        action["context"] = {"default_endpoint_id": self.id}
        return action

    # ------------------------------------------------------------------ health (called by the dispatcher)
    def _disable_for(self, reason):
        """Disable the endpoint and notify the integration managers in Odoo (inbox + chatter)."""
        for ep in self.sudo():  # technical: the dispatcher acts for the system
            if not ep.active:
                continue
            ep.write({"active": False, "disabled_reason": reason})
            managers = self.env.ref("rest_webhooks.group_integration_manager").sudo().all_user_ids
            partners = managers.filtered(lambda u: u.active and not u.share).partner_id
            ep.message_post(
                body=self.env._("Webhook endpoint %(name)s was disabled: %(reason)s. Fix the receiver, then click "
                       "Enable: queued deliveries will be sent.", name=ep.name, reason=reason),
                partner_ids=partners.ids, message_type="comment", subtype_xmlid="mail.mt_note",
            )
            _logger.warning("webhook endpoint %s (#%s) disabled: %s", ep.name, ep.id, reason)

    @api.model
    def _record_health(self, succeeded, failed, gone, now, pauses=None):
        """After a dispatch batch: ``failing_since`` bookkeeping of the endpoints whose deliveries
        succeeded or failed, auto-disable after a long failure, disable on 410 Gone, and the pauses
        the receivers asked for (``pauses``: {endpoint: until}, from Retry-After).

        Written only when it changes (rare), so parallel dispatchers seldom touch the same endpoint
        row; each change in its own savepoint: a concurrent update is retried at the next batch."""
        days = self.env["res.config.settings"]._rw_setting("webhook_disable_after_days")
        for ep in gone:
            self._change_health(lambda ep=ep: ep._disable_for(self.env._("the receiver answered 410 Gone")))
        for ep in succeeded - gone:
            if ep.failing_since:
                self._change_health(lambda ep=ep: ep.sudo().write({"failing_since": False}))
        for ep, until in (pauses or {}).items():
            if ep not in gone and (not ep.paused_until or until > ep.paused_until):
                self._change_health(lambda ep=ep, until=until: ep.sudo().write({"paused_until": until}))
        for ep in failed - succeeded - gone:
            if not ep.failing_since:
                self._change_health(lambda ep=ep: ep.sudo().write({"failing_since": now}))
            elif ep.active and retry.should_disable(ep.failing_since, now, days * 86400):
                self._change_health(lambda ep=ep: ep._disable_for(
                    self.env._("every attempt failed for %(days)s days (since %(since)s UTC)",
                               days=("%g" % days), since=ep.failing_since)))

    @api.model
    def _change_health(self, change):
        try:
            with self.env.cr.savepoint():
                change()
                self.env.flush_all()
        except Exception as exc:  # noqa: BLE001 - e.g. a concurrent update; health is best effort
            _logger.info("webhook endpoint health update skipped: %s", exc)
            self.env.invalidate_all()

    @api.model
    def _new_event_id(self):
        return "msg_" + uuid.uuid4().hex
