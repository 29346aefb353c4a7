# Runs inside `odoo-bin shell` (``env`` is given): the least-privilege integration user for the
# demo database and an API key for it. Idempotent. Prints "RW_API_KEY=<key>" when it makes a new key.
import os
from datetime import timedelta

from odoo import fields

LOGIN = "integration"
KEY_NAME = "make run demo key"
Users = env["res.users"]  # noqa: F821 (provided by odoo-bin shell)
user = Users.with_context(active_test=False).search([("login", "=", LOGIN)], limit=1)
groups = [env.ref("base.group_user").id,  # noqa: F821
          env.ref("sales_team.group_sale_salesman_all_leads").id,  # noqa: F821
          # Odoo 19 does not let salesmen create contacts: the API's partner upserts need this.
          env.ref("base.group_partner_manager").id,  # noqa: F821
          env.ref("rest_webhooks.group_api_user").id]  # noqa: F821
if not user:
    user = Users.with_context(no_reset_password=True).create({
        "name": "Integration (REST API)",
        "login": LOGIN,
        "email": "integration@example.com",
        "group_ids": [(6, 0, groups)],
    })
else:
    user.write({"active": True, "group_ids": [(4, g) for g in groups]})

existing = os.environ.get("RW_EXISTING_KEY", "")
if existing and env["res.users.apikeys"]._check_credentials(scope="rest_webhooks", key=existing) == user.id:  # noqa: F821
    print("RW_API_KEY_OK")
else:
    keys = env["res.users.apikeys"].search([("user_id", "=", user.id), ("name", "=", KEY_NAME)])  # noqa: F821
    keys.sudo().unlink()  # technical: replacing the demo key whose clear text we no longer have
    key = env["res.users.apikeys"].with_user(user)._generate(  # noqa: F821
        "rest_webhooks", KEY_NAME, fields.Datetime.now() + timedelta(days=90))
    print("RW_API_KEY=" + key)
env.cr.commit()  # noqa: F821
