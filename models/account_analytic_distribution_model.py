"""account.analytic.distribution.model: the lookups of a REST write's order lines, once per transaction.

Each order line computes its analytic distribution by searching the distribution models that match
its product, category, customer and company (``_get_applicable_models``), and Odoo computes it
twice per line while creating an order: six searches for an order of three lines, six hundred for a
batch of one hundred orders. Most databases have no distribution model at all, and then every one
of those searches returns nothing. The REST planners (``sale.order._rest_resolve_lines``) mark their
transaction. In a marked transaction, a lookup made as superuser (the lines' distribution is a
stored computed field, computed as superuser: no record rule applies) asks once whether the table
holds any model, and when it holds none, skips the search, which could only find nothing: a search's
result is a subset of the search without conditions. Any other lookup (a user's, with record rules
and a context of its own) runs Odoo's search as always, and so does every lookup once a model
exists. Creating, writing or deleting a distribution model in the transaction, before or after the
mark, turns the shortcut off for the rest of it (a savepoint that does not flush may be rolled back
without clearing the cursor's cache); a commit, a rollback or the rollback of one of Odoo's flushing
savepoints drops the mark with the cursor's cache (``cr.cache``). Other callers (the web client,
/json/2) keep Odoo's own behaviour: the addon changes nothing there. An override of
``_get_applicable_models`` in a module that does not depend on this one runs after this one only when
the shortcut is not taken; Odoo 19's own (analytic, account) can only narrow an empty result.
"""
from odoo import api, models

MARK = "rest_webhooks.distribution_models"
_OFF = "off"  # the mark's value once a model changed in the transaction


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    def _rest_mark_transaction(self):
        """From now on in this transaction, superuser lookups ask once whether any model exists."""
        self.env.cr.cache.setdefault(MARK, {})

    def _get_applicable_models(self, vals):
        seen = self.env.cr.cache.get(MARK)
        if self.env.su and isinstance(seen, dict):
            key = self.env.context.get("active_test", True)  # in case a module adds an active field
            if key not in seen:
                seen[key] = bool(self.search([], limit=1))
            if not seen[key]:
                return self.browse()
        return super()._get_applicable_models(vals)

    def _rest_turn_off(self):
        self.env.cr.cache[MARK] = _OFF  # kept by a later mark (setdefault)

    @api.model_create_multi
    def create(self, vals_list):
        self._rest_turn_off()
        return super().create(vals_list)

    def write(self, vals):
        self._rest_turn_off()
        return super().write(vals)

    def unlink(self):
        self._rest_turn_off()
        return super().unlink()
