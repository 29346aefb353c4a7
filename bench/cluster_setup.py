# Runs inside `odoo-bin shell` on the benchmark database after bench/setup_user.py (make cluster-faults).
# Two more integration users for the cross-node scenarios, each with a fresh API key:
# - "cluster-rl": a small quota (20 requests an hour) to show that both nodes share one counter;
# - "cluster-revoke": its key is removed during the run (key id given) and must be refused at once.
# Prints one JSON line.
import json
from datetime import timedelta

from odoo import fields

E = env  # noqa: F821 (provided by odoo-bin shell)
groups = [E.ref(x).id for x in ("base.group_user", "sales_team.group_sale_salesman_all_leads", "rest_webhooks.group_api_user")]
Users = E["res.users"].with_context(no_reset_password=True, active_test=False)
Keys = E["res.users.apikeys"]
out = {}
for login, quota in (("cluster-rl", 20), ("cluster-revoke", 100000)):
    user = Users.search([("login", "=", login)], limit=1) or Users.create({
        "name": login, "login": login, "email": login + "@example.com", "password": "not-used-" + login,
        "group_ids": [(6, 0, groups)]})
    user.write({"active": True, "api_rate_limit": quota, "api_rate_window": 3600})
    Keys.sudo().search([("user_id", "=", user.id)]).unlink()  # technical: the previous run's keys
    key = Keys.with_user(user)._generate(None, login, fields.Datetime.now() + timedelta(days=1))
    key_id = Keys.sudo().search([("user_id", "=", user.id)], limit=1).id
    out[login] = {"uid": user.id, "key": key, "key_id": key_id}
# counters of earlier runs: the quota starts empty
E.cr.execute("DELETE FROM api_rate_counter WHERE user_id = %s", [out["cluster-rl"]["uid"]])
E.cr.commit()
print(json.dumps(out))
