"""Usage of an API key or an API client, read from the request log (api.request.log): no write per
request beyond the log row itself."""
from odoo import fields, models

from .api_request_log import usage


class ApiUsageMixin(models.AbstractModel):
    _name = "api.usage.mixin"
    _description = "REST API usage from the request log"
    _usage_column = None  # api_request_log column naming the record: api_key_id or api_client_id

    last_used_at = fields.Datetime("Last used", compute="_compute_usage")
    calls_24h = fields.Integer("Calls (24 h)", compute="_compute_usage")
    calls_7d = fields.Integer("Calls (7 days)", compute="_compute_usage")
    last_error_status = fields.Integer("Last error status", compute="_compute_usage",
                                       help="HTTP status of the most recent failed call (0: none).")

    def _compute_usage(self):
        # the log is read in SQL: a manager reading a key's usage needs no access to other users' rows
        stats = usage(self.env.cr, self._usage_column, [r._origin.id for r in self if r._origin.id])
        for record in self:
            last, day, week, error = stats.get(record._origin.id, (False, 0, 0, 0))
            record.last_used_at, record.calls_24h, record.calls_7d = last, day, week
            record.last_error_status = error or 0
