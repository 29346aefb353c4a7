from odoo import http
from odoo.http import request
from odoo.modules.module import get_manifest
from odoo.release import version as odoo_version

from .common import json_response


class HealthController(http.Controller):

    @http.route("/api/v1/health", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def health(self):
        """Liveness and readiness: versions and whether the database answers. No authentication."""
        db_ok = False
        try:
            # auth="none" still binds request.db when a single database is served or given by ?db=.
            if request.db:
                request.env.cr.execute("SELECT 1")
                db_ok = request.env.cr.fetchone() == (1,)
        except Exception:  # noqa: BLE001 - a failing database is exactly what this route reports
            db_ok = False
        body = {
            "status": "ok" if db_ok else "degraded",
            "addon": "rest_webhooks",
            "addon_version": get_manifest("rest_webhooks").get("version"),
            "odoo_version": odoo_version,
            "database": {"name": request.db or None, "reachable": db_ok},
        }
        return json_response(body, status=200 if db_ok else 503)
