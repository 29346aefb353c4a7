"""Server action type "Send signed webhook": enqueue a webhook.delivery for the record (outbox).

Endpoints generate rules using it; admins can also use it in automation rules they write themselves.
"""
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_EVENT_NAME = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*\Z")


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    state = fields.Selection(selection_add=[("rw_webhook", "Send signed webhook")],
                             ondelete={"rw_webhook": "cascade"})
    rw_endpoint_id = fields.Many2one("webhook.endpoint", string="Webhook endpoint", ondelete="restrict",
                                     index="btree_not_null",
                                     help="Endpoint the event is sent to (signed, retried, logged).")
    rw_event = fields.Char("Event name", default="updated",
                           help="The event type sent is '<model>.<event name>', e.g. sale.order.shipped.")

    @api.constrains("state", "rw_endpoint_id", "rw_event", "model_id")
    def _check_rw_webhook(self):
        for action in self.filtered(lambda a: a.state == "rw_webhook"):
            if not action.rw_endpoint_id:
                raise ValidationError(self.env._("Choose the webhook endpoint of action %s.", action.name))
            if not _EVENT_NAME.match(action.rw_event or ""):
                raise ValidationError(self.env._("The event name must be lowercase words separated by dots, "
                                        "e.g. 'shipped'."))
            if action.rw_endpoint_id.model_id != action.model_id:
                raise ValidationError(self.env._("The endpoint %(ep)s is for model %(model)s.",
                                        ep=action.rw_endpoint_id.name, model=action.rw_endpoint_id.model_name))

    def _get_eval_context(self, action=None):
        """For "Send signed webhook" actions: only what ``run()`` and ``_run()`` read (env, model,
        record, records), the same values Odoo computes; Odoo's ``run()`` keeps every check (the
        action's groups or write access to the records, warnings). Skipping the rest of the evaluation
        context (user, helpers, other modules' additions: the runner reads none of it) is what keeps a
        webhook rule cheap, since base.automation runs the action once per record and write."""
        if action is None or action.state != "rw_webhook":
            return super()._get_eval_context(action=action)
        ctx = self.env.context
        model = self.env[action.model_id.sudo().model]
        same_model = ctx.get("active_model") == model._name
        return {
            "env": self.env,
            "model": model,
            "record": model.browse(ctx["active_id"]) if same_model and ctx.get("active_id") else None,
            "records": model.browse(ctx["active_ids"]) if same_model and ctx.get("active_ids") else None,
        }

    def _rw_active_ids(self):
        ctx = self.env.context
        return ctx.get("active_ids") or ([ctx["active_id"]] if ctx.get("active_id") else [])

    def _run_action_rw_webhook_multi(self, eval_context=None):
        records = self.env[self.model_id.model].browse(self._rw_active_ids())
        endpoint = self.rw_endpoint_id.sudo()  # technical read of the endpoint configuration
        if not records or not endpoint.active:
            return False
        if self.rw_event not in ("created", "updated", "deleted"):
            # read now: skip records that no longer exist; created/updated are read (and checked)
            # once, at precommit
            records = records.exists()
        endpoint._enqueue(records, self.rw_event)
        return False
