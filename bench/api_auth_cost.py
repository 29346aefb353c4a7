# Odoo shell script (stdin of `odoo-bin shell -d <db>`): cost of one API-key check, uncached (Odoo's
# pbkdf2 verify) vs cached (sha256 + one primary-key validation query), through the very function
# the rest_api auth method uses. Creates a key for the admin user and rolls everything back.
# Prints one JSON line.
import json
import time

from odoo.addons.rest_webhooks.services import api_keys

N = 200
user = env.ref("base.user_admin")  # noqa: F821 - provided by odoo shell
key = env["res.users.apikeys"].with_user(user).sudo()._generate("rest_webhooks", "auth-cost", None)  # noqa: F821
cr = env.cr  # noqa: F821


def run(clear):
    t0 = time.perf_counter()
    for _ in range(N):
        if clear:
            api_keys.clear_cache()
        assert api_keys.verify_api_key(cr, key)
    return (time.perf_counter() - t0) / N * 1000.0


uncached = run(True)
cached = run(False)
cr.rollback()
print(json.dumps({"scenario": "api_auth_cost", "n": N, "uncached_ms": round(uncached, 3),
                  "cached_ms": round(cached, 3), "speedup": round(uncached / cached, 1)}))
