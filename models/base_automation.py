"""base.automation: which rules apply to a model and trigger, cached, and never stale across workers.

Odoo looks the rules up with a search on every create/write of a model that has rules, and on every
recomputation of its stored computed fields (hundreds per sale order), which made a single "updated"
webhook rule on sale.order cost several times the order creation itself. So the answer is cached per
process (``_rw_rule_ids``).

Several workers and nodes: a worker learns that rules changed from Odoo's registry signalling, which
Odoo reads at the start of each request, on the replica when there is one; under replica lag a write
made through another worker right after a rule was saved would use the old answer (or a registry
that does not even patch the model's ``create``) and lose its webhook event. Instead:

- a one-row table ``rest_webhooks_rules_version`` holds a version that a PostgreSQL statement trigger
  on ``base_automation`` sets (to a new number of a sequence: never reused, even after a rollback)
  whenever rules are inserted, deleted or change ``active``/``model_id``/``trigger``, in the same
  transaction as the change, whoever makes it (ORM, SQL, module data);
- the writing transaction reads the version once (its own cursor: the primary for any write) and the
  cache is keyed by it. The version and the rules come from the same snapshot, so a write never uses
  rules older than the ones committed before its transaction began;
- models without rules are not patched by Odoo's ``_register_hook`` in a stale registry: each model a
  webhook may target gets a guard on create/write/unlink/recomputation that, when the current version
  has rules for it, installs Odoo's patches in this worker first (what the registry reload would do).
"""
from odoo import api, models, tools
from odoo.tools import SQL

from odoo.addons.base_automation.models.base_automation import CREATE_TRIGGERS, WRITE_TRIGGERS

from .webhook_endpoint import _FORBIDDEN_MODELS

_VERSION_KEY = "rest_webhooks.rules_version"
# the methods Odoo's _register_hook patches for create/write/unlink rules, and their triggers
_GUARDED = (("create", tuple(CREATE_TRIGGERS)), ("write", tuple(WRITE_TRIGGERS)),
            ("_compute_field_value", tuple(WRITE_TRIGGERS)), ("unlink", ("on_unlink",)))
_ALL_TRIGGERS = tuple(sorted(set(CREATE_TRIGGERS) | set(WRITE_TRIGGERS) | {"on_unlink"}))


def _make_guard(name, triggers):
    def guard(self, *args, **kwargs):
        if name == "_compute_field_value" and not any(
                f.store for f in self.pool.field_computed.get(args[0], ())):
            # Odoo's patch only acts on computations of stored fields (display names and other
            # non-stored values skip it): no rules lookup for them
            return guard.origin(self, *args, **kwargs)
        Rule = self.env["base.automation"]
        if name in Rule._rw_methods_to_patch(Rule._rw_rules_version()).get(self._name, ()):
            # rules exist that this worker's registry has not patched in (changed by another worker,
            # whose registry signalling has not reached us yet): patch now, then run Odoo's method
            Rule._rw_patch_models()
            method = getattr(type(self), name)
            if not getattr(method, "_rw_guard", False):
                return method(self, *args, **kwargs)
        return guard.origin(self, *args, **kwargs)
    if name == "create":
        guard = api.model_create_multi(guard)
    guard._rw_guard = True
    return guard


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    def init(self):
        res = super().init()
        # Technical DDL: the rules version (module docstring). Statement level: one update per
        # statement, whatever the number of rows.
        self.env.cr.execute(SQL("""
            CREATE TABLE IF NOT EXISTS rest_webhooks_rules_version (
                id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
            CREATE SEQUENCE IF NOT EXISTS rest_webhooks_rules_version_seq;
            INSERT INTO rest_webhooks_rules_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
            CREATE OR REPLACE FUNCTION rest_webhooks_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE rest_webhooks_rules_version SET version = nextval('rest_webhooks_rules_version_seq')
                 WHERE id = 1;
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS rest_webhooks_rules_changed ON base_automation;
            CREATE TRIGGER rest_webhooks_rules_changed
                AFTER INSERT OR DELETE OR UPDATE OF active, model_id, "trigger" ON base_automation
                FOR EACH STATEMENT EXECUTE FUNCTION rest_webhooks_rules_changed();
        """))
        return res

    @api.model
    def _rw_rules_version(self):
        """The rules version seen by this transaction, read once per transaction (``postrollback.data``
        is emptied at every commit and rollback) after flushing pending rule changes."""
        data = self.env.cr.postrollback.data
        if _VERSION_KEY not in data:
            self.flush_model(["active", "model_id", "trigger"])
            self.env.cr.execute(SQL("SELECT version FROM rest_webhooks_rules_version WHERE id = 1"))
            row = self.env.cr.fetchone()
            data[_VERSION_KEY] = row[0] if row else None
        return data[_VERSION_KEY]

    @api.model
    @tools.ormcache("model_name", "triggers", "version")
    def _rw_rule_ids(self, model_name, triggers, version):
        return tuple(self.with_context(active_test=True).sudo().search(
            [("model_name", "=", model_name), ("trigger", "in", list(triggers))]).ids)

    @api.model
    @tools.ormcache("version")
    def _rw_methods_to_patch(self, version):
        """{model: methods Odoo patches for its active create/write/unlink rules} at this version."""
        rules = self.with_context(active_test=True).sudo().search([("trigger", "in", list(_ALL_TRIGGERS))])
        out = {}
        for rule in rules:
            out.setdefault(rule.model_name, set()).update(
                method for method, triggers in _GUARDED if rule.trigger in triggers)
        return {model: frozenset(methods) for model, methods in out.items()}

    def _get_actions(self, records, triggers):
        # super() searches the rules on each call; same result (the model's active rules of these
        # triggers, in the caller's environment) from the cache above, see the module docstring
        if "__action_done" not in self.env.context:
            self = self.with_context(__action_done={})
        return self.browse(self._rw_rule_ids(records._name, tuple(triggers), self._rw_rules_version()))

    # ------------------------------------------------------------------ patches
    def _register_hook(self):
        super()._register_hook()
        self._rw_guard_models()

    def _rw_guard_models(self):
        """Guard the methods Odoo did not patch (no rule when this registry loaded) on every model a
        webhook endpoint may target."""
        for name, model in self.env.registry.items():
            if model._abstract or model._transient or name in _FORBIDDEN_MODELS:
                continue
            for method, triggers in _GUARDED:
                if method not in vars(model):
                    guard = _make_guard(method, triggers)
                    guard.origin = getattr(model, method)
                    setattr(model, method, guard)

    @api.model
    def _rw_patch_models(self):
        """Odoo's model patches for the rules this transaction sees, in this worker only (the worker
        that changed the rules signalled the registry change already). As the superuser: this is the
        registry set-up Odoo does at load time, whoever's write found it stale."""
        Rule = self.sudo()
        Rule._unregister_hook()
        Rule._register_hook()

    def _rw_rules_changed(self):
        # this transaction changed rules: read the version (set by the database trigger) anew
        self.env.cr.postrollback.data.pop(_VERSION_KEY, None)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self._rw_rules_changed()
        return records

    def write(self, vals):
        res = super().write(vals)
        if set(vals) & {"model_id", "active", "trigger"}:
            self._rw_rules_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self._rw_rules_changed()
        return res
