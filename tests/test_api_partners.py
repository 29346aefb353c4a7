from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiPartners(ApiTestMixin, HttpCase):

    def test_create_get_patch(self):
        res = self.api("POST", "/api/v1/partners", body={"name": "Acme", "email": "info@acme.test",
                                                          "is_company": True, "country_code": "FR",
                                                          "external_ref": "ACME"})
        self.assertEqual(res.status_code, 201, res.text)
        pid = res.json()["id"]
        partner = self.env["res.partner"].browse(pid)
        self.assertEqual((partner.name, partner.country_id.code, partner.create_uid), ("Acme", "FR", self.user))
        got = self.api("GET", "/api/v1/partners/%d" % pid).json()
        self.assertEqual(got, partner._rest_representation()[0])
        self.assertEqual((got["country"], got["external_ref"], got["is_company"]), ("FR", "ACME", True))
        res = self.api("PATCH", "/api/v1/partners/%d" % pid, body={"phone": "+33 1", "city": "Paris"})
        self.assertEqual((res.status_code, res.json()["city"]), (200, "Paris"))
        self.assertEqual(partner.phone, "+33 1")
        # a second create with the same external_ref is a conflict (use PUT to upsert)
        self.assertProblem(self.api("POST", "/api/v1/partners", body={"name": "Acme 2", "external_ref": "ACME"}), 409)

    def test_upsert_by_external_ref(self):
        res = self.api("PUT", "/api/v1/partners/external/CRM-42", body={"name": "Upsert Ltd", "city": "Ghent"})
        self.assertEqual(res.status_code, 201, res.text)
        pid = res.json()["id"]
        res = self.api("PUT", "/api/v1/partners/external/CRM-42", body={"city": "Bruges"})
        self.assertEqual((res.status_code, res.json()["id"], res.json()["city"]), (200, pid, "Bruges"))
        self.assertEqual(self.env["res.partner"].search_count([("external_ref", "=", "CRM-42")]), 1)
        # a new reference without a name to create it: no such partner
        self.assertProblem(self.api("PUT", "/api/v1/partners/external/CRM-43", body={"city": "X"}), 404,
                           field="name")
        # an archived partner: the upsert finds it (200), and its links (GET by id) answer it too
        self.env["res.partner"].browse(pid).active = False
        res = self.api("PUT", "/api/v1/partners/external/CRM-42", body={"city": "Antwerp"})
        self.assertEqual((res.status_code, res.json()["id"], res.json()["active"]), (200, pid, False))
        res = self.api("GET", "/api/v1/partners/%d" % pid)
        self.assertEqual((res.status_code, res.json()["city"], res.json()["active"]), (200, "Antwerp", False))
        # a reference with slashes (which POST, batch and MCP accept) is reachable by URL, percent-encoded
        res = self.api("PUT", "/api/v1/partners/external/shop%2F7%2Fcustomer", body={"name": "Slashed"})
        self.assertEqual((res.status_code, res.json()["external_ref"]), (201, "shop/7/customer"), res.text)
        res = self.api("PUT", "/api/v1/partners/external/shop%2F7%2Fcustomer", body={"city": "Ghent"})
        self.assertEqual((res.status_code, res.json()["city"]), (200, "Ghent"))
        self.assertEqual(self.env["res.partner"].search_count([("external_ref", "=", "shop/7/customer")]), 1)

    def test_list_filters(self):
        a = self.env["res.partner"].create({"name": "Filter Alpha BV", "email": "Alpha@Filter.test",
                                            "is_company": True})
        b = self.env["res.partner"].create({"name": "filter beta", "email": "beta@filter.test"})
        ids = lambda **p: [r["id"] for r in self.api("GET", "/api/v1/partners", params=p).json()["data"]]  # noqa
        self.assertEqual(ids(name="FILTER ", limit=200), [a.id, b.id])
        self.assertEqual(ids(email="alpha@filter.test"), [a.id])
        self.assertEqual(ids(name="filter", is_company="true"), [a.id])
        self.assertEqual(ids(name="filter", is_company="false"), [b.id])
        self.assertEqual(ids(updated_since="2999-01-01T00:00:00+02:00"), [])
        res = self.api("GET", "/api/v1/partners", params={"name": "filter", "limit": 1, "fields": "name"})
        body = res.json()
        self.assertEqual((body["data"], body["has_more"]), ([{"id": a.id, "name": "Filter Alpha BV"}], True))
        nxt = self.api("GET", "/api/v1/partners", params={"name": "filter", "limit": 1, "fields": "name",
                                                           "cursor": body["next_cursor"]}).json()
        self.assertEqual(([r["id"] for r in nxt["data"]], nxt["has_more"]), ([b.id], False))
        self.assertProblem(self.api("GET", "/api/v1/partners", params={"is_company": "maybe"}), 422,
                           field="is_company")

    def test_salesman_without_contact_rights_gets_403(self):
        user = self._api_user("no_contacts", groups=("base.group_user", "sales_team.group_sale_salesman",
                                                      "rest_webhooks.group_api_user"))
        key = self._api_key(user)
        self.assertEqual(self.api("GET", "/api/v1/partners/%d" % self.customer.id, key=key).status_code, 200)
        self.assertProblem(self.api("POST", "/api/v1/partners", body={"name": "Nope"}, key=key), 403)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Nope")]))

    def test_a_new_country_code_is_accepted_at_once(self):
        body = {"name": "New land customer", "country_code": "XQ"}
        self.assertProblem(self.api("POST", "/api/v1/partners", body=body), 422, field="country_code")
        self.env["res.country"].create({"name": "Testland", "code": "XQ"})
        res = self.api("POST", "/api/v1/partners", body=body)
        self.assertEqual(res.status_code, 201, res.text[:300])
        self.assertEqual(res.json()["country"], "XQ")
