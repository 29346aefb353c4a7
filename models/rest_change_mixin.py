"""rest.change.mixin: records the changes of the API's resources (orders, partners) in the change
feed (models/rest_change.py), whatever made them (REST, UI, imports), with or without webhooks."""
from odoo import api, models


class RestChangeMixin(models.AbstractModel):
    _name = "rest.change.mixin"
    _description = "Changes recorded in the REST change feed"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["rest.change"]._record(records, "created")
        return records

    def write(self, vals):
        result = super().write(vals)
        archived = "active" in vals and not vals["active"]
        self.env["rest.change"]._record(self, "archived" if archived else "updated")
        return result

    def unlink(self):
        self.env["rest.change"]._record(self, "deleted")
        return super().unlink()
