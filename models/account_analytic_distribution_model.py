"""account.analytic.distribution.model: the lookups of a REST write's order lines, once per transaction.

Each order line computes its analytic distribution by searching the distribution models that match
its product, category, customer and company (``_get_applicable_models``), and Odoo computes it
twice per line while creating an order: six searches for an order of three lines, six hundred for a
batch of one hundred orders. Most databases have no distribution model at all, and then every one
of those searches returns nothing. The REST planners (``sale.order._rest_create_planner``) mark their
transaction; in a marked transaction, whether the searching environment can see any distribution
model is asked once per environment (user, superuser mode, companies), and when it can see none the
lines skip the searches, which could only find nothing: any search's result is a subset of the
search without conditions, with the same record rules. When some model is visible, Odoo's own search
runs as always. Creating, writing or deleting a distribution model in the transaction forgets what
was asked; a commit or a rollback (to a savepoint too) drops the mark with the transaction's cache.
Other callers (the web client, /json/2) keep Odoo's own behaviour: the addon changes nothing there.
"""
from odoo import api, models

MARK = "rest_webhooks.distribution_models"


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    def _rest_mark_transaction(self):
        """From now on in this transaction, ask once per environment whether any model is visible."""
        self.env.cr.cache.setdefault(MARK, {})

    def _get_applicable_models(self, vals):
        seen = self.env.cr.cache.get(MARK)
        if seen is not None:
            key = (self.env.uid, self.env.su, self.env.company.id, tuple(self.env.companies.ids))
            if key not in seen:
                seen[key] = bool(self.search([], limit=1))
            if not seen[key]:
                return self.browse()
        return super()._get_applicable_models(vals)

    def _rest_forget(self):
        seen = self.env.cr.cache.get(MARK)
        if seen:
            seen.clear()

    @api.model_create_multi
    def create(self, vals_list):
        self._rest_forget()
        return super().create(vals_list)

    def write(self, vals):
        self._rest_forget()
        return super().write(vals)

    def unlink(self):
        self._rest_forget()
        return super().unlink()
