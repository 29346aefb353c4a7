"""Answers for /api/ while the database is down.

When PostgreSQL is unreachable (or no database matches), Odoo serves requests from its
"no database" routing map, made only of ``auth="none"`` routes of server-wide modules — so an API
client would get Odoo's HTML 404 page. Loading rest_webhooks server-wide (``--load
base,rpc,web,rest_webhooks``; `make run` does) puts this catch-all in that map: clients get a
503 problem+json with Retry-After instead. The route is kept out of every database's routing map
(``ir.http._generate_routing_rules``), where the real routes and their 404/405 answers apply.
"""
from odoo import http

from ..services.http import NODB_ROUTE, problem_response


class ApiWithoutDatabase(http.Controller):

    @http.route(NODB_ROUTE, type="http", auth="none", csrf=False, save_session=False)
    def api_without_database(self, subpath=None, **kwargs):
        return problem_response(503, "The database is unavailable; retry shortly.",
                                type_="service-unavailable", headers={"Retry-After": "5"})
