"""base.automation: cache which rules apply to a model and trigger.

Odoo looks the rules up with a search on every create/write of a model that has rules, and on every
recomputation of its stored computed fields (hundreds per sale order), which made a single "updated"
webhook rule on sale.order cost several times the order creation itself. The answer only changes
when rules are created, deleted, (de)activated or change model/trigger; we clear the cache then (the
registry signalling tells the other workers).
"""
from odoo import api, models, tools


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    @api.model
    @tools.ormcache("model_name", "triggers")
    def _rw_rule_ids(self, model_name, triggers):
        return tuple(self.with_context(active_test=True).sudo().search(
            [("model_name", "=", model_name), ("trigger", "in", list(triggers))]).ids)

    def _get_actions(self, records, triggers):
        # super() searches the rules on each call; same result (the model's active rules of these
        # triggers, in the caller's environment) from the cache above, see the module docstring
        if "__action_done" not in self.env.context:
            self = self.with_context(__action_done={})
        return self.browse(self._rw_rule_ids(records._name, tuple(triggers)))

    def _rw_clear_rule_cache(self):
        # now (this transaction sees the change), after commit (another transaction of this process
        # may have cached the old answer meanwhile) and after rollback (this transaction may have
        # cached rules that never existed)
        registry = self.env.registry
        registry.clear_cache()
        self.env.cr.postcommit.add(registry.clear_cache)
        self.env.cr.postrollback.add(registry.clear_cache)

    @api.model_create_multi
    def create(self, vals_list):
        self._rw_clear_rule_cache()
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if set(vals) & {"model_id", "active", "trigger"}:
            self._rw_clear_rule_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self._rw_clear_rule_cache()
        return res
