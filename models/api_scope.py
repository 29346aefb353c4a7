"""The scopes a manager can pick for a key or an API client (data/api_scope_data.xml mirrors
lib/scopes.SCOPES, which the API checks)."""
from odoo import fields, models


class ApiScope(models.Model):
    _name = "api.scope"
    _description = "REST API scope"
    _order = "sequence, id"
    _rec_name = "code"

    code = fields.Char(required=True, readonly=True)
    description = fields.Char(readonly=True)
    sequence = fields.Integer(default=10)

    _code_uniq = models.Constraint("UNIQUE (code)", "One record per scope.")

    def _scope_set(self):
        return frozenset(self.mapped("code"))
