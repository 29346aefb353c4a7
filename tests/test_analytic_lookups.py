"""The REST planner's analytic distribution lookups: the same distributions as Odoo's own create,
without the per-line searches that can only find nothing."""
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.account_analytic_distribution_model import MARK
from .test_api_common import ApiTestMixin

TABLE = "account_analytic_distribution_model"


@contextmanager
def statements(cr):
    """The SQL statements run on ``cr`` inside the block."""
    seen, real = [], cr.execute

    def execute(query, params=None, log_exceptions=True):
        seen.append(query.code if isinstance(query, SQL) else str(query))
        return real(query, params, log_exceptions)
    with patch.object(cr, "execute", execute):
        yield seen


@tagged("post_install", "-at_install")
class TestAnalyticLookups(ApiTestMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plan = cls.env["account.analytic.plan"].create({"name": "REST plan"})
        cls.account = cls.env["account.analytic.account"].create({"name": "REST account", "plan_id": plan.id})
        cls.Models = cls.env["account.analytic.distribution.model"]
        cls.Models.search([]).unlink()  # whatever demo data or other modules left: none to start with

    def setUp(self):
        super().setUp()
        self.env.cr.cache.pop(MARK, None)  # the test transaction never commits, which would drop it

    def _body(self, partner=None):
        return {"partner_id": (partner or self.customer).id,
                "lines": [{"product_id": p.id, "quantity": 1} for p in (self.product, self.product2, self.product)]}

    def _rest_create(self, partner=None):
        with statements(self.env.cr) as seen:
            order, created = self.env["sale.order"].with_user(self.user)._rest_create_or_get(self._body(partner))
        self.assertTrue(created)
        return order, sum(TABLE in q for q in seen)

    def _orm_create(self, partner=None):
        """The same order through Odoo's own create, as the same user, outside a marked transaction."""
        self.env.cr.cache.pop(MARK, None)
        vals = self.env["sale.order"].with_user(self.user)._rest_create_planner([self._body(partner)])(
            self._body(partner))[1]
        self.env.cr.cache.pop(MARK, None)  # planning marked it: Odoo's create alone must not see the mark
        with statements(self.env.cr) as seen:
            order = self.env["sale.order"].with_user(self.user).create(vals)
            self.env.flush_all()
        return order, sum(TABLE in q for q in seen)

    def test_no_model_no_searches(self):
        orm_order, orm_searches = self._orm_create()
        rest_order, rest_searches = self._rest_create()
        self.assertEqual(orm_searches, 6, "Odoo's create: two lookups per line (the premise of the change)")
        self.assertEqual(rest_searches, 1, "the REST create asks once whether any model is visible")
        self.assertEqual(rest_order.order_line.mapped("analytic_distribution"),
                         orm_order.order_line.mapped("analytic_distribution"))
        _again, searches = self._rest_create()
        self.assertEqual(searches, 0, "asked once per transaction")

    def test_models_apply_as_in_odoo(self):
        self.Models.create({"partner_id": self.customer.id, "analytic_distribution": {str(self.account.id): 100}})
        other = self.env["res.partner"].create({"name": "No model"})
        for partner, expected in ((self.customer, {str(self.account.id): 100}), (other, False)):
            orm_order, _ = self._orm_create(partner)
            rest_order, _ = self._rest_create(partner)
            self.assertEqual(orm_order.order_line.mapped("analytic_distribution"), [expected] * 3)
            self.assertEqual(rest_order.order_line.mapped("analytic_distribution"), [expected] * 3)

    def test_model_created_later_in_the_transaction_is_seen(self):
        first, _ = self._rest_create()
        self.assertEqual(first.order_line.mapped("analytic_distribution"), [False] * 3)
        self.assertTrue(self.env.cr.cache.get(MARK), "the transaction knows no model is visible")
        self.Models.create({"partner_id": self.customer.id, "analytic_distribution": {str(self.account.id): 100}})
        second, searches = self._rest_create()
        self.assertEqual(second.order_line.mapped("analytic_distribution"), [{str(self.account.id): 100}] * 3)
        self.assertGreater(searches, 1, "with a model visible, Odoo's own lookups run")

    def test_model_of_another_company(self):
        company = self.env["res.company"].create({"name": "REST other company"})
        account = self.account.copy({"company_id": company.id})
        self.Models.create({"partner_id": self.customer.id, "company_id": company.id,
                            "analytic_distribution": {str(account.id): 100}})
        orm_order, _ = self._orm_create()
        rest_order, _ = self._rest_create()
        self.assertEqual(rest_order.order_line.mapped("analytic_distribution"),
                         orm_order.order_line.mapped("analytic_distribution"))

    def test_user_lookups_run_odoos_search(self):
        """The shortcut is the superuser's: a user's lookup (record rules, a context of its own) searches
        as in Odoo, in a marked transaction too."""
        user = self._api_user("analytic_reader", groups=("base.group_user", "analytic.group_analytic_accounting"))
        Models = self.Models.with_user(user)
        Models._rest_mark_transaction()
        vals = {"partner_id": self.customer.id, "company_id": self.env.company.id}
        with statements(self.env.cr) as seen:
            found = [Models._get_applicable_models(dict(vals)) for _ in range(2)]
        self.assertEqual(sum(TABLE in q for q in seen), 2)
        self.assertEqual(found, [Models.browse()] * 2)

    def test_a_model_changed_before_the_mark_turns_it_off(self):
        model = self.Models.create({"partner_id": self.customer.id,
                                    "analytic_distribution": {str(self.account.id): 100}})
        model.unlink()  # e.g. in a savepoint that does not flush and may still be rolled back
        order, searches = self._rest_create()
        self.assertEqual(searches, 6, "Odoo's own lookups, for the rest of the transaction")
        self.assertEqual(order.order_line.mapped("analytic_distribution"), [False] * 3)
