import psycopg2

from odoo import http
from odoo.http import request
from odoo.modules.module import get_manifest
from odoo.release import version as odoo_version

from ..services.api_keys import bearer_token, verify_api_key
from ..services.http import json_response


class HealthController(http.Controller):

    @http.route("/api/v1/health", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def health(self):
        """Liveness and readiness for anyone: ``{"status": "ok"}`` (200) or ``"degraded"`` (503).

        Versions and the database name help an attacker more than a load balancer: they are added
        only for a caller with a valid API key (Authorization: Bearer)."""
        db_ok = False
        try:
            # auth="none" still binds request.db when a single database is served or given by ?db=.
            if request.db:
                request.env.cr.execute("SELECT 1")
                db_ok = request.env.cr.fetchone() == (1,)
        except Exception:  # noqa: BLE001 - a failing database is exactly what this route reports
            db_ok = False
        body = {"status": "ok" if db_ok else "degraded"}
        if db_ok and self._caller_has_key():
            body.update({
                "addon": "rest_webhooks",
                "addon_version": get_manifest("rest_webhooks").get("version"),
                "odoo_version": odoo_version,
                "database": {"name": request.db, "reachable": db_ok},
            })
        return json_response(body, status=200 if db_ok else 503)

    @staticmethod
    def _caller_has_key():
        token = bearer_token(request.httprequest.headers)
        try:
            return bool(token and verify_api_key(request.env.cr, token))
        except (ValueError, psycopg2.Error):  # e.g. a NUL in the header: not a key
            return False
