from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiPagination(ApiTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pager = cls.env["res.partner"].create({"name": "Pager"})
        cls.orders = cls.env["sale.order"]
        for _ in range(7):
            cls.orders |= cls.env["sale.order"].create({"partner_id": cls.pager.id})

    def _walk(self, params, insert_between=False):
        seen, pages, cursor = [], 0, None
        while True:
            query = dict(params, partner_id=self.pager.id, limit=3, fields="id")
            if cursor:
                query["cursor"] = cursor
            res = self.api("GET", "/api/v1/orders", params=query)
            self.assertEqual(res.status_code, 200, res.text)
            body = res.json()
            seen += [o["id"] for o in body["data"]]
            pages += 1
            if insert_between:  # new orders arrive while the client pages
                self.env["sale.order"].create({"partner_id": self.pager.id})
            if not body["has_more"]:
                self.assertIsNone(body["next_cursor"])
                self.assertNotIn("Link", res.headers)
                return seen, pages
            self.assertIn('rel="next"', res.headers["Link"])
            self.assertIn("cursor=", res.headers["Link"])
            cursor = body["next_cursor"]
            self.assertLess(pages, 20)

    def test_cursor_every_record_once_while_inserting(self):
        seen, _pages = self._walk({}, insert_between=True)
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(set(self.orders.ids) <= set(seen))
        self.assertEqual(seen, sorted(seen))

    def test_descending_and_by_date_sort(self):
        seen, pages = self._walk({"sort": "-id"})
        self.assertEqual(seen, sorted(self.orders.ids, reverse=True))
        self.assertEqual(pages, 3)
        # write_date ties (same transaction) are broken by id: still each record once
        seen, _ = self._walk({"sort": "write_date"}, insert_between=True)
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(set(self.orders.ids) <= set(seen))

    def test_link_header_is_followable(self):
        res = self.api("GET", "/api/v1/orders", params={"partner_id": self.pager.id, "limit": 5})
        link = res.headers["Link"].split(";")[0].strip("<>")
        nxt = self.api("GET", link)
        self.assertEqual([o["id"] for o in nxt.json()["data"]], self.orders.ids[5:])

    def test_offset_and_count(self):
        res = self.api("GET", "/api/v1/orders", params={"partner_id": self.pager.id, "limit": 2, "offset": 4,
                                                         "count": "true"})
        body = res.json()
        self.assertEqual([o["id"] for o in body["data"]], self.orders.ids[4:6])
        self.assertEqual(body["total"], 7)
        self.assertTrue(body["has_more"])

    def test_malformed_cursor_400_unknown_cursor_404(self):
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"cursor": "nonsense"}), 400, field="cursor")
        res = self.api("GET", "/api/v1/orders", params={"partner_id": self.pager.id, "limit": 2})
        cursor = res.json()["next_cursor"]
        # a cursor is bound to its sort and signed: well-formed but not issued for this -> no such page
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"cursor": cursor, "sort": "-id"}), 404,
                           field="cursor")
        self.assertProblem(self.api("GET", "/api/v1/orders", params={"cursor": "x" + cursor}), 404)
