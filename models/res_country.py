"""res.country: the ISO codes the API accepts, cached per process (read once, not per request)."""
from odoo import api, models, tools


class ResCountry(models.Model):
    _inherit = "res.country"

    @api.model
    @tools.ormcache()
    def _rw_codes(self):
        """The country codes of the database (the ``country_code`` enum of the API's schemas).
        Technical read of reference data; the cache is cleared when a country changes."""
        self.env.cr.execute("SELECT code FROM res_country WHERE code IS NOT NULL ORDER BY code")
        return tuple(row[0] for row in self.env.cr.fetchall())

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "code" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
