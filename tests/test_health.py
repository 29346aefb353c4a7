from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestHealth(ApiTestMixin, HttpCase):

    def test_health_without_key_tells_only_the_status(self):
        res = self.url_open("/api/v1/health")
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers["Content-Type"], "application/json")
        self.assertTrue(res.headers.get("X-Request-Id"))
        self.assertEqual(res.json(), {"status": "ok"})
        self.assertNotIn(self.env.cr.dbname, res.text)

    def test_health_with_a_bad_key_tells_only_the_status(self):
        res = self.url_open("/api/v1/health", headers={"Authorization": "Bearer not-a-key"})
        self.assertEqual(res.json(), {"status": "ok"})

    def test_health_with_a_valid_key_reports_versions_and_database(self):
        res = self.url_open("/api/v1/health", headers={"Authorization": "Bearer %s" % self.key})
        self.assertEqual(res.status_code, 200)
        body = res.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["addon"], "rest_webhooks")
        self.assertEqual(body["addon_version"], "19.0.1.0.0")
        self.assertTrue(body["odoo_version"].startswith("19.0"))
        self.assertEqual(body["database"], {"name": self.env.cr.dbname, "reachable": True})

    def test_health_echoes_sane_request_id(self):
        res = self.url_open("/api/v1/health", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(res.headers["X-Request-Id"], "abc-123")
        res = self.url_open("/api/v1/health", headers={"X-Request-Id": "bad id\twith spaces"})
        self.assertNotEqual(res.headers["X-Request-Id"], "bad id\twith spaces")

    def test_health_rejects_other_methods_without_html(self):
        res = self.url_open("/api/v1/health", data=b"{}", headers={"Content-Type": "application/json"})
        self.assertEqual(res.status_code, 405)
