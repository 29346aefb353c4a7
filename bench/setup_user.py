# Runs inside `odoo-bin shell` on the benchmark database (``env`` is given). Idempotent.
# - the benchmark user "bench": Internal User, Sales "All Documents", REST API user and Integrations
#   manager (it creates and removes its own webhook endpoint during the run);
# - a fresh global API key (scope NULL, valid one day): Odoo accepts global keys on /json/2 and
#   /jsonrpc, and the REST API accepts them too, so all three APIs see the very same user;
# - lets webhooks target 127.0.0.1 in this database only (the local receiver);
# - removes webhook endpoints and deliveries left by an earlier (interrupted) run.
# Prints one JSON line with the credentials.
import json
from datetime import timedelta

from odoo import fields

E = env  # noqa: F821 (provided by odoo-bin shell)
LOGIN = "bench"
groups = ["base.group_user", "base.group_partner_manager", "sales_team.group_sale_salesman_all_leads", "rest_webhooks.group_api_user",
          "rest_webhooks.group_integration_manager"]
group_ids = [E.ref(x).id for x in groups if E.ref(x, raise_if_not_found=False)]
Users = E["res.users"].with_context(no_reset_password=True, active_test=False)
user = Users.search([("login", "=", LOGIN)], limit=1)
if not user:
    user = Users.create({"name": "Benchmark integration", "login": LOGIN, "email": "bench@example.com",
                         "password": "bench-password-not-used", "group_ids": [(6, 0, group_ids)]})
else:
    user.write({"active": True, "group_ids": [(4, g) for g in group_ids]})
if "api_rate_limit" in user._fields:
    # the rate limiter still runs on every call (its cost is part of the figures); the quota is just high
    user.write({"api_rate_limit": 100000000, "api_rate_window": 60})
Keys = E["res.users.apikeys"]
Keys.sudo().search([("user_id", "=", user.id)]).unlink()  # technical: the previous run's keys
key = Keys.with_user(user)._generate(None, "bench", fields.Datetime.now() + timedelta(days=1))
# least privilege (issue 14): a key with only orders:read, and an OAuth2 client limited to it
scoped_key = Keys.with_user(user)._generate("rest_webhooks:orders:read", "bench scoped",
                                            fields.Datetime.now() + timedelta(days=1))
oauth = {"skip": "api.client model not installed (issue 14)"}
if "api.client" in E:
    E["api.client"].with_context(active_test=False).search([("name", "=", "bench")]).unlink()
    client = E["api.client"].create({"name": "bench", "user_id": user.id, "scope_ids": [
        (6, 0, E["api.scope"].search([("code", "=", "orders:read")]).ids)]})
    oauth = {"client_id": client.client_id, "secret": client.action_new_secret()["context"]["default_secret"]}
# an administrator's key too: webhook endpoints are configured by an administrator during the run
admin = E.ref("base.user_admin")
Keys.sudo().search([("user_id", "=", admin.id), ("name", "=", "bench admin")]).unlink()
admin_key = Keys.with_user(admin)._generate(None, "bench admin", fields.Datetime.now() + timedelta(days=1))
E["ir.config_parameter"].sudo().set_param("rest_webhooks.webhook_allow_local_network", "1")
if "webhook.endpoint" in E:
    eps = E["webhook.endpoint"].with_context(active_test=False).search([("name", "=like", "bench%")])
    if "webhook.delivery" in E:
        E["webhook.delivery"].search([("endpoint_id", "in", eps.ids)]).unlink()
    eps.unlink()
inbound = {"skip": "webhook.source model not installed (issue 5)"}
if "webhook.source" in E:
    # inbound source "bench-in": Standard Webhooks scheme, store only (acceptance is what is measured)
    import base64
    import secrets
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    Source = E["webhook.source"].with_context(active_test=False)
    src = Source.search([("slug", "=", "bench-in")], limit=1)
    vals = {"name": "bench inbound", "slug": "bench-in", "active": True, "scheme": "standard",
            "handler_type": "none"}
    src = src or Source.create(vals)
    src.write(vals)
    src.sudo().write({"secret": secret, "previous_secret": False})  # technical: the bench's own secret
    if "webhook.event" in E:
        E["webhook.event"].sudo().search([("source_id", "=", src.id)]).unlink()
    inbound = {"slug": "bench-in", "secret": secret, "source_id": src.id}
E.cr.commit()
print(json.dumps({"db": E.cr.dbname, "uid": user.id, "login": LOGIN, "key": key, "inbound": inbound,
                  "scoped_key": scoped_key, "oauth": oauth,
                  "admin_uid": admin.id, "admin_key": admin_key,
                  "partner_ids": E["res.partner"].search([("ref", "=like", "BENCH-C%")], limit=200, order="id").ids,
                  "product_ids": E["product.product"].search([("default_code", "=like", "BENCH-P%")], order="id").ids}))
