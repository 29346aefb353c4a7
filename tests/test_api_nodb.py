from odoo.tests import HttpCase, tagged
from odoo.tools import config


@tagged("post_install", "-at_install")
class TestApiWithoutDatabase(HttpCase):
    """While the database cannot be used, /api/ answers 503 problem+json, not Odoo's HTML 404.

    A request for a database PostgreSQL cannot open takes Odoo's real fallback path (registry
    unusable -> the no-database routing map of the server-wide modules), the same path as during a
    PostgreSQL outage; `make faults` also checks it with a real PostgreSQL restart.
    """

    def test_api_is_503_problem_when_database_unusable(self):
        self.assertIn("rest_webhooks", config["server_wide_modules"],
                      "the test server loads rest_webhooks server-wide, as make run does")
        res = self.url_open("/api/v1/orders?limit=1",
                            headers={"X-Odoo-Database": "rw_no_such_database", "X-Request-Id": "nodb-1"})
        self.assertEqual(res.status_code, 503, res.text[:300])
        self.assertEqual(res.headers["Content-Type"], "application/problem+json")
        self.assertEqual(res.headers["Retry-After"], "5")
        body = res.json()
        self.assertEqual(body["status"], 503)
        self.assertEqual(body["request_id"], "nodb-1")
        self.assertTrue(body["type"].endswith("/service-unavailable"))

    def test_health_reports_unreachable_database(self):
        res = self.url_open("/api/v1/health", headers={"X-Odoo-Database": "rw_no_such_database"})
        self.assertEqual(res.status_code, 503)
        self.assertEqual(res.json(), {"status": "degraded"})

    def test_catch_all_is_not_in_the_database_routing_map(self):
        """With a database, unknown paths stay 404 and wrong methods 405 (the catch-all would hide them)."""
        res = self.url_open("/api/v1/nope")
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.headers["Content-Type"], "application/problem+json")
        res = self.url_open("/api/v1/orders", data=b"", method="DELETE")
        self.assertEqual(res.status_code, 405)
