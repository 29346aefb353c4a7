"""The representation built column by column from the ORM cache (models/base.py ``_rest_column``)
gives exactly what reading each record gives, and a page costs a fixed number of queries."""
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .test_api_common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestRepresentationColumns(ApiTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bare = cls.env["res.partner"].create({"name": "No Email Co"})  # email, external_ref empty
        cls.orders = cls.make_order(cls, ref="COL-1", qty=2) | cls.make_order(cls, partner=bare) \
            | cls.make_order(cls, ref="COL-3")
        cls.orders[0].write({"client_order_ref": "PO-9", "note": "<p>call first</p>",
                             "validity_date": "2026-12-31"})
        cls.orders[1].order_line = [Command.clear()]  # amounts 0.0, no lines

    def _per_record(self, orders, fields=None):
        """The reference: every value read through the record (``record[field]``), one by one."""
        spec = orders._rest_fields_spec()
        keys = [k for k in spec if not fields or k == "id" or k in fields]
        return [{k: orders._rest_getter(spec[k])(rec) for k in keys} for rec in orders]

    def test_columns_equal_per_record_reads(self):
        orders = self.orders.with_user(self.user)
        expected = self._per_record(orders)
        orders.invalidate_recordset()
        page = orders.search_fetch([("id", "in", orders.ids)], orders._rest_fetch_names(), order="id")
        self.assertEqual(page._rest_representation(fetched=True), expected)
        self.assertEqual(expected[1]["partner"]["email"], None)
        self.assertEqual(expected[1]["amount_total"], 0.0)
        self.assertEqual(expected[0]["validity_date"], "2026-12-31")
        self.assertIsNone(expected[2]["client_order_ref"])
        # a column missing from the cache for one record: that column goes through the records
        orders.invalidate_recordset(["client_order_ref"])
        self.assertEqual(orders[0].client_order_ref, "PO-9")  # loads the column for the first order only
        self.assertEqual(orders._rest_representation(fetched=True), expected)

    def test_every_scalar_type_from_the_cache(self):
        """Each stock scalar field type (char, text, selection, integer, float, monetary, boolean,
        date, datetime), loaded for a page, is converted a column at a time (lib/representation.py
        CACHE_COLUMNS) and gives what reading each record gives, empty values included."""
        from ..models.base import _STOCK_TO_RECORD  # noqa: PLC0415 - the fast path's own table
        self.orders[0].order_line.write({"discount": 10.0, "sequence": 0})
        checks = [(self.orders, ["name", "client_order_ref", "state", "locked", "validity_date", "date_order",
                                 "amount_total"]),
                  (self.orders.order_line, ["name", "sequence", "product_uom_qty", "discount", "price_subtotal",
                                            "is_downpayment", "display_type"])]
        types = set()
        for records, names in checks:
            records = records.with_user(self.user)
            expected = {name: [records._rest_getter(name)(rec) for rec in records] for name in names}
            records.invalidate_recordset()
            page = records.search_fetch([("id", "in", records.ids)], names, order="id")
            self.assertEqual(page.ids, records.ids)
            for name in names:
                field = records._fields[name]
                self.assertIs(type(field).convert_to_record, _STOCK_TO_RECORD[field.type], name)
                with self.assertQueryCount(0):  # from the cache the page's query filled
                    self.assertEqual(page._rest_column(name), expected[name], name)
                types.add(field.type)
        self.assertEqual(types, set(_STOCK_TO_RECORD))
        self.assertIn(None, expected["display_type"])  # empty values met
        self.assertIn(0.0, expected["discount"])

    def test_many2one_ids_from_cache_or_records(self):
        orders = self.orders.with_user(self.user)
        expected = [order.partner_id.id for order in orders]
        self.assertEqual(len(set(expected)), 2)
        orders.invalidate_recordset()
        page = orders.search_fetch([("id", "in", orders.ids)], ["partner_id"], order="id")
        with self.assertQueryCount(0):  # loaded by the page's query: taken from the cache
            self.assertEqual(page._rest_many2one_ids("partner_id"), expected)
        orders.invalidate_recordset()
        self.assertEqual(orders._rest_many2one_ids("partner_id"), expected)  # through the records
        self.assertEqual(orders._rest_many2one_ids("user_id"), [o.user_id.id or None for o in orders])

    def test_pending_recomputation_is_applied(self):
        orders = self.orders.with_user(self.user)
        orders._rest_representation()
        orders[0].order_line.price_unit = 40.0  # amounts now pending recomputation, not flushed
        [row] = orders[0]._rest_representation(["amount_untaxed"], fetched=True)
        self.assertEqual(row["amount_untaxed"], 80.0)

    def test_partner_columns(self):
        partners = (self.customer | self.orders[1].partner_id).with_user(self.user)
        expected = self._per_record(partners)
        partners.invalidate_recordset()
        self.assertEqual(partners._rest_representation(), expected)
        self.assertEqual([row["email"] for row in expected], ["customer@example.com", None])

    def test_page_query_count(self):
        """A page of 20 orders with their partners: the page's query and one for the partners
        (record rules applied in both), whatever the number of orders."""
        self.orders |= self.make_order(qty=1) | self.make_order(ref="COL-5")
        for i in range(15):
            self.orders |= self.make_order(partner=self.env["res.partner"].create({"name": "P%d" % i}))
        fields = ["name", "state", "date_order", "partner", "amount_total"]
        Order = self.env["sale.order"].with_user(self.user)

        def page_rows():
            page = Order.search_fetch([("id", "in", self.orders.ids)], Order._rest_fetch_names(fields), order="id")
            return page._rest_representation(fields, fetched=True)

        page_rows()  # Odoo's registry caches (record rules, groups) warm, as in a running server
        self.env.flush_all()
        self.env.invalidate_all()
        Order.env.companies.sudo().fetch(["parent_path"])  # the request's warm-up (services/api_pipeline.py)
        with self.assertQueryCount(2):
            rows = page_rows()
        self.assertEqual(len(rows), len(self.orders))
        self.assertEqual(rows[-1]["partner"]["name"], "P14")

    def _page(self, Order, fields):
        """What the list endpoint does (controllers/api_common.py list_response): the page's query with
        the record rules, its columns and the joined partner summaries, then the representation."""
        query = Order._search([("id", "in", self.orders.ids)], order="id")
        names = Order._rest_fetch_names(fields)
        found, joined = Order._rest_fetch_page(query, names, fields)
        return found, joined, found._rest_representation(fields, fetched=True, joined=joined)

    def test_page_loads_partners_in_its_own_query(self):
        """A list page of orders loads the partner summaries in its query (a LEFT JOIN carrying the
        partners' record rules): one query for the page and its partners, and the same rows as
        reading each record."""
        for i in range(15):
            self.orders |= self.make_order(partner=self.env["res.partner"].create({"name": "J%d" % i}))
        fields = ["name", "state", "date_order", "partner", "amount_total"]
        Order = self.env["sale.order"].with_user(self.user)
        expected = self._per_record(Order.browse(self.orders.ids), fields)
        self._page(Order, fields)  # registry caches warm, as in a running server
        self.env.flush_all()
        self.env.invalidate_all()
        Order.env.companies.sudo().fetch(["parent_path"])  # the request's warm-up (services/api_pipeline.py)
        with self.assertQueryCount(1):
            found, joined, rows = self._page(Order, fields)
        self.assertEqual(rows, expected)
        self.assertEqual(joined["partner"], frozenset(found.partner_id.ids))
        self.assertEqual(rows[-1]["partner"]["name"], "J14")
        # without the partner summary there is nothing to join
        found, joined, rows = self._page(Order, ["name"])
        self.assertEqual(joined, {})
        self.assertEqual([row["name"] for row in rows], [row["name"] for row in expected])

    def test_page_with_a_partner_the_rules_hide(self):
        """An order the user may read whose customer the partners' record rules hide from that user
        (another company's partner): the joined query does not load it, and the page is refused as
        Odoo's fetch refuses it, exactly as without the join."""
        other = self.env["res.company"].create({"name": "Hidden Partner Co"})
        hidden = self.env["res.partner"].create({"name": "Hidden customer"})
        self.orders |= self.make_order(partner=hidden)
        # the customer moves to another company after the order (Odoo refuses a cross-company order)
        self.env.cr.execute("UPDATE res_partner SET company_id = %s WHERE id = %s", (other.id, hidden.id))
        Order = self.env["sale.order"].with_user(self.user)
        self.assertFalse(self.env["res.partner"].with_user(self.user).search([("id", "=", hidden.id)]))
        self.env.invalidate_all()
        query = Order._search([("id", "in", self.orders.ids)], order="id")
        found, joined = Order._rest_fetch_page(query, Order._rest_fetch_names(["partner"]), ["partner"])
        self.assertEqual(len(found), len(self.orders))
        self.assertNotIn(hidden.id, joined["partner"])
        self.assertIn(self.customer.id, joined["partner"])
        with self.assertRaises(AccessError):
            found._rest_representation(["partner"], fetched=True, joined=joined)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):  # the same as the representation without the join
            Order.browse(self.orders.ids)._rest_representation(["partner"])
